// Settings (`medusa.*`) → initializationOptions / didChangeConfiguration payload.
import type { InitializationOptions } from './protocol';

/** Reads a key relative to the `medusa` section, e.g. `devServer.port`. */
export type SettingsReader = (key: string) => unknown;

export interface MappedSettings {
  options: InitializationOptions;
  /** Human-readable problems with values that were ignored. */
  warnings: string[];
}

const RUNTIMES = ['auto', 'embedded', 'node'] as const;
const ENV_KEY_RE = /^[^=\0]+$/;

export function toInitializationOptions(read: SettingsReader): MappedSettings {
  const warnings: string[] = [];
  const options: InitializationOptions = {};

  const autoStart = read('devServer.autoStart');
  if (typeof autoStart === 'boolean') options.autoStart = autoStart;
  else {
    if (autoStart !== undefined && autoStart !== null) warnings.push(`medusa.devServer.autoStart must be true or false; using true`);
    options.autoStart = true;
  }

  const port = read('devServer.port');
  if (port !== undefined && port !== null && port !== '') {
    const n = typeof port === 'string' && /^\s*\d+\s*$/.test(port) ? Number(port) : port;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535) options.port = n;
    else warnings.push(`medusa.devServer.port must be a whole number from 1 to 65535 (got ${JSON.stringify(port)}); using the project's port`);
  }

  const host = read('devServer.host');
  if (typeof host === 'string') {
    if (host.trim() !== '') options.host = host.trim();
  } else if (host !== undefined && host !== null) {
    warnings.push(`medusa.devServer.host must be a string; using 127.0.0.1`);
  }

  const env = read('devServer.env');
  const outEnv: Record<string, string> = {};
  if (env && typeof env === 'object' && !Array.isArray(env)) {
    for (const [k, v] of Object.entries(env as Record<string, unknown>)) {
      if (!ENV_KEY_RE.test(k)) {
        warnings.push(`medusa.devServer.env: ignored the variable name ${JSON.stringify(k)}`);
      } else if (typeof v === 'string') {
        outEnv[k] = v;
      } else if (typeof v === 'number' || typeof v === 'boolean') {
        outEnv[k] = String(v);
      } else {
        warnings.push(`medusa.devServer.env.${k} must be a string; ignored`);
      }
    }
  } else if (env !== undefined && env !== null) {
    warnings.push(`medusa.devServer.env must be an object of strings; ignored`);
  }
  options.env = outEnv;

  const hmr = read('hmr');
  if (hmr === true || hmr === 'on') options.hmr = true;
  else if (hmr === false || hmr === 'off') options.hmr = false;
  else {
    if (hmr !== undefined && hmr !== null && hmr !== 'auto') warnings.push(`medusa.hmr must be "auto", "on" or "off"; using "auto"`);
    options.hmr = null;
  }

  const runtime = read('runtime');
  if (typeof runtime === 'string' && (RUNTIMES as readonly string[]).includes(runtime)) {
    options.runtime = runtime as InitializationOptions['runtime'];
  } else {
    if (runtime !== undefined && runtime !== null && runtime !== '') warnings.push(`medusa.runtime must be "auto", "embedded" or "node"; using "auto"`);
    options.runtime = 'auto';
  }

  const workers = read('workers');
  if (typeof workers === 'number' && Number.isInteger(workers) && workers >= 0 && workers <= 64) {
    if (workers > 0) options.workers = workers;
  } else if (workers !== undefined && workers !== null) {
    warnings.push(`medusa.workers must be a whole number from 0 to 64; using 0 (one process)`);
  }

  return { options, warnings };
}

/** `workspace/didChangeConfiguration` params (contract: `{"settings": {"medusa": …}}`). */
export function didChangeConfigurationParams(options: InitializationOptions): { settings: { medusa: InitializationOptions } } {
  return { settings: { medusa: options } };
}

export type ConfigReaction = 'restart-client' | 'notify-server' | 'none';

/** Settings that only the server reads. `medusa.trace.server` is handled by vscode-languageclient. */
export const SERVER_SETTINGS = ['medusa.devServer', 'medusa.hmr', 'medusa.runtime', 'medusa.workers'] as const;

/** What to do when `affects(section)` says which settings changed. */
export function reactionToConfigChange(affects: (section: string) => boolean): ConfigReaction {
  if (affects('medusa.server.path')) return 'restart-client';
  if (SERVER_SETTINGS.some((s) => affects(s))) return 'notify-server';
  return 'none';
}

/** True when two option objects differ (so no notification is sent for no-op edits). */
export function optionsDiffer(a: InitializationOptions | undefined, b: InitializationOptions): boolean {
  return JSON.stringify(normalise(a)) !== JSON.stringify(normalise(b));
}

function normalise(o: InitializationOptions | undefined): unknown {
  if (!o) return undefined;
  const env = o.env ? Object.fromEntries(Object.entries(o.env).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : undefined;
  return { autoStart: o.autoStart, port: o.port, host: o.host, env, hmr: o.hmr, runtime: o.runtime, workers: o.workers ?? 0 };
}
