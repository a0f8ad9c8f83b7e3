// Which folder is the Medusa project: the one holding medusa-config.{ts,js,mjs,cjs}, at the
// workspace folder's root, one level down (e.g. `backend/`), or in a monorepo's `apps/*` or
// `packages/*` (turborepo's `apps/backend`): the folders the language server looks in
// (project.Discover).
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
