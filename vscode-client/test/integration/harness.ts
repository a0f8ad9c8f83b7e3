// Drives medusa-ls over stdio with vscode-jsonrpc (vscode-languageserver-protocol), the way the
// extension's vscode-languageclient does: same binary arguments, working directory, environment
// and initializationOptions (src/launch.ts, src/settings.ts), VS Code-like client capabilities,
// and answers to the server's requests (progress tokens, capability registration, configuration).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  LogMessageNotification,
  ShowMessageNotification,
  ShutdownRequest,
  ExitNotification,
  type MessageConnection,
  type InitializeResult,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { serverLaunch } from '../../src/launch';
import { STATUS_NOTIFICATION, parseStatus, type MedusaStatus, type InitializationOptions } from '../../src/protocol';
import { toInitializationOptions } from '../../src/settings';

export const CLIENT_DIR = path.resolve(__dirname, '../../..');
export const REPO_DIR = path.resolve(CLIENT_DIR, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Copies a project to a temp dir (node_modules is symlinked, not copied). */
export function copyProject(src: string): { dir: string; cleanup: () => void } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'medusa-ls-it-'));
  const dir = path.join(base, path.basename(src));
  fs.cpSync(src, dir, {
    recursive: true,
    filter: (from) => !/(^|[\\/])(node_modules|\.medusa|\.git)([\\/]|$)/.test(path.relative(src, from)),
  });
  if (fs.existsSync(path.join(src, 'node_modules'))) fs.symlinkSync(path.join(src, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir: fs.realpathSync(dir), cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

export interface Event {
  at: number;
  kind: 'status' | 'diagnostics' | 'log' | 'request' | 'exit';
  data: unknown;
}

export class Session {
  readonly events: Event[] = [];
  readonly statuses: MedusaStatus[] = [];
  readonly stderr: string[] = [];
  readonly serverRequests: string[] = [];
  readonly problems: string[] = []; // protocol violations seen (null diagnostics, bad status)
  conn!: MessageConnection;
  child!: ChildProcess;
  init!: InitializeResult;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private waiters = new Set<() => void>();
  private t0 = Date.now();

  constructor(
    readonly binary: string,
    readonly projectDir: string,
    readonly options: InitializationOptions,
  ) {}

  get lastStatus(): MedusaStatus | undefined {
    return this.statuses[this.statuses.length - 1];
  }

  private push(kind: Event['kind'], data: unknown): void {
    this.events.push({ at: Date.now() - this.t0, kind, data });
    for (const w of [...this.waiters]) w();
  }

  start(): void {
    const spec = serverLaunch(this.binary, this.projectDir, process.env);
    // detached: its own process group, so a failing test can kill the server and its children.
    this.child = spawn(spec.command, spec.args, { cwd: spec.options.cwd, env: spec.options.env as NodeJS.ProcessEnv, stdio: 'pipe', detached: true });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => this.stderr.push(d));
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      this.push('exit', { code, signal });
    });
    this.child.on('error', (err) => {
      this.exited = { code: null, signal: null };
      this.stderr.push(`spawn error: ${err.message}`);
      this.push('exit', { error: err.message });
    });
    // A server that exits early makes writes fail with EPIPE: record it, report the exit instead.
    this.child.stdin!.on('error', (err) => this.stderr.push(`(stdin: ${err.message})\n`));
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onError(([err]) => this.stderr.push(`(connection: ${err.message})\n`));
    this.conn.onNotification(STATUS_NOTIFICATION, (raw: unknown) => {
      const s = parseStatus(raw);
      if (!s) this.problems.push(`malformed ${STATUS_NOTIFICATION}: ${JSON.stringify(raw)}`);
      else this.statuses.push(s);
      this.push('status', raw);
    });
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      if (!Array.isArray(p.diagnostics)) this.problems.push(`publishDiagnostics for ${p.uri} with diagnostics=${JSON.stringify(p.diagnostics)} (must be a list)`);
      this.push('diagnostics', p);
    });
    this.conn.onNotification(LogMessageNotification.type, (p) => this.push('log', p.message));
    this.conn.onNotification(ShowMessageNotification.type, (p) => this.push('log', `[showMessage] ${p.message}`));
    this.conn.onNotification(() => undefined);
    this.conn.onRequest((method: string, params: unknown) => {
      this.serverRequests.push(method);
      this.push('request', method);
      switch (method) {
        case 'window/workDoneProgress/create':
        case 'client/registerCapability':
        case 'client/unregisterCapability':
        case 'workspace/codeLens/refresh':
        case 'workspace/diagnostic/refresh':
        case 'window/showMessageRequest':
          return null;
        case 'workspace/configuration': {
          const items = (params as { items?: { section?: string }[] })?.items ?? [];
          return items.map((i) => (i.section === 'medusa' ? this.options : null));
        }
        case 'workspace/workspaceFolders':
          return [{ uri: pathToFileURL(this.projectDir).href, name: path.basename(this.projectDir) }];
        case 'window/showDocument':
          return { success: false };
        default:
          return new Error(`test client: unexpected request ${method}`);
      }
    });
    this.conn.listen();
  }

  async initialize(): Promise<InitializeResult> {
    const rootUri = pathToFileURL(this.projectDir).href;
    this.init = await this.withTimeout(
      this.conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: 'medusa-ls integration test (vscode-jsonrpc)', version: '1' },
        locale: 'en',
        rootPath: this.projectDir,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: path.basename(this.projectDir) }],
        initializationOptions: this.options,
        capabilities: {
          workspace: {
            applyEdit: true,
            configuration: true,
            workspaceFolders: true,
            didChangeConfiguration: { dynamicRegistration: true },
            didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
            executeCommand: { dynamicRegistration: true },
            symbol: { dynamicRegistration: true },
            codeLens: { refreshSupport: true },
          },
          textDocument: {
            synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
            publishDiagnostics: { relatedInformation: true, versionSupport: false, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true, dataSupport: true },
            codeLens: { dynamicRegistration: true },
          },
          window: { workDoneProgress: true, showMessage: {}, showDocument: { support: true } },
          general: { positionEncodings: ['utf-16'] },
        },
        trace: 'off',
      }),
      20_000,
      'initialize',
    );
    this.conn.sendNotification(InitializedNotification.type, {});
    return this.init;
  }

  /** Resolves with the first value `pick` returns (checked now and on every event). */
  waitFor<T>(what: string, pick: () => T | undefined | false, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let v: T | undefined | false;
        try {
          v = pick();
        } catch (e) {
          done();
          reject(e);
          return;
        }
        if (v !== undefined && v !== false) {
          done();
          resolve(v);
        } else if (this.exited) {
          done();
          reject(new Error(`medusa-ls exited (${JSON.stringify(this.exited)}) while waiting for ${what}\n${this.context()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.context()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Index of the next event, for "after this point" waits. */
  mark(): number {
    return this.events.length;
  }

  statusSince(mark: number, pred: (s: MedusaStatus) => boolean): MedusaStatus | undefined {
    for (let i = mark; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.kind !== 'status') continue;
      const s = parseStatus(e.data);
      if (s && pred(s)) return s;
    }
    return undefined;
  }

  diagnosticsSince(mark: number, uri: string, pred: (d: Diagnostic[]) => boolean): Diagnostic[] | undefined {
    for (let i = mark; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.kind !== 'diagnostics') continue;
      const p = e.data as { uri: string; diagnostics: Diagnostic[] };
      if (sameUri(p.uri, uri) && Array.isArray(p.diagnostics) && pred(p.diagnostics)) return p.diagnostics;
    }
    return undefined;
  }

  async withTimeout<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}\n${this.context()}`)), ms);
    });
    const exited = this.waitFor('exit', () => this.exited, ms + 1000).then(() => {
      throw new Error(`medusa-ls exited (${JSON.stringify(this.exited)}) during ${what}\n${this.context()}`);
    });
    exited.catch(() => undefined);
    try {
      return await Promise.race([Promise.resolve(p), timeout, exited]);
    } catch (err) {
      // A write error or a disposed connection usually means the process died: say that.
      if (!this.exited) await new Promise((r) => setTimeout(r, 500));
      if (this.exited && !(err instanceof Error && err.message.startsWith('medusa-ls exited'))) {
        throw new Error(`medusa-ls exited (${JSON.stringify(this.exited)}) during ${what} (${(err as Error).message})\n${this.context()}`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last events and stderr, for failure messages. */
  context(): string {
    const ev = this.events.slice(-12).map((e) => `  +${e.at}ms ${e.kind} ${JSON.stringify(e.data).slice(0, 300)}`);
    const err = this.stderr.join('').split('\n').slice(-15).map((l) => `  | ${l}`);
    return `last events:\n${ev.join('\n') || '  (none)'}\nstderr tail:\n${err.join('\n')}`;
  }

  async shutdown(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) {
      await this.withTimeout(this.conn.sendRequest(ShutdownRequest.type), timeoutMs, 'shutdown');
      this.conn.sendNotification(ExitNotification.type);
    }
    return this.waitFor('process exit after exit notification', () => this.exited, timeoutMs);
  }

  /** Kills the whole process group if anything is left (after failures). */
  kill(): void {
    try {
      if (this.child?.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      this.conn?.dispose();
    } catch {
      /* ignore */
    }
  }
}

export function sameUri(a: string, b: string): boolean {
  const norm = (u: string) => decodeURIComponent(u).replace(/^file:\/\/\/([A-Za-z]):/, (_, d: string) => `file:///${d.toLowerCase()}:`);
  return norm(a) === norm(b);
}

/** The options the extension sends for VS Code's default settings plus a port. */
export function defaultOptions(port: number): InitializationOptions {
  const settings: Record<string, unknown> = {
    'devServer.autoStart': true,
    'devServer.port': port,
    'devServer.host': '127.0.0.1',
    'devServer.env': {},
    hmr: 'auto',
    runtime: 'auto',
  };
  return toInitializationOptions((k) => settings[k]).options;
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
  });
}
