#!/usr/bin/env node
// A TEST DOUBLE of medusa-ls, written against docs/lsp-contract.md, used only to prove the
// extension's tests before the real Go server exists (integration harness self-check and the
// code-server E2E in "fake" mode). It is never packaged. It checks a saved file's syntax with
// esbuild and serves a trivial HTTP endpoint; it does not run any project code.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const esbuild = require('esbuild');
const P = require('vscode-languageserver-protocol/node');

const argv = process.argv.slice(2);
const known = new Set(['serve', '--stdio']);
for (const a of argv) {
  if (!known.has(a)) {
    process.stderr.write(`fake-medusa-ls: unknown argument ${a}\n`);
    process.exit(2);
  }
}

const conn = P.createProtocolConnection(new P.StreamMessageReader(process.stdin), new P.StreamMessageWriter(process.stdout));
const COMMANDS = ['medusa.restart', 'medusa.reloadAll', 'medusa.stop', 'medusa.start', 'medusa.emitEvent', 'medusa.runJob'];
let opts = { autoStart: true, host: '127.0.0.1', port: 9000 };
let root = process.cwd();
let server; // http.Server
let url = '';
let hmr = true;
let lastReload;
const failing = new Map(); // uri -> diagnostics
let shutdown = false;

function log(msg, type = P.MessageType.Info) {
  process.stderr.write(`${new Date().toISOString()} INFO ${msg}\n`); // the same line on stderr
  conn.sendNotification(P.LogMessageNotification.type, { type, message: msg });
}
function errorCount() {
  let n = 0;
  for (const d of failing.values()) n += d.length;
  return n;
}
function status(state, message) {
  const s = { state, url: state === 'stopped' ? '' : url, runtime: 'embedded', hmr, errors: errorCount() };
  if (lastReload) s.lastReload = lastReload;
  if (message) s.message = message;
  conn.sendNotification('medusa/status', s);
}
function listen() {
  return new Promise((resolve, reject) => {
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ fake: true, path: req.url }));
    });
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      url = `http://${opts.host}:${server.address().port}`;
      resolve();
    });
  });
}
function close() {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections?.();
    server = undefined;
    url = '';
  });
}
async function startDev() {
  status('starting');
  try {
    await listen();
  } catch (e) {
    status('stopped', `could not listen on ${opts.host}:${opts.port}: ${e.message}`);
    return;
  }
  log(`ready on ${url}`);
  status(errorCount() ? 'error' : 'ready');
}
async function restartDev() {
  status('restarting');
  await close();
  await startDev();
}
function check(file) {
  try {
    esbuild.transformSync(fs.readFileSync(file, 'utf8'), { loader: file.endsWith('.ts') ? 'ts' : 'js', sourcefile: file });
    return [];
  } catch (e) {
    return (e.errors || []).map((m) => {
      const line = Math.max((m.location?.line ?? 1) - 1, 0);
      const col = m.location?.column ?? 0;
      return {
        range: { start: { line, character: col }, end: { line, character: col + Math.max(m.location?.length ?? 1, 1) } },
        severity: 1,
        source: 'medusa',
        code: 'syntax-error',
        message: m.text,
      };
    });
  }
}
function reload(uri) {
  const file = fileURLToPath(uri);
  const t0 = process.hrtime.bigint();
  status('reloading');
  const diags = check(file);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rel = path.relative(root, file).split(path.sep).join('/');
  lastReload = { file: rel, ms: Math.round(ms * 10) / 10, ok: diags.length === 0 };
  if (diags.length) {
    failing.set(uri, diags);
    log(`[HMR] reload of ${rel} failed: ${diags[0].message}`, P.MessageType.Error);
  } else {
    failing.delete(uri);
    log(`[HMR] reloaded ${rel} in ${lastReload.ms} ms`);
  }
  conn.sendNotification(P.PublishDiagnosticsNotification.type, { uri, diagnostics: diags });
  status(!server ? 'stopped' : errorCount() ? 'error' : 'ready');
}

conn.onRequest(P.InitializeRequest.type, (params) => {
  const o = params.initializationOptions || {};
  opts = { ...opts, ...o };
  if (o.port === undefined) opts.port = 9000;
  if (!opts.host) opts.host = '127.0.0.1';
  hmr = o.hmr !== false;
  if (params.rootUri) root = fileURLToPath(params.rootUri);
  else root = process.cwd();
  return {
    capabilities: {
      textDocumentSync: { openClose: true, save: {} },
      executeCommandProvider: { commands: COMMANDS },
      workspaceSymbolProvider: true,
    },
    serverInfo: { name: 'fake-medusa-ls', version: '0.0.0-test' },
  };
});
conn.onNotification(P.InitializedNotification.type, () => {
  log(`fake medusa-ls in ${root} (cwd ${process.cwd()}), options ${JSON.stringify(opts)}`);
  if (opts.autoStart !== false) void startDev();
  else status('stopped', 'autoStart is off');
});
conn.onNotification(P.DidOpenTextDocumentNotification.type, () => {});
conn.onNotification(P.DidCloseTextDocumentNotification.type, () => {});
conn.onNotification(P.DidSaveTextDocumentNotification.type, (p) => reload(p.textDocument.uri));
conn.onNotification(P.DidChangeConfigurationNotification.type, (p) => {
  const m = p.settings && p.settings.medusa;
  if (!m) return;
  log(`settings: ${JSON.stringify(m)}`);
  const portChanged = m.port !== undefined && m.port !== opts.port;
  opts = { ...opts, ...m };
  if (m.hmr !== undefined) hmr = m.hmr !== false;
  if (portChanged && server) void restartDev();
});
conn.onRequest(P.WorkspaceSymbolRequest.type, () => {
  const jobs = path.join(root, 'src', 'jobs');
  let files = [];
  try {
    files = fs.readdirSync(jobs).filter((f) => /\.(ts|js)$/.test(f));
  } catch {}
  return files.map((f) => ({
    name: f.replace(/\.(ts|js)$/, ''),
    kind: 12,
    location: { uri: pathToFileURL(path.join(jobs, f)).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
  }));
});
conn.onRequest(P.ExecuteCommandRequest.type, async (p) => {
  const args = p.arguments || [];
  switch (p.command) {
    case 'medusa.restart':
      await restartDev();
      return null;
    case 'medusa.reloadAll':
      status('reloading');
      status(server ? (errorCount() ? 'error' : 'ready') : 'stopped');
      return 'reloaded everything';
    case 'medusa.stop':
      await close();
      status('stopped', 'stopped by request');
      return null;
    case 'medusa.start':
      if (!server) await startDev();
      return null;
    case 'medusa.emitEvent':
      if (typeof args[0] !== 'string' || !args[0]) throw new P.ResponseError(P.ErrorCodes.InvalidParams, 'medusa.emitEvent needs an event name');
      log(`emitted ${args[0]} ${JSON.stringify(args[1] ?? {})}`);
      return { message: `emitted ${args[0]} to 0 subscribers` };
    case 'medusa.runJob':
      if (typeof args[0] !== 'string' || !args[0]) throw new P.ResponseError(P.ErrorCodes.InvalidParams, 'medusa.runJob needs a job name');
      throw new P.ResponseError(P.ErrorCodes.InvalidParams, `no job named ${args[0]}`);
    default:
      throw new P.ResponseError(P.ErrorCodes.MethodNotFound, `unknown command ${p.command}`);
  }
});
conn.onRequest(P.ShutdownRequest.type, async () => {
  shutdown = true;
  await close();
  return null;
});
conn.onNotification(P.ExitNotification.type, () => process.exit(shutdown ? 0 : 1));
conn.onClose(() => process.exit(shutdown ? 0 : 1));
conn.listen();
