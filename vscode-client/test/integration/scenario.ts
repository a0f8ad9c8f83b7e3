// The contract scenario: what the extension relies on, checked against a medusa-ls binary.
// Each step is a node:test subtest; once one fails the rest are skipped (they depend on it).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import { DidOpenTextDocumentNotification, DidSaveTextDocumentNotification, DidChangeConfigurationNotification, ExecuteCommandRequest } from 'vscode-languageserver-protocol/node';
import { advertisedCommands, clashingCommands } from '../../src/commands';
import { didChangeConfigurationParams } from '../../src/settings';
import { DIAGNOSTIC_CODES, ServerCommand } from '../../src/protocol';
import { Session, copyProject, defaultOptions, freePort, isListening } from './harness';

export const ROUTE = 'src/api/store/hello/route.ts';
const BASIC = [ServerCommand.restart, ServerCommand.reloadAll, ServerCommand.stop, ServerCommand.start];

export interface ScenarioOptions {
  binary: string;
  example: string;
  /** ms; the real server must be ready well within this (cold esbuild + goja). */
  readyTimeout?: number;
}

export async function contractScenario(t: TestContext, o: ScenarioOptions): Promise<void> {
  const project = copyProject(o.example);
  const port = await freePort();
  const session = new Session(o.binary, project.dir, defaultOptions(port));
  const readyTimeout = o.readyTimeout ?? 30_000;
  const routeFile = path.join(project.dir, ROUTE);
  const routeUri = pathToFileURL(routeFile).href;
  const original = fs.readFileSync(routeFile, 'utf8');
  let failed = false;
  let brokenLine = -1;

  const step = async (name: string, fn: () => Promise<void>) => {
    await t.test(name, { skip: failed ? 'an earlier step failed' : false }, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  };

  try {
    await step('initialize: capabilities the extension relies on', async () => {
      session.start();
      const init = await session.initialize();
      const caps = init.capabilities;
      const cmds = advertisedCommands(caps);
      for (const c of BASIC) assert.ok(cmds.includes(c), `executeCommandProvider.commands lacks ${c}: ${JSON.stringify(cmds)}`);
      assert.deepEqual(clashingCommands(cmds), [], 'medusa.openUrl etc. are client-side commands');
      const sync = caps.textDocumentSync;
      assert.ok(sync && typeof sync === 'object' && (sync as { save?: unknown }).save, `textDocumentSync must include save: ${JSON.stringify(sync)}`);
      assert.ok((sync as { openClose?: boolean }).openClose, 'textDocumentSync.openClose');
      t.diagnostic(`server: ${JSON.stringify(init.serverInfo)}; commands: ${cmds.join(', ')}`);
    });

    await step(`medusa/status reaches ready on the requested port (${port})`, async () => {
      const s = await session.waitFor('medusa/status ready', () => {
        const last = session.lastStatus;
        if (last && (last.state === 'stopped' || last.state === 'error')) {
          throw new Error(`dev server went ${last.state} before ready: ${JSON.stringify(last)}\n${session.context()}`);
        }
        return last?.state === 'ready' ? last : undefined;
      }, readyTimeout);
      assert.ok(s.url, 'ready status carries the url');
      assert.match(s.url!, new RegExp(`:${port}(/|$)`), `url ${s.url} is on port ${port}`);
      assert.ok(s.runtime === 'embedded' || s.runtime === 'node', `runtime: ${s.runtime}`);
      assert.equal(typeof s.hmr, 'boolean', 'hmr is reported');
      assert.equal(s.errors ?? 0, 0, 'no errors at start');
      assert.ok(session.statuses[0].state === 'starting' || session.statuses[0].state === 'ready', `first state: ${session.statuses[0].state}`);
      const res = await fetch(s.url!);
      t.diagnostic(`GET ${s.url} → ${res.status}; ready after ${session.events.find((e) => e.kind === 'status' && (e.data as { state?: string }).state === 'ready')?.at} ms`);
    });

    await step('a syntax error saved in route.ts becomes a diagnostic and an error count', async () => {
      session.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: routeUri, languageId: 'typescript', version: 1, text: original } });
      const broken = original.replace(/\s*$/, '\n') + 'export const broken = ;\n';
      brokenLine = broken.split('\n').length - 2;
      fs.writeFileSync(routeFile, broken);
      const m = session.mark();
      session.conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: routeUri } });
      const diags = await session.waitFor('diagnostics for route.ts', () => session.diagnosticsSince(m, routeUri, (d) => d.length > 0), 15_000);
      const d = diags[0];
      assert.equal(d.severity, 1, 'severity Error');
      assert.match(String(d.source), /^medusa/, 'source is medusa');
      assert.ok((DIAGNOSTIC_CODES as readonly string[]).includes(String(d.code)), `code ${d.code} is one of the contract's`);
      assert.equal(d.code, 'syntax-error');
      assert.equal(d.range.start.line, brokenLine, `on the broken line (${brokenLine}), got ${JSON.stringify(d.range)}`);
      const s = await session.waitFor('status with errors', () => session.statusSince(m, (x) => (x.errors ?? 0) > 0), 10_000);
      assert.ok(s.state === 'error' || s.state === 'ready', `state ${s.state}`);
      t.diagnostic(`diagnostic: ${d.source}(${d.code}) ${d.message} @${d.range.start.line}:${d.range.start.character}; status ${JSON.stringify(s)}`);
    });

    await step('fixing it clears the diagnostic (empty list) and the status', async () => {
      fs.writeFileSync(routeFile, original);
      const m = session.mark();
      session.conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: routeUri } });
      await session.waitFor('empty diagnostics for route.ts', () => session.diagnosticsSince(m, routeUri, (d) => d.length === 0), 15_000);
      const s = await session.waitFor('status ready with 0 errors', () => session.statusSince(m, (x) => x.state === 'ready' && (x.errors ?? 0) === 0), 10_000);
      assert.ok(s.lastReload, 'lastReload after a reload');
      assert.equal(s.lastReload!.ok, true);
      assert.match(s.lastReload!.file, /route\.ts$/);
      assert.ok(s.lastReload!.ms >= 0);
      t.diagnostic(`recovered: ${JSON.stringify(s.lastReload)}`);
    });

    await step('commands: reloadAll, stop (port closed), start, restart', async () => {
      const exec = (command: string, args: unknown[] = []) =>
        session.withTimeout(session.conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }), 20_000, command);

      let m = session.mark();
      await exec(ServerCommand.reloadAll);
      await session.waitFor('ready after reloadAll', () => session.statusSince(m, (x) => x.state === 'ready') ?? (session.lastStatus?.state === 'ready' ? session.lastStatus : undefined), 15_000);

      m = session.mark();
      await exec(ServerCommand.stop);
      const stopped = await session.waitFor('stopped', () => session.statusSince(m, (x) => x.state === 'stopped'), 15_000);
      assert.equal(stopped.url ?? '', '', 'no url while stopped');
      assert.equal(await isListening(port), false, `port ${port} is closed after stop`);

      m = session.mark();
      await exec(ServerCommand.start);
      await session.waitFor('ready after start', () => session.statusSince(m, (x) => x.state === 'ready'), readyTimeout);
      assert.equal(await isListening(port), true, `port ${port} serves again after start`);

      m = session.mark();
      await exec(ServerCommand.restart);
      await session.waitFor('ready after restart', () => session.statusSince(m, (x) => x.state === 'ready'), readyTimeout);
      const seen = session.events.slice(m).filter((e) => e.kind === 'status').map((e) => (e.data as { state: string }).state);
      assert.ok(seen.includes('restarting') || seen.includes('starting'), `restart went through restarting/starting: ${seen.join(' → ')}`);
    });

    await step('commands: emitEvent when advertised; unknown commands are JSON-RPC errors', async () => {
      const cmds = advertisedCommands(session.init.capabilities);
      if (cmds.includes(ServerCommand.emitEvent)) {
        await session.withTimeout(
          session.conn.sendRequest(ExecuteCommandRequest.type, { command: ServerCommand.emitEvent, arguments: ['medusa-ls.integration-test', { ok: true }] }),
          10_000,
          'emitEvent',
        );
      } else {
        t.diagnostic('medusa.emitEvent not advertised: skipped');
      }
      await assert.rejects(
        session.withTimeout(session.conn.sendRequest(ExecuteCommandRequest.type, { command: 'medusa.noSuchCommand', arguments: [] }), 10_000, 'unknown command'),
        (e: { code?: number; message?: string }) => typeof e.code === 'number' && typeof e.message === 'string' && e.message.length > 0,
      );
    });

    await step('didChangeConfiguration with a new port moves the dev server', async () => {
      const port2 = await freePort();
      const m = session.mark();
      session.conn.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams({ ...defaultOptions(port2) }));
      const s = await session.waitFor(`ready on :${port2}`, () => session.statusSince(m, (x) => x.state === 'ready' && new RegExp(`:${port2}(/|$)`).test(x.url ?? '')), readyTimeout);
      assert.equal(await isListening(port2), true);
      t.diagnostic(`moved to ${s.url}`);
    });

    await step('shutdown + exit: exit code 0, no dev server left behind', async () => {
      const last = session.lastStatus?.url;
      const exit = await session.shutdown();
      assert.equal(exit.code, 0, `exit code ${JSON.stringify(exit)}`);
      if (last) {
        const p = Number(new URL(last).port);
        assert.equal(await isListening(p), false, `${last} still answers after exit`);
      }
    });

    await t.test('protocol hygiene: diagnostics never null, status always well-formed', () => {
      assert.deepEqual(session.problems, []);
    });
  } finally {
    session.kill();
    project.cleanup();
  }
}
