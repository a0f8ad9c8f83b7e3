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
