// The medusa-ls surface this extension relies on (docs/lsp-contract.md). No `vscode` import:
// this file is shared by the extension, the unit tests and the integration test.

export const CLIENT_ID = 'medusa';
export const CLIENT_NAME = 'Medusa';

/** Custom notification server → client. */
export const STATUS_NOTIFICATION = 'medusa/status';

export type DevServerState = 'starting' | 'ready' | 'reloading' | 'error' | 'restarting' | 'stopped';

export interface LastReload {
  /** Path relative to the project (or absolute). */
  file: string;
  ms: number;
  ok: boolean;
}

/** Params of `medusa/status`. Every field may be missing from a server that is older or newer. */
export interface MedusaStatus {
  state: DevServerState;
  /** Empty when no server is running. */
  url?: string;
  runtime?: 'embedded' | 'node' | string;
  hmr?: boolean;
  lastReload?: LastReload;
  errors?: number;
  message?: string;
  /** The node runtime's Medusa processes: one shared, or a server and its workers. */
  processes?: Process[];
  /** The embedded runtime's development credentials, accepted as Medusa's default checks accept real ones. */
  credentials?: Credentials;
}

/** `medusa/status` `credentials`: a publishable key for /store routes, bearer tokens for /admin and a customer. */
export interface Credentials {
  publishableKey?: string;
  adminToken?: string;
  customerToken?: string;
}

/** One Medusa process of the node runtime (`medusa/status` `processes`). */
export interface Process {
  name: string;
  role: 'shared' | 'server' | 'worker' | string;
  pid?: number;
  state: 'starting' | 'ready' | 'restarting' | 'failed' | string;
  message?: string;
}

/** `initializationOptions` and the `settings.medusa` object of `workspace/didChangeConfiguration`. */
export interface InitializationOptions {
  autoStart?: boolean;
  port?: number;
  host?: string;
  env?: Record<string, string>;
  hmr?: boolean | null;
  runtime?: 'auto' | 'embedded' | 'node';
  /** Node runtime: a server and this many workers over the project's Redis (0: one process). */
  workers?: number;
}

/** Commands the server may advertise in `executeCommandProvider.commands`. */
export const ServerCommand = {
  restart: 'medusa.restart',
  reloadAll: 'medusa.reloadAll',
  stop: 'medusa.stop',
  start: 'medusa.start',
  emitEvent: 'medusa.emitEvent',
  runJob: 'medusa.runJob',
} as const;
export type ServerCommandId = (typeof ServerCommand)[keyof typeof ServerCommand];

/** Commands the extension itself implements (never advertised by the server). */
export const ClientCommand = {
  openUrl: 'medusa.openUrl',
  showOutput: 'medusa.showOutput',
  showMenu: 'medusa.showMenu',
  restartLanguageServer: 'medusa.restartLanguageServer',
  copyPublishableKey: 'medusa.copyPublishableKey',
  copyAdminToken: 'medusa.copyAdminToken',
} as const;

/** Diagnostic codes the server publishes with `source: "medusa"`. */
export const DIAGNOSTIC_CODES = [
  'syntax-error',
  'type-error',
  'load-error',
  'unsupported',
  'runtime-error',
  'config-error',
  'convention',
] as const;

const STATES: readonly string[] = ['starting', 'ready', 'reloading', 'error', 'restarting', 'stopped'];

/** Validates and normalises a `medusa/status` payload; returns undefined for garbage. */
export function parseStatus(raw: unknown): MedusaStatus | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.state !== 'string' || !STATES.includes(r.state)) return undefined;
  const s: MedusaStatus = { state: r.state as DevServerState };
  if (typeof r.url === 'string') s.url = r.url;
  if (typeof r.runtime === 'string') s.runtime = r.runtime;
  if (typeof r.hmr === 'boolean') s.hmr = r.hmr;
  if (typeof r.errors === 'number' && Number.isFinite(r.errors) && r.errors >= 0) s.errors = Math.floor(r.errors);
  if (typeof r.message === 'string' && r.message !== '') s.message = r.message;
  const c = r.credentials as Record<string, unknown> | undefined;
  if (c && typeof c === 'object') {
    const creds: Credentials = {};
    for (const k of ['publishableKey', 'adminToken', 'customerToken'] as const) {
      if (typeof c[k] === 'string' && c[k] !== '') creds[k] = c[k] as string;
    }
    if (Object.keys(creds).length) s.credentials = creds;
  }
  if (Array.isArray(r.processes)) {
    const ps: Process[] = [];
    for (const p of r.processes as unknown[]) {
      if (!p || typeof p !== 'object') continue;
      const q = p as Record<string, unknown>;
      if (typeof q.name !== 'string' || typeof q.role !== 'string' || typeof q.state !== 'string') continue;
      const out: Process = { name: q.name, role: q.role, state: q.state };
      if (typeof q.pid === 'number' && Number.isInteger(q.pid) && q.pid > 0) out.pid = q.pid;
      if (typeof q.message === 'string' && q.message !== '') out.message = q.message;
      ps.push(out);
    }
    if (ps.length) s.processes = ps;
  }
  const lr = r.lastReload as Record<string, unknown> | undefined;
  if (lr && typeof lr === 'object' && typeof lr.file === 'string') {
    s.lastReload = {
      file: lr.file,
      ms: typeof lr.ms === 'number' && Number.isFinite(lr.ms) ? lr.ms : 0,
      ok: lr.ok !== false,
    };
  }
  return s;
}
