// The "Medusa" LogOutputChannel, and the OutputChannel that vscode-languageclient writes to: it
// turns the client's "[Info - time] text" lines into log levels and de-duplicates the server's
// stderr against its window/logMessage lines (see logmirror.ts).
import * as vscode from 'vscode';
import { LogMirror } from './logmirror';

export class ClientOutput implements vscode.OutputChannel {
  readonly name: string;
  private readonly mirror: LogMirror;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.name = log.name;
    this.mirror = new LogMirror((level, message) => {
      switch (level) {
        case 'error': log.error(message); break;
        case 'warn': log.warn(message); break;
        case 'debug': log.debug(message); break;
        case 'trace': log.trace(message); break;
        default: log.info(message);
      }
    });
  }

  /** vscode-languageclient uses append() only for the server's stderr. */
  append(value: string): void {
    this.mirror.fromStderr(value, Date.now());
    this.schedule();
  }

  appendLine(value: string): void {
    this.mirror.fromClient(value, Date.now());
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || !this.mirror.hasPending()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.mirror.flush(Date.now());
      this.schedule();
    }, 300);
  }

  /** Writes out whatever stderr is still held back (e.g. the server just crashed). */
  flush(): void {
    this.mirror.flush(Date.now(), true);
  }

  /** The server's last stderr lines (e.g. why it exited), joined; '' when none. */
  stderrTail(): string {
    this.mirror.flush(Date.now(), true);
    return this.mirror.recentStderr.join('\n');
  }

  replace(value: string): void { this.log.replace(value); }
  clear(): void { this.log.clear(); }
  show(columnOrPreserve?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserve === 'boolean') this.log.show(columnOrPreserve);
    else this.log.show(preserveFocus);
  }
  hide(): void { this.log.hide(); }
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.flush();
  }
}

/**
 * One project's view of the shared "Medusa" channel: every line it writes starts with
 * `prefix()`, which is "[store] " while the workspace has several projects and "" with one. Not
 * disposable: the channel belongs to the extension.
 */
export class ProjectLog implements vscode.LogOutputChannel {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly prefix: () => string,
  ) {}

  get name(): string { return this.log.name; }
  get logLevel(): vscode.LogLevel { return this.log.logLevel; }
  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> { return this.log.onDidChangeLogLevel; }

  trace(message: string, ...args: unknown[]): void { this.log.trace(this.prefix() + message, ...args); }
  debug(message: string, ...args: unknown[]): void { this.log.debug(this.prefix() + message, ...args); }
  info(message: string, ...args: unknown[]): void { this.log.info(this.prefix() + message, ...args); }
  warn(message: string, ...args: unknown[]): void { this.log.warn(this.prefix() + message, ...args); }
  error(error: string | Error, ...args: unknown[]): void {
    const p = this.prefix();
    this.log.error(typeof error === 'string' ? p + error : p ? `${p}${error.message}` : error, ...args);
  }
  append(value: string): void { this.log.append(value); }
  appendLine(value: string): void { this.log.appendLine(this.prefix() + value); }
  replace(value: string): void { this.log.replace(value); }
  clear(): void { this.log.clear(); }
  show(columnOrPreserve?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserve === 'boolean') this.log.show(columnOrPreserve);
    else this.log.show(preserveFocus);
  }
  hide(): void { this.log.hide(); }
  dispose(): void { /* the shared channel outlives a project */ }
}
