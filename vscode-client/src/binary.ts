// Finding the medusa-ls binary: the `medusa.server.path` setting, else the project's own
// medusa-ls from npm (`node_modules/.bin/medusa-ls`, the version the project pins), else the binary
// bundled in the extension (`bin/medusa-ls[.exe]`), else `medusa-ls` on PATH. Pure: file-system
// access goes through a Probe so the order and the messages are unit-tested under plain node.
import * as nodePath from 'node:path';

export type BinarySource = 'setting' | 'workspace' | 'bundled' | 'path';

export interface ResolveInput {
  /** Raw value of `medusa.server.path` (may be empty). */
  settingPath?: string;
  /** Absolute path of the installed extension (`context.extensionPath`). */
  extensionPath: string;
  /** Used to expand `${workspaceFolder}` and relative setting paths. */
  workspaceFolder?: string;
  /** The Medusa project (the workspace folder or a folder in it): where node_modules is looked for. */
  projectDir?: string;
  home?: string;
  platform: NodeJS.Platform;
  /** process.arch: which @medusa-ls/<platform>-<arch> package holds the binary. */
  arch?: string;
  /** The PATH environment variable. */
  envPath?: string;
  /** PATHEXT on Windows. */
  pathExt?: string;
}

export type ProbeResult = 'file' | 'directory' | 'missing';

export interface Probe {
  kind(path: string): ProbeResult;
  /** Only asked for files; on Windows, existence is enough. */
  isExecutable(path: string): boolean;
  /** The path with symbolic links resolved, or undefined when it does not exist. */
  realpath?(path: string): string | undefined;
}

export interface Attempt {
  source: BinarySource;
  path: string;
  /** Why it was not used; absent for the one that was chosen. */
  problem?: string;
  /** How it was found, when that is not the path itself. */
  via?: string;
}

export type Resolution =
  | { ok: true; path: string; source: BinarySource; tried: Attempt[] }
  | { ok: false; tried: Attempt[]; message: string };

export const SERVER_BASENAME = 'medusa-ls';

export function binaryFileName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${SERVER_BASENAME}.exe` : SERVER_BASENAME;
}

function pathLib(platform: NodeJS.Platform): typeof nodePath.posix {
  return platform === 'win32' ? nodePath.win32 : nodePath.posix;
}

/** Where a packaged .vsix keeps its binary. */
export function bundledBinaryPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathLib(platform).join(extensionPath, 'bin', binaryFileName(platform));
}

/** Expands `~`, `${workspaceFolder}`, `${userHome}`, and makes a relative path absolute. */
export function expandSettingPath(
  value: string,
  opts: { workspaceFolder?: string; home?: string; platform: NodeJS.Platform },
): string {
  const p = pathLib(opts.platform);
  let v = value.trim();
  if (opts.workspaceFolder !== undefined) v = v.split('${workspaceFolder}').join(opts.workspaceFolder);
  if (opts.home !== undefined) {
    v = v.split('${userHome}').join(opts.home);
    if (v === '~') v = opts.home;
    else if (v.startsWith('~/') || (opts.platform === 'win32' && v.startsWith('~\\'))) v = p.join(opts.home, v.slice(2));
  }
  if (!p.isAbsolute(v) && opts.workspaceFolder !== undefined) return p.resolve(opts.workspaceFolder, v);
  return p.isAbsolute(v) ? p.normalize(v) : v;
}

function check(probe: Probe, path: string, platform: NodeJS.Platform): string | undefined {
  const kind = probe.kind(path);
  if (kind === 'missing') return 'does not exist';
  if (kind === 'directory') return 'is a directory';
  if (platform !== 'win32' && !probe.isExecutable(path)) return 'is not executable (chmod +x)';
  return undefined;
}

/** The file names to look for in each PATH directory. */
export function pathCandidates(platform: NodeJS.Platform, pathExt?: string): string[] {
  if (platform !== 'win32') return [SERVER_BASENAME];
  const exts = (pathExt || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e === '.exe' || e === '.com');
  return (exts.length ? exts : ['.exe']).map((e) => SERVER_BASENAME + e);
}

export function resolveServerBinary(input: ResolveInput, probe: Probe): Resolution {
  const tried: Attempt[] = [];
  const p = pathLib(input.platform);

  // 1. An explicit setting is authoritative: a typo must not silently run another binary.
  const setting = (input.settingPath ?? '').trim();
  if (setting !== '') {
    const path = expandSettingPath(setting, input);
    const problem = check(probe, path, input.platform);
    if (problem === undefined) return { ok: true, path, source: 'setting', tried: [...tried, { source: 'setting', path }] };
    tried.push({ source: 'setting', path, problem });
    const shown = path === setting ? `"${setting}"` : `"${setting}" (${path})`;
    return {
      ok: false,
      tried,
      message: `medusa.server.path is set to ${shown}, which ${problem}. Fix the setting or clear it to use the bundled medusa-ls.`,
    };
  }

  // 2. The project's own medusa-ls, installed from npm.
  const fromWorkspace = workspaceBinary(input, probe, tried);
  if (fromWorkspace) return { ok: true, path: fromWorkspace.path, source: 'workspace', tried: [...tried, fromWorkspace] };

  // 3. The binary shipped inside the .vsix.
  const bundled = bundledBinaryPath(input.extensionPath, input.platform);
  const bundledProblem = check(probe, bundled, input.platform);
  if (bundledProblem === undefined) return { ok: true, path: bundled, source: 'bundled', tried: [...tried, { source: 'bundled', path: bundled }] };
  tried.push({ source: 'bundled', path: bundled, problem: bundledProblem });

  // 4. PATH.
  const dirs = (input.envPath ?? '').split(input.platform === 'win32' ? ';' : ':').filter((d) => d.trim() !== '');
  const names = pathCandidates(input.platform, input.pathExt);
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = p.join(dir.replace(/^"(.*)"$/, '$1'), name);
      const kind = probe.kind(candidate);
      if (kind !== 'file') continue; // absent from this directory: not worth listing
      const problem = check(probe, candidate, input.platform);
      if (problem === undefined) return { ok: true, path: candidate, source: 'path', tried: [...tried, { source: 'path', path: candidate }] };
      tried.push({ source: 'path', path: candidate, problem });
    }
  }
  if (!tried.some((t) => t.source === 'path')) {
    tried.push({ source: 'path', path: names.join(' / '), problem: `not found in ${dirs.length} PATH director${dirs.length === 1 ? 'y' : 'ies'}` });
  }

  return {
    ok: false,
    tried,
    message:
      'medusa-ls is not bundled with this extension for this platform and is not on PATH (nor in the project\'s node_modules). ' +
      'Install it in the project (npm install --save-dev medusa-ls), or build it (make build in the medusa-ls repository ' +
      'puts it in bin/) and set medusa.server.path, or put it on PATH.',
  };
}

/** The npm package that holds the binary for a platform, as the medusa-ls launcher names it. */
export function platformPackage(platform: NodeJS.Platform, arch: string): string {
  return `@medusa-ls/${platform}-${arch}`;
}

/**
 * The project's medusa-ls from npm: when `node_modules/.bin/medusa-ls` exists in the project (or
 * in a folder above it inside the workspace folder, where a monorepo hoists it), the native
 * binary that its launcher would run, from `@medusa-ls/<platform>-<arch>` next to the `medusa-ls`
 * package (npm, yarn and pnpm layouts). Running it directly needs no `node` on VS Code's PATH.
 * Without that package, the launcher itself (it then explains what is missing), except on
 * Windows, where `.bin` holds a `.cmd` script that cannot be started without a shell.
 */
function workspaceBinary(input: ResolveInput, probe: Probe, tried: Attempt[]): Attempt | undefined {
  if (!input.projectDir) return undefined;
  const p = pathLib(input.platform);
  const dirs = [p.resolve(input.projectDir)];
  const top = input.workspaceFolder ? p.resolve(input.workspaceFolder) : undefined;
  if (top && (dirs[0] + p.sep).startsWith(top + p.sep)) {
    for (let d = dirs[0]; d !== top; ) {
      d = p.dirname(d);
      dirs.push(d);
      if (d === p.dirname(d)) break;
    }
  }
  const exe = binaryFileName(input.platform);
  const pkg = platformPackage(input.platform, input.arch ?? 'x64');
  for (const dir of dirs) {
    const shim = p.join(dir, 'node_modules', '.bin', input.platform === 'win32' ? 'medusa-ls.cmd' : 'medusa-ls');
    if (probe.kind(shim) !== 'file') continue;
    const launcher = p.join(dir, 'node_modules', 'medusa-ls');
    const real = probe.realpath?.(launcher) ?? launcher;
    const candidates = [
      p.join(dir, 'node_modules', pkg, 'bin', exe),
      p.join(real, 'node_modules', pkg, 'bin', exe),
      p.join(p.dirname(real), pkg, 'bin', exe), // pnpm: .pnpm/medusa-ls@x/node_modules/{medusa-ls,@medusa-ls/...}
    ];
    for (const c of [...new Set(candidates)]) {
      if (probe.kind(c) === 'missing') continue;
      const problem = check(probe, c, input.platform);
      if (problem === undefined) return { source: 'workspace', path: c, via: shim };
      tried.push({ source: 'workspace', path: c, problem });
    }
    if (input.platform !== 'win32' && check(probe, shim, input.platform) === undefined) {
      return { source: 'workspace', path: shim };
    }
    tried.push({ source: 'workspace', path: shim, problem: `has no binary for ${input.platform}-${input.arch ?? 'x64'} (${pkg} is not installed)` });
    return undefined;
  }
  return undefined;
}

/** One line per attempt, for the output channel. */
export function describeAttempts(tried: Attempt[]): string[] {
  return tried.map((t) => `  ${t.source.padEnd(9)} ${t.path}${t.problem ? `: ${t.problem}` : `  (used${t.via ? `, for ${t.via}` : ''})`}`);
}
