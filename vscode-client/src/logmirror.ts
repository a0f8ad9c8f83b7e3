// medusa-ls writes each log line to stderr *and* sends it as window/logMessage
// (docs/lsp-contract.md). vscode-languageclient copies both into the output channel, so every
// line would show twice, with two timestamps. LogMirror turns the client's lines into
// LogOutputChannel levels and drops a stderr line when the same text came (or comes, within
// `holdMs`) as a logMessage; stderr-only text (a panic, a crash) is kept. Pure: the clock is
// passed in, the caller flushes on a timer.

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type Emit = (level: Level, message: string) => void;

const ANSI_RE = /\x1b\[[0-9;?]*[A-Za-z]/g;
const CLIENT_LINE_RE = /^\[(Info|Warn|Error|Debug|Trace|LSP)\s*- [^\]]*\] ?([\s\S]*)$/;

/** Normalised text used to match a stderr line with a logMessage line. */
export function normaliseLine(line: string): string {
  let s = line.replace(ANSI_RE, '').trim();
  // Leading timestamps: 2026-11-24T23:10:00.123Z, 2026/11/24 23:10:00, 23:10:00.123
  s = s.replace(/^\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s*/, '');
  s = s.replace(/^\d\d:\d\d:\d\d(?:[.,]\d+)?\s*/, '');
  // Level words: INFO, [info], level=info, info:
  s = s.replace(/^(?:\[(?:trace|debug|info|warn|warning|error)\]|(?:trace|debug|info|warn|warning|error):?|level=\w+)\s+/i, '');
  return s.trim();
}

/** A line vscode-languageclient wrote with appendLine ("[Info  - 10:00:00 PM] text"). */
export function parseClientLine(text: string): { level: Level; message: string } {
  const m = CLIENT_LINE_RE.exec(text);
  if (!m) return { level: 'info', message: text };
  const tag = m[1];
  const level: Level = tag === 'Error' ? 'error' : tag === 'Warn' ? 'warn' : tag === 'Debug' ? 'debug' : tag === 'Info' ? 'info' : 'trace';
  return { level, message: m[2] };
}

interface Pending {
  key: string;
  line: string;
  at: number;
}

export class LogMirror {
  private partial = '';
  private pending: Pending[] = [];
  /** Normalised logMessage lines not yet matched by a stderr line, with arrival time. */
  private seen: { key: string; at: number }[] = [];

  constructor(
    private readonly emit: Emit,
    private readonly holdMs = 250,
    private readonly keepMs = 10_000,
  ) {}

  /** A line the language client wrote (logMessage, its own errors, traces). */
  fromClient(text: string, now: number): void {
    const { level, message } = parseClientLine(text);
    this.emit(level, message);
    for (const raw of message.split(/\r?\n/)) {
      const key = normaliseLine(raw);
      if (key === '') continue;
      const i = this.pending.findIndex((p) => p.key === key);
      if (i >= 0) this.pending.splice(i, 1); // its stderr twin arrived first: drop that
      else this.seen.push({ key, at: now });
    }
    this.expire(now);
  }

  /** A raw chunk of the server's stderr. */
  fromStderr(chunk: string, now: number): void {
    const text = this.partial + chunk;
    const lines = text.split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.stderrLine(line, now);
    this.expire(now);
  }

  /** The last few stderr lines, kept whether or not they were shown (for "why did it exit"). */
  readonly recentStderr: string[] = [];

  private stderrLine(line: string, now: number): void {
    const clean = line.replace(ANSI_RE, '').trimEnd();
    if (clean.trim() !== '') {
      this.recentStderr.push(clean);
      if (this.recentStderr.length > 5) this.recentStderr.shift();
    }
    const key = normaliseLine(line);
    if (key === '') return;
    const i = this.seen.findIndex((s) => s.key === key);
    if (i >= 0) {
      this.seen.splice(i, 1); // already shown as a logMessage
      return;
    }
    this.pending.push({ key, line: line.replace(ANSI_RE, '').trimEnd(), at: now });
  }

  /** Emits stderr lines that waited `holdMs` without a logMessage twin. */
  flush(now: number, force = false): void {
    if (force && this.partial.trim() !== '') {
      this.stderrLine(this.partial, now);
      this.partial = '';
    }
    while (this.pending.length && (force || now - this.pending[0].at >= this.holdMs)) {
      const p = this.pending.shift()!;
      this.emit('info', `[stderr] ${p.line}`);
    }
  }

  hasPending(): boolean {
    return this.pending.length > 0 || this.partial !== '';
  }

  private expire(now: number): void {
    while (this.seen.length && now - this.seen[0].at > this.keepMs) this.seen.shift();
  }
}
