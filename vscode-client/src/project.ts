// Which folder is the Medusa project: the one holding medusa-config.{ts,js,mjs,cjs}, at the
// workspace folder's root, one level down (e.g. `backend/`), or in a monorepo's `apps/*` or
// `packages/*` (turborepo's `apps/backend`): the folders the language server looks in
// (project.Discover). With several workspace folders, one project per folder; and which project a
// file, and so a command, belongs to.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as nodePath from 'node:path';

export const CONFIG_RE = /^medusa-config\.(ts|js|mjs|cjs)$/;

/** Folders never searched one level down. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage']);

/** Monorepo folders whose subfolders are searched too (apps/backend, packages/api). */
const WORKSPACE_DIRS = new Set(['apps', 'packages']);

/**
 * The medusa-config files at the root of `folder` and in its direct subfolders (not hidden ones,
 * not node_modules). Reads the disk directly: `workspace.findFiles` depends on the search service
 * and on glob dialects (nested braces silently match nothing).
 */
export async function findConfigFiles(folder: string, maxDirs = 500): Promise<string[]> {
  const found: string[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) if (e.isFile() && CONFIG_RE.test(e.name)) found.push(nodePath.join(folder, e.name));
  if (found.length) return found;
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)).slice(0, maxDirs);
  for (const d of dirs) {
    const sub = nodePath.join(folder, d.name);
    let subEntries: Dirent[];
    try {
      subEntries = await readdir(sub, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip
    }
    const configs = subEntries.filter((f) => f.isFile() && CONFIG_RE.test(f.name));
    for (const f of configs) found.push(nodePath.join(sub, f.name));
    if (configs.length || !WORKSPACE_DIRS.has(d.name)) continue;
    for (const w of subEntries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)).slice(0, maxDirs)) {
      try {
        for (const f of await readdir(nodePath.join(sub, w.name), { withFileTypes: true })) {
          if (f.isFile() && CONFIG_RE.test(f.name)) found.push(nodePath.join(sub, w.name, f.name));
        }
      } catch {
        /* unreadable folder: skip */
      }
    }
  }
  return found;
}

/**
 * @param folder absolute path of a workspace folder
 * @param configFiles absolute paths of candidate config files found in it
 * @returns the project directory, or undefined when none qualifies
 */
export function pickProjectDir(folder: string, configFiles: readonly string[], path = nodePath): string | undefined {
  const candidates: { dir: string; depth: number }[] = [];
  for (const file of configFiles) {
    if (!CONFIG_RE.test(path.basename(file))) continue;
    const rel = path.relative(folder, path.dirname(file));
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const parts = rel === '' ? [] : rel.split(/[\\/]/);
    if (parts.includes('node_modules')) continue;
    if (parts.length > 2 || (parts.length === 2 && !WORKSPACE_DIRS.has(parts[0]))) continue;
    candidates.push({ dir: path.dirname(file), depth: parts.length });
  }
  candidates.sort((a, b) => a.depth - b.depth || a.dir.localeCompare(b.dir));
  return candidates[0]?.dir;
}

// ---- several workspace folders -----------------------------------------------------------------

/** The part of a vscode.WorkspaceFolder that discovery reads. */
export interface FolderLike {
  readonly uri: { readonly scheme: string; readonly fsPath: string };
  readonly name: string;
}

/** A Medusa project: its directory and the workspace folder it was found in. */
export interface Project<F extends FolderLike = FolderLike> {
  folder: F;
  dir: string;
}

/**
 * The Medusa project of each workspace folder (the one `pickProjectDir` chooses), in folder order.
 * Folders that are not on disk (`file` scheme) are skipped; a project found through two folders
 * (a folder and a subfolder of it, both in the workspace) is listed once, with the first folder.
 */
export async function discoverProjects<F extends FolderLike>(
  folders: readonly F[],
  find: (folder: string) => Promise<string[]> = findConfigFiles,
  path = nodePath,
): Promise<Project<F>[]> {
  const out: Project<F>[] = [];
  for (const folder of folders) {
    if (folder.uri.scheme !== 'file') continue;
    const dir = pickProjectDir(folder.uri.fsPath, await find(folder.uri.fsPath), path);
    if (dir && !out.some((p) => path.relative(p.dir, dir) === '')) out.push({ folder, dir });
  }
  return out;
}

/** True when `file` is `dir` or inside it (not merely a sibling sharing a prefix, like `store-admin`). */
export function isWithin(dir: string, file: string, path = nodePath): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The project holding `file`; with nested projects, the innermost one. */
export function projectForPath<P extends { dir: string }>(projects: readonly P[], file: string | undefined, path = nodePath): P | undefined {
  if (!file) return undefined;
  let best: P | undefined;
  for (const p of projects) {
    if (isWithin(p.dir, file, path) && (!best || p.dir.length > best.dir.length)) best = p;
  }
  return best;
}

/**
 * Which project a command acts on: the project of the active editor's file; else the only project;
 * else the only one `applies` accepts (e.g. the one whose server offers the command). Otherwise
 * the user picks among those it accepts (among all when it accepts none).
 */
export type ProjectChoice<P> = { project: P } | { ask: P[] } | { none: true };

export function chooseProject<P extends { dir: string }>(
  projects: readonly P[],
  activeFile: string | undefined,
  applies: (p: P) => boolean = () => true,
  path = nodePath,
): ProjectChoice<P> {
  if (projects.length === 0) return { none: true };
  const active = projectForPath(projects, activeFile, path);
  if (active) return { project: active };
  if (projects.length === 1) return { project: projects[0] };
  const fitting = projects.filter(applies);
  if (fitting.length === 1) return { project: fitting[0] };
  return { ask: fitting.length ? fitting : [...projects] };
}

/**
 * A short name per project for the status bar and the log: the workspace folder's name, plus the
 * project's path inside it when the project is a subfolder (`shop/apps/backend`); `#2`, `#3` when
 * two would read the same.
 */
export function projectLabels(projects: readonly Project[], path = nodePath): string[] {
  const labels = projects.map((p) => {
    const rel = path.relative(p.folder.uri.fsPath, p.dir).split(/[\\/]/).filter(Boolean).join('/');
    return rel ? `${p.folder.name}/${rel}` : p.folder.name;
  });
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} #${n}`;
  });
}
