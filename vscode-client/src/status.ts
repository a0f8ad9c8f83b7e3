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
  const footer = '\n\n_Click for Medusa actions._';
  switch (view.phase) {
    case 'untrusted':
      return {
        text: '$(shield) Medusa: restricted',
        tooltip:
          '**Medusa: Restricted Mode**\n\nThe dev server is not started in an untrusted workspace, because it runs ' +
          "this project's code (medusa-config, routes, subscribers, jobs). Trust the folder to start it." +
          '\n\n_Click to manage workspace trust._',
        severity: 'warning',
        click: 'trust',
      };
    case 'no-project':
      return {
        text: '$(circle-slash) Medusa',
        tooltip: '**Medusa**\n\nNo `medusa-config.{ts,js,mjs,cjs}` in this workspace (at the root, one folder down, or in `apps/*` or `packages/*`).' + footer,
        severity: 'normal',
        click: 'menu',
      };
    case 'not-found':
      return {
        text: '$(error) Medusa: medusa-ls not found',
        tooltip: `**Medusa: medusa-ls not found**\n\n${escapeMarkdown(view.detail ?? '')}${footer}`,
        severity: 'error',
        click: 'menu',
      };
    case 'failed':
      return {
        text: '$(error) Medusa: failed to start',
        tooltip: `**Medusa: medusa-ls could not start**\n\n${escapeMarkdown(view.detail ?? '')}${footer}`,
        severity: 'error',
        click: 'menu',
      };
    case 'stopped':
      return {
        text: '$(circle-slash) Medusa: language server stopped',
        tooltip: `**Medusa: medusa-ls is not running**${view.detail ? `\n\n${escapeMarkdown(view.detail)}` : ''}${footer}`,
        severity: 'warning',
        click: 'menu',
      };
    case 'starting':
      return { text: `${SPIN} Medusa: starting`, tooltip: `**Medusa: starting medusa-ls**${footer}`, severity: 'normal', click: 'menu' };
    case 'running':
      return renderServerStatus(view.status, view.showLastReload === true, footer);
  }
}

function renderServerStatus(s: MedusaStatus | undefined, showLastReload: boolean, footer: string): RenderedStatus {
  if (!s) return { text: `${SPIN} Medusa: starting`, tooltip: `**Medusa: starting**${footer}`, severity: 'normal', click: 'menu' };
  const errors = s.errors ?? 0;
  const port = portLabel(s.url);
  let text: string;
  let headline: string;
  let severity: Severity = 'normal';

  switch (s.state) {
    case 'starting':
      text = `${SPIN} Medusa: starting`;
      headline = 'starting';
      break;
    case 'reloading':
      text = `${SPIN} Medusa: reloading`;
      headline = 'reloading';
      break;
    case 'restarting':
      text = `${SPIN} Medusa: restarting`;
      headline = 'restarting';
      break;
    case 'stopped':
      text = '$(debug-stop) Medusa: stopped';
      headline = 'stopped';
      severity = 'warning';
      break;
    case 'error': {
      const n = Math.max(errors, 1);
      text = errors > 0 || !s.message ? `$(error) Medusa: ${plural(n, 'error')}` : '$(error) Medusa: error';
      headline = 'error';
      severity = 'error';
      break;
    }
    case 'ready':
    default:
      headline = port ? `ready on ${port}` : 'ready';
      if (errors > 0) {
        text = `$(error) Medusa: ${plural(errors, 'error')}`;
        severity = 'error';
      } else if (showLastReload && s.lastReload) {
        text = s.lastReload.ok
          ? `$(check) Medusa: reloaded ${basename(s.lastReload.file)} in ${formatMs(s.lastReload.ms)}`
          : `$(warning) Medusa: reload of ${basename(s.lastReload.file)} failed`;
        if (!s.lastReload.ok) severity = 'warning';
      } else {
        text = `$(check) Medusa: ${headline}`;
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
  return { text, tooltip: lines.join('\n\n') + footer, severity, click: 'menu' };
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
