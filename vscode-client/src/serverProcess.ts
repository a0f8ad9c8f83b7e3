// The medusa-ls process the language client talks to. The extension spawns it itself (a
// ServerOptions function) instead of handing vscode-languageclient an Executable, so it holds the
// ChildProcess and can wait for the events it needs: the process closing (exited, and its stderr
// read to the end) before quoting its last words, and the process exiting after a stop. Each wait
// is bounded and says what did not happen. No `vscode` import: unit-tested under plain node.
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import type { LaunchSpec } from './launch';

/** How the process ended. `code` is a negative errno when it never started (Node's 'close'). */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The spawn error, when the process never started. */
  error?: Error;
}

/** A bounded wait that ran out: `what` did not happen within `ms`. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not happen within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** `p`, or a TimeoutError after `ms`; the timer never outlives the wait. */
export async function withTimeout<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The part of a ChildProcess that whenClosed listens to (an EventEmitter in the tests). */
export interface ClosingProcess {
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  readonly pid?: number;
}

/**
 * Resolves when the process has closed: it exited and its stdio streams ended, so every stderr
 * chunk has been delivered to its 'data' listeners. A process that never started resolves on
 * its spawn 'error'.
 */
export function whenClosed(child: ClosingProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, error });
    });
  });
}

/** "code 1", "signal SIGKILL", "spawn … ENOENT". */
export function describeExit(exit: ExitInfo): string {
  if (exit.error) return exit.error.message;
  if (exit.signal) return `signal ${exit.signal}`;
  return `code ${exit.code}`;
}

export class ServerProcess {
  /** Set once the process has closed. */
  exit: ExitInfo | undefined;
  readonly closed: Promise<ExitInfo>;

  constructor(readonly child: ChildProcess) {
    this.closed = whenClosed(child).then((e) => (this.exit = e));
  }

  /** Resolves when the process has closed; a TimeoutError after `ms` if it has not. */
  waitForExit(ms: number): Promise<ExitInfo> {
    return withTimeout(this.closed, ms, `medusa-ls (pid ${this.child.pid}) exiting`);
  }

  /**
   * Waits up to `ms` for the process to exit on its own (after shutdown/exit, or after it failed);
   * kills it when it does not. Returns how it ended, or undefined when it had to be killed.
   */
  async exitOrKill(ms: number): Promise<ExitInfo | undefined> {
    try {
      return await this.waitForExit(ms);
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      this.child.kill();
      return undefined;
    }
  }
}

export type SpawnFn = (command: string, args: readonly string[], options: LaunchSpec['options']) => ChildProcess;

/**
 * Spawns medusa-ls as vscode-languageclient's Executable would (same command, arguments and
 * options), and resolves once it runs. A process that cannot start (missing, not executable,
 * wrong architecture) rejects with the spawn error, in the words vscode-languageclient uses.
 */
export function spawnServer(launch: LaunchSpec, spawn: SpawnFn = nodeSpawn): Promise<ServerProcess> {
  const child = spawn(launch.command, launch.args, launch.options);
  const proc = new ServerProcess(child);
  if (child.pid !== undefined) return Promise.resolve(proc);
  // No pid: Node emits the spawn error (and then 'close') on the next tick.
  return proc.closed.then((exit) => {
    throw new Error(`Launching server using command ${launch.command} failed. ${exit.error ?? describeExit(exit)}`);
  });
}
