import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CONFIG_RE, pickProjectDir } from '../../src/project';
import { SERVER_ARGS, serverLaunch } from '../../src/launch';

test('project at the workspace root wins over one level down', () => {
  assert.equal(pickProjectDir('/ws', ['/ws/backend/medusa-config.ts', '/ws/medusa-config.js']), '/ws');
});

test('one level down (monorepo), first by name', () => {
  assert.equal(pickProjectDir('/ws', ['/ws/store/medusa-config.ts', '/ws/admin/medusa-config.mjs']), '/ws/admin');
});

test('a monorepo\'s apps/* and packages/* (turborepo), after one level down', () => {
  assert.equal(pickProjectDir('/ws', ['/ws/apps/backend/medusa-config.ts']), '/ws/apps/backend');
  assert.equal(pickProjectDir('/ws', ['/ws/packages/api/medusa-config.js', '/ws/apps/backend/medusa-config.ts']), '/ws/apps/backend');
  assert.equal(pickProjectDir('/ws', ['/ws/apps/backend/medusa-config.ts', '/ws/server/medusa-config.ts']), '/ws/server');
});

test('deeper, node_modules, other names and outside paths do not count', () => {
  assert.equal(pickProjectDir('/ws', ['/ws/a/b/medusa-config.ts', '/ws/apps/x/y/medusa-config.ts', '/ws/node_modules/medusa-config.ts', '/ws/medusa-config.json', '/other/medusa-config.ts']), undefined);
  assert.equal(pickProjectDir('/ws', []), undefined);
});

test('all four config extensions', () => {
  for (const ext of ['ts', 'js', 'mjs', 'cjs']) assert.ok(CONFIG_RE.test(`medusa-config.${ext}`));
  assert.ok(!CONFIG_RE.test('medusa-config.d.ts'));
});

test('windows paths', () => {
  assert.equal(pickProjectDir('C:\\ws', ['C:\\ws\\backend\\medusa-config.ts'], path.win32), 'C:\\ws\\backend');
});

test('launch: serve --stdio in the project dir, VS Code-only variables removed', () => {
  const spec = serverLaunch('/bin/medusa-ls', '/ws', { PATH: '/usr/bin', ELECTRON_RUN_AS_NODE: '1', VSCODE_IPC_HOOK_CLI: '/tmp/x' });
  assert.deepEqual(spec, { command: '/bin/medusa-ls', args: ['serve', '--stdio'], options: { cwd: '/ws', env: { PATH: '/usr/bin' } } });
  assert.deepEqual(SERVER_ARGS, ['serve', '--stdio']);
});

test('findConfigFiles: the root first, else one level down or in apps/*, skipping node_modules and hidden folders', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const { findConfigFiles } = await import('../../src/project');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'medusa-project-'));
  try {
    const mk = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
      fs.writeFileSync(path.join(base, rel), '');
    };
    mk('node_modules/medusa-config.ts');
    mk('.hidden/medusa-config.ts');
    mk('a/b/medusa-config.ts');
    mk('apps/node_modules/medusa-config.ts');
    assert.deepEqual(await findConfigFiles(base), []);
    mk('apps/backend/medusa-config.ts');
    assert.deepEqual(await findConfigFiles(base), [path.join(base, 'apps', 'backend', 'medusa-config.ts')]);
    assert.equal(pickProjectDir(base, await findConfigFiles(base)), path.join(base, 'apps', 'backend'));
    mk('backend/medusa-config.mjs');
    assert.deepEqual((await findConfigFiles(base)).sort(), [path.join(base, 'apps', 'backend', 'medusa-config.ts'), path.join(base, 'backend', 'medusa-config.mjs')]);
    assert.equal(pickProjectDir(base, await findConfigFiles(base)), path.join(base, 'backend'));
    mk('medusa-config.ts');
    assert.deepEqual(await findConfigFiles(base), [path.join(base, 'medusa-config.ts')]);
    assert.equal(pickProjectDir(base, await findConfigFiles(base)), base);
    assert.deepEqual(await findConfigFiles(path.join(base, 'missing')), []);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

// ---- several workspace folders -------------------------------------------------------------------

test('discoverProjects: one project per workspace folder, in folder order, each once', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const { discoverProjects, projectLabels } = await import('../../src/project');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'medusa-folders-'));
  try {
    const mk = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
      fs.writeFileSync(path.join(base, rel), '');
    };
    mk('shop/medusa-config.ts');
    mk('mono/apps/backend/medusa-config.js');
    mk('mono/apps/web/package.json');
    mk('docs/README.md');
    const folder = (rel: string, scheme = 'file') => ({ uri: { scheme, fsPath: path.join(base, rel) }, name: path.basename(rel) });
    const folders = [
      folder('docs'), // no project
      folder('shop'),
      folder('mono'),
      folder('mono/apps/backend'), // the same project again, as a folder of its own
      folder('remote', 'vscode-remote'), // not on disk
    ];
    const projects = await discoverProjects(folders);
    assert.deepEqual(
      projects.map((p) => [p.folder.name, p.dir]),
      [
        ['shop', path.join(base, 'shop')],
        ['mono', path.join(base, 'mono', 'apps', 'backend')],
      ],
    );
    assert.deepEqual(projectLabels(projects), ['shop', 'mono/apps/backend']);
    assert.deepEqual(await discoverProjects([folder('docs')]), []);
    assert.deepEqual(await discoverProjects([]), []);
    // One folder: what the single-root extension always found.
    assert.deepEqual((await discoverProjects([folder('mono')])).map((p) => p.dir), [pickProjectDir(path.join(base, 'mono'), [path.join(base, 'mono', 'apps', 'backend', 'medusa-config.js')])]);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('discoverProjects reads each folder through `find` (no disk needed)', async () => {
  const { discoverProjects } = await import('../../src/project');
  const seen: string[] = [];
  const find = async (dir: string) => {
    seen.push(dir);
    return dir === '/a' ? ['/a/backend/medusa-config.ts'] : dir === '/b' ? ['/b/medusa-config.ts'] : [];
  };
  const f = (p: string) => ({ uri: { scheme: 'file', fsPath: p }, name: p.slice(1) });
  const projects = await discoverProjects([f('/a'), f('/b'), f('/c')], find, path.posix);
  assert.deepEqual(projects.map((p) => p.dir), ['/a/backend', '/b']);
  assert.deepEqual(seen, ['/a', '/b', '/c']);
});

test('projectLabels: the folder name, its subfolder, and #2 for look-alikes', async () => {
  const { projectLabels } = await import('../../src/project');
  const f = (p: string, name: string) => ({ uri: { scheme: 'file', fsPath: p }, name });
  assert.deepEqual(
    projectLabels(
      [
        { folder: f('/w/shop', 'shop'), dir: '/w/shop' },
        { folder: f('/w/mono', 'mono'), dir: '/w/mono/apps/backend' },
        { folder: f('/x/shop', 'shop'), dir: '/x/shop' },
      ],
      path.posix,
    ),
    ['shop', 'mono/apps/backend', 'shop #2'],
  );
  assert.deepEqual(projectLabels([{ folder: f('C:\\w\\mono', 'mono'), dir: 'C:\\w\\mono\\backend' }], path.win32), ['mono/backend']);
});

test('projectForPath: the project holding the file, the innermost when nested, never a look-alike sibling', async () => {
  const { projectForPath, isWithin } = await import('../../src/project');
  const shop = { dir: '/w/shop' };
  const admin = { dir: '/w/shop-admin' };
  const outer = { dir: '/w/mono' };
  const inner = { dir: '/w/mono/apps/backend' };
  const all = [shop, admin, outer, inner];
  assert.equal(projectForPath(all, '/w/shop/src/api/store/hello/route.ts', path.posix), shop);
  assert.equal(projectForPath(all, '/w/shop-admin/medusa-config.ts', path.posix), admin);
  assert.equal(projectForPath(all, '/w/shop', path.posix), shop);
  assert.equal(projectForPath(all, '/w/mono/apps/backend/src/jobs/a.ts', path.posix), inner);
  assert.equal(projectForPath([inner, outer], '/w/mono/apps/backend/src/jobs/a.ts', path.posix), inner, 'order does not matter');
  assert.equal(projectForPath(all, '/w/mono/README.md', path.posix), outer);
  assert.equal(projectForPath(all, '/w/other/x.ts', path.posix), undefined);
  assert.equal(projectForPath(all, undefined, path.posix), undefined);
  assert.equal(isWithin('/w/shop', '/w/shop/../shop-admin/x.ts', path.posix), false);
  assert.equal(projectForPath([{ dir: 'C:\\w\\shop' }], 'c:\\W\\Shop\\src\\api\\route.ts', path.win32)?.dir, 'C:\\w\\shop', 'Windows paths ignore case');
});

test('chooseProject: the active editor\'s project, else the only one, else the only one that can, else ask', async () => {
  const { chooseProject } = await import('../../src/project');
  const a = { dir: '/w/a', ok: true };
  const b = { dir: '/w/b', ok: false };
  const c = { dir: '/w/c', ok: true };
  const can = (p: { ok: boolean }) => p.ok;
  assert.deepEqual(chooseProject([], '/w/a/x.ts', can, path.posix), { none: true });
  // single root: always its project, whatever the editor shows and whether it can
  assert.deepEqual(chooseProject([b], '/elsewhere/x.ts', can, path.posix), { project: b });
  assert.deepEqual(chooseProject([b], undefined, can, path.posix), { project: b });
  // the active editor decides, even for a project that cannot (it then says why)
  assert.deepEqual(chooseProject([a, b, c], '/w/b/src/api/route.ts', can, path.posix), { project: b });
  // no editor in a project: the only one that can, else a pick among those that can
  assert.deepEqual(chooseProject([a, b], undefined, can, path.posix), { project: a });
  assert.deepEqual(chooseProject([a, b, c], '/w/README.md', can, path.posix), { ask: [a, c] });
  assert.deepEqual(chooseProject([a, b, c], undefined, () => true, path.posix), { ask: [a, b, c] });
  // none can: ask among all (the chosen one says why it cannot)
  assert.deepEqual(chooseProject([b, { ...b, dir: '/w/d' }], undefined, can, path.posix), { ask: [b, { ...b, dir: '/w/d' }] });
});
