// medusa/status (+ the client's own state) → status-bar text and tooltip. Pure.
import type { MedusaStatus } from './protocol';

/** The extension's own view of the language server. */
export type ClientPhase =
  | 'untrusted' //  Restricted Mode: nothing is started
  | 'no-project' // no medusa-config found (activated by a command)
  | 'not-found' //  no usable medusa-ls binary
  | 'failed' //     the binary was found but the client could not start
  | 'starting' //   language client starting, no medusa/status yet
  | 'running' //    language client running; `status` is the server's word
  | 'stopped'; //   the language server exited (crash or stop)

export interface StatusView {
  phase: ClientPhase;
  status?: MedusaStatus;
  /** Show "reloaded X in N ms" instead of "ready on :port" (the caller times it out). */
  showLastReload?: boolean;
  /** Reason for not-found / failed / stopped. */
  detail?: string;
  /** With several projects: the label of the project this view is about (shown in the text). */
  project?: string;
  /** With several projects: the others, one line each in the tooltip (`text` without icons). */
  others?: readonly { label: string; text: string }[];
}

export type Severity = 'normal' | 'warning' | 'error';
/** What a click does: the actions menu, or Manage Workspace Trust. */
export type ClickAction = 'menu' | 'trust';

export interface RenderedStatus {
  text: string;
  /** Markdown. */
  tooltip: string;
  severity: Severity;
  click: ClickAction;
}

const SPIN = '$(sync~spin)';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function basename(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

/** ":9000" from "http://127.0.0.1:9000"; "" when unknown. */
export function portLabel(url: string | undefined): string {
  if (!url) return '';
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return port ? `:${port}` : '';
  } catch {
    return '';
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}

export function renderStatus(view: StatusView): RenderedStatus {
  const who = view.project ? `Medusa (${view.project})` : 'Medusa';
  const r = renderPhase(view, who);
  const footer = r.click === 'trust' ? '\n\n_Click to manage workspace trust._' : '\n\n_Click for Medusa actions._';
  let tooltip = r.tooltip;
  if (view.project) tooltip = `Project: ${escapeMarkdown(view.project)}\n\n${tooltip}`;
  if (view.others?.length) {
    tooltip += `\n\nOther Medusa projects:  \n${view.others.map((o) => `${escapeMarkdown(o.label)}: ${escapeMarkdown(o.text)}`).join('  \n')}`;
  }
  return { ...r, tooltip: tooltip + footer };
}

/** The status without its footer. `who` is "Medusa", or "Medusa (project)" with several. */
function renderPhase(view: StatusView, who: string): RenderedStatus {
  switch (view.phase) {
    case 'untrusted':
      return {
        text: `$(shield) ${who}: restricted`,
        tooltip:
          '**Medusa: Restricted Mode**\n\nThe dev server is not started in an untrusted workspace, because it runs ' +
          "this project's code (medusa-config, routes, subscribers, jobs). Trust the folder to start it.",
        severity: 'warning',
        click: 'trust',
      };
    case 'no-project':
      return {
        text: `$(circle-slash) ${who}`,
        tooltip: '**Medusa**\n\nNo `medusa-config.{ts,js,mjs,cjs}` in this workspace (at the root, one folder down, or in `apps/*` or `packages/*`).',
        severity: 'normal',
        click: 'menu',
      };
    case 'not-found':
      return {
        text: `$(error) ${who}: medusa-ls not found`,
        tooltip: `**Medusa: medusa-ls not found**\n\n${escapeMarkdown(view.detail ?? '')}`,
        severity: 'error',
        click: 'menu',
      };
    case 'failed':
      return {
        text: `$(error) ${who}: failed to start`,
        tooltip: `**Medusa: medusa-ls could not start**\n\n${escapeMarkdown(view.detail ?? '')}`,
        severity: 'error',
        click: 'menu',
      };
    case 'stopped':
      return {
        text: `$(circle-slash) ${who}: language server stopped`,
        tooltip: `**Medusa: medusa-ls is not running**${view.detail ? `\n\n${escapeMarkdown(view.detail)}` : ''}`,
        severity: 'warning',
        click: 'menu',
      };
    case 'starting':
      return { text: `${SPIN} ${who}: starting`, tooltip: '**Medusa: starting medusa-ls**', severity: 'normal', click: 'menu' };
    case 'running':
      return renderServerStatus(view.status, view.showLastReload === true, who);
  }
}

function renderServerStatus(s: MedusaStatus | undefined, showLastReload: boolean, who: string): RenderedStatus {
  if (!s) return { text: `${SPIN} ${who}: starting`, tooltip: '**Medusa: starting**', severity: 'normal', click: 'menu' };
  const errors = s.errors ?? 0;
  const port = portLabel(s.url);
  let text: string;
  let headline: string;
  let severity: Severity = 'normal';

  switch (s.state) {
    case 'starting':
      text = `${SPIN} ${who}: starting`;
      headline = 'starting';
      break;
    case 'reloading':
      text = `${SPIN} ${who}: reloading`;
      headline = 'reloading';
      break;
    case 'restarting':
      text = `${SPIN} ${who}: restarting`;
      headline = 'restarting';
      break;
    case 'stopped':
      text = `$(debug-stop) ${who}: stopped`;
      headline = 'stopped';
      severity = 'warning';
      break;
    case 'error': {
      const n = Math.max(errors, 1);
      text = errors > 0 || !s.message ? `$(error) ${who}: ${plural(n, 'error')}` : `$(error) ${who}: error`;
      headline = 'error';
      severity = 'error';
      break;
    }
    case 'ready':
    default:
      headline = port ? `ready on ${port}` : 'ready';
      if (errors > 0) {
        text = `$(error) ${who}: ${plural(errors, 'error')}`;
        severity = 'error';
      } else if (showLastReload && s.lastReload) {
        text = s.lastReload.ok
          ? `$(check) ${who}: reloaded ${basename(s.lastReload.file)} in ${formatMs(s.lastReload.ms)}`
          : `$(warning) ${who}: reload of ${basename(s.lastReload.file)} failed`;
        if (!s.lastReload.ok) severity = 'warning';
      } else {
        text = `$(check) ${who}: ${headline}`;
      }
      break;
  }

  const lines: string[] = [`**Medusa dev server: ${escapeMarkdown(headline)}**`];
  if (s.url) lines.push(`URL: ${s.url}`);
  const facts: string[] = [];
  if (s.runtime) facts.push(`runtime ${escapeMarkdown(s.runtime)}`);
  if (s.hmr !== undefined) facts.push(`HMR ${s.hmr ? 'on' : 'off'}`);
  if (facts.length) lines.push(facts.join(' · '));
  if (s.processes && (s.processes.length > 1 || s.processes[0].role !== 'shared')) {
    // the production topology: each process with its role, pid and state
    lines.push(
      s.processes
        .map((p) => `${escapeMarkdown(p.name)}${p.pid ? ` (pid ${p.pid})` : ''}: ${escapeMarkdown(p.state)}${p.message ? ` — ${escapeMarkdown(p.message)}` : ''}`)
        .join('  \n'),
    );
  }
  if (s.lastReload) {
    lines.push(
      `Last reload: ${escapeMarkdown(s.lastReload.file)} ${s.lastReload.ok ? `in ${formatMs(s.lastReload.ms)}` : 'failed'}`,
    );
  }
  if (errors > 0) {
    lines.push(
      `${plural(errors, 'error')} (see Problems)` + (s.state !== 'error' && s.url ? '; the last good code keeps serving' : ''),
    );
  }
  if (s.message) lines.push(escapeMarkdown(s.message));
  return { text, tooltip: lines.join('\n\n'), severity, click: 'menu' };
}

/** The status-bar text without icon and name ("ready on :9000"), for lists of projects. */
export function statusSummary(view: StatusView): string {
  const { phase, status, showLastReload, detail } = view;
  const text = renderStatus({ phase, status, showLastReload, detail }).text;
  return text.replace(/^\$\([^)]*\)\s*/, '').replace(/^Medusa:?\s*/, '') || (phase === 'no-project' ? 'no project' : phase);
}

/**
 * When to show "reloaded X in N ms": a status carrying a lastReload that is new compared with
 * the previous status (or that follows a `reloading` state).
 */
export function isNewReload(prev: MedusaStatus | undefined, next: MedusaStatus): boolean {
  if (!next.lastReload) return false;
  if (!prev) return false; // first status after (re)connecting: not a fresh reload
  if (prev.state === 'reloading' || prev.state === 'restarting') return true;
  const a = prev.lastReload;
  const b = next.lastReload;
  return !a || a.file !== b.file || a.ms !== b.ms || a.ok !== b.ok;
}
