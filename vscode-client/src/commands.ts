// Which commands to offer, and the input checks for Emit Event / Run Job. Pure.
import { ClientCommand, ServerCommand, type MedusaStatus } from './protocol';
import type { ClientPhase } from './status';

/** `executeCommandProvider.commands` from an initialize result (tolerates anything). */
export function advertisedCommands(capabilities: unknown): string[] {
  const c = capabilities as { executeCommandProvider?: { commands?: unknown } } | undefined;
  const list = c?.executeCommandProvider?.commands;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Context keys for `when` clauses in package.json `menus.commandPalette`:
 * `medusa.cmd.<name>` is true when the server advertises `medusa.<name>`.
 */
export function commandContextKeys(advertised: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, id] of Object.entries(ServerCommand)) out[`medusa.cmd.${name}`] = advertised.includes(id);
  return out;
}

/** What the extension knows about one project's language server (a session). */
export interface ProjectState {
  phase: ClientPhase;
  status?: MedusaStatus;
  advertised: readonly string[];
}

/**
 * Every context key the extension sets. `medusa.devServer` is the state of the project commands
 * act on (`target`: the active editor's, else the one the status bar shows); the others hold when
 * any project has it, so that a command is offered while some project can run it (the command
 * then asks which, when that is not clear). With one project, both are that project.
 */
export function contextKeys(target: ProjectState | undefined, all: readonly ProjectState[]): Record<string, boolean | string> {
  const running = all.filter((p) => p.phase === 'running');
  return {
    'medusa.devServer': target?.phase === 'running' ? (target.status?.state ?? 'starting') : 'none',
    'medusa.hasUrl': running.some((p) => !!p.status?.url),
    'medusa.hasCredentials': running.some((p) => !!p.status?.credentials?.publishableKey),
    ...commandContextKeys(all.flatMap((p) => p.advertised)),
  };
}

/**
 * Whether a project can run `command` now (a ServerCommand or ClientCommand id): with several
 * projects and none in the active editor, the ones that can are offered (project.chooseProject).
 */
export function canRunOn({ phase, status, advertised }: ProjectState, command: string): boolean {
  switch (command) {
    case ClientCommand.openUrl:
      return phase === 'running' && !!status?.url;
    case ClientCommand.copyPublishableKey:
      return phase === 'running' && !!status?.credentials?.publishableKey;
    case ClientCommand.copyAdminToken:
      return phase === 'running' && !!status?.credentials?.adminToken;
    case ClientCommand.restartLanguageServer:
      return true;
    default:
      return phase === 'running' && advertised.includes(command);
  }
}

const TITLES: Record<string, string> = {
  [ServerCommand.restart]: 'Restart Dev Server',
  [ServerCommand.reloadAll]: 'Reload All',
  [ServerCommand.stop]: 'Stop Dev Server',
  [ServerCommand.start]: 'Start Dev Server',
  [ServerCommand.emitEvent]: 'Emit Event',
  [ServerCommand.runJob]: 'Run Job',
  [ClientCommand.openUrl]: 'Open Server URL',
  [ClientCommand.copyPublishableKey]: 'Copy Publishable API Key',
  [ClientCommand.copyAdminToken]: 'Copy Admin Token',
  [ClientCommand.restartLanguageServer]: 'Restart Language Server',
};

/** "Restart Dev Server" for medusa.restart (the palette title); the id itself when unknown. */
export function commandTitle(command: string): string {
  return TITLES[command] ?? command;
}

/** Advertised commands that this extension also implements itself: they would clash. */
export function clashingCommands(advertised: readonly string[]): string[] {
  const own: string[] = Object.values(ClientCommand);
  return advertised.filter((c) => own.includes(c));
}

export interface MenuItem {
  label: string;
  description?: string;
  command: string;
  args?: unknown[];
}

export interface MenuInput {
  phase: ClientPhase;
  status?: MedusaStatus;
  advertised: readonly string[];
  /** How many other Medusa projects the workspace has (the menu then offers to switch). */
  otherProjects?: number;
}

/** The menu item that switches the status bar (and the menu) to another project. Not a VS Code command. */
export const SWITCH_PROJECT = 'medusa:switchProject';

/** The status-bar click menu. */
export function statusMenuItems({ phase, status, advertised, otherProjects = 0 }: MenuInput): MenuItem[] {
  const items: MenuItem[] = [];
  const has = (id: string) => phase === 'running' && advertised.includes(id);
  const state = status?.state;

  if (phase === 'untrusted') {
    items.push({ label: '$(shield) Manage Workspace Trust…', description: 'the dev server starts once the folder is trusted', command: 'workbench.trust.manage' });
  }
  if (has(ServerCommand.restart)) items.push({ label: '$(debug-restart) Restart Dev Server', command: ServerCommand.restart });
  if (has(ServerCommand.reloadAll) && state !== 'stopped') items.push({ label: '$(refresh) Reload All', command: ServerCommand.reloadAll });
  if (state === 'stopped') {
    if (has(ServerCommand.start)) items.push({ label: '$(play) Start Dev Server', command: ServerCommand.start });
  } else if (has(ServerCommand.stop)) {
    items.push({ label: '$(debug-stop) Stop Dev Server', command: ServerCommand.stop });
  }
  if (phase === 'running' && status?.url) {
    items.push({ label: '$(globe) Open Server URL', description: status.url, command: ClientCommand.openUrl });
  }
  if (phase === 'running' && status?.credentials?.publishableKey) {
    items.push({ label: '$(key) Copy Publishable API Key', description: 'x-publishable-api-key, for /store routes', command: ClientCommand.copyPublishableKey });
  }
  if (phase === 'running' && status?.credentials?.adminToken) {
    items.push({ label: '$(key) Copy Admin Token', description: 'authorization: Bearer …, for /admin routes', command: ClientCommand.copyAdminToken });
  }
  if (has(ServerCommand.emitEvent)) items.push({ label: '$(broadcast) Emit Event…', command: ServerCommand.emitEvent });
  if (has(ServerCommand.runJob)) items.push({ label: '$(run) Run Job…', command: ServerCommand.runJob });
  items.push({ label: '$(output) Show Output', command: ClientCommand.showOutput });
  if (phase !== 'untrusted' && phase !== 'no-project') {
    items.push({ label: '$(debug-restart) Restart Language Server', description: 'medusa-ls itself', command: ClientCommand.restartLanguageServer });
  }
  if (phase === 'not-found' || phase === 'failed') {
    items.push({ label: '$(gear) Set medusa.server.path…', command: 'workbench.action.openSettings', args: ['medusa.server.path'] });
  }
  if (otherProjects > 0) {
    items.push({ label: '$(folder-library) Switch Project…', description: `${otherProjects + 1} Medusa projects in this workspace`, command: SWITCH_PROJECT });
  }
  return items;
}

// ---- Emit Event ------------------------------------------------------------------------------

const EVENT_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:\-/]*$/;

/** undefined when valid, else the message shown under the input box. */
export function validateEventName(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Enter an event name, e.g. product.created';
  if (/\s/.test(v)) return 'Event names have no spaces, e.g. product.created';
  if (v.includes('*')) return '"*" is for subscribing to every event; emit a concrete event name';
  if (!EVENT_NAME_RE.test(v)) return 'Use letters, digits and . _ - : /, e.g. product.created';
  return undefined;
}

export type ParsedData = { ok: true; value?: Record<string, unknown> } | { ok: false; error: string };

/** Event data: empty = none; else a JSON object. */
export function parseEventData(text: string): ParsedData {
  const t = text.trim();
  if (t === '') return { ok: true };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { ok: false, error: 'Event data must be a JSON object, e.g. {"id": "prod_123"}' };
  }
  return { ok: true, value: v as Record<string, unknown> };
}

/** Arguments of `medusa.emitEvent`: `[name, data?]`. */
export function emitEventArgs(name: string, data?: Record<string, unknown>): unknown[] {
  return data === undefined ? [name.trim()] : [name.trim(), data];
}

/** True when a server command was invoked without its arguments (from the palette or menu). */
export function needsPrompt(command: string, args: readonly unknown[]): boolean {
  if (command === ServerCommand.emitEvent || command === ServerCommand.runJob) {
    return args.length === 0 || typeof args[0] !== 'string' || args[0] === '';
  }
  return false;
}

// ---- Run Job ---------------------------------------------------------------------------------

export interface SymbolLike {
  name: string;
  kind?: number;
  containerName?: string;
  location?: { uri?: string | { toString(): string } };
}

/**
 * Job names from `workspace/symbol` results: symbols whose file is under `src/jobs/` or whose
 * container says "job". A "job " / "job: " prefix on the name is dropped.
 */
export function jobNamesFromSymbols(symbols: readonly SymbolLike[] | null | undefined): string[] {
  const names = new Set<string>();
  for (const s of symbols ?? []) {
    if (!s || typeof s.name !== 'string') continue;
    const uri = s.location?.uri === undefined ? '' : String(s.location.uri);
    const container = (s.containerName ?? '').toLowerCase();
    const inJobs = /[\\/]src[\\/]jobs[\\/]/.test(decodeURIComponent(uri));
    if (!inJobs && container !== 'job' && container !== 'jobs') continue;
    const name = s.name.replace(/^job:?\s+/i, '').replace(/\s*\(.*\)$/, '').trim();
    if (name) names.add(name);
  }
  return [...names].sort();
}

export function validateJobName(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Enter the job name (its config.name)';
  if (/\s/.test(v)) return 'Job names have no spaces';
  return undefined;
}

/** A command's result shown to the user, if it is worth showing. */
export function describeCommandResult(result: unknown): string | undefined {
  if (typeof result === 'string' && result.trim() !== '') return result.trim();
  if (result && typeof result === 'object') {
    const m = (result as { message?: unknown }).message;
    if (typeof m === 'string' && m.trim() !== '') return m.trim();
  }
  return undefined;
}
