import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledBinaryPath, describeAttempts, expandSettingPath, pathCandidates, resolveServerBinary, type Probe, type ProbeResult } from '../../src/binary';

/** A fake file system: path → kind (+ executable bit). */
function probe(files: Record<string, ProbeResult | 'noexec'>): Probe {
  return {
    kind: (p) => {
      const f = files[p];
      return f === undefined ? 'missing' : f === 'noexec' ? 'file' : f;
    },
    isExecutable: (p) => files[p] === 'file',
  };
}

const base = { extensionPath: '/ext', workspaceFolder: '/ws', home: '/home/u', platform: 'linux' as const, envPath: '/usr/local/bin:/usr/bin' };

test('setting wins when it points at an executable', () => {
  const r = resolveServerBinary({ ...base, settingPath: '/opt/medusa-ls' }, probe({ '/opt/medusa-ls': 'file', '/ext/bin/medusa-ls': 'file' }));
  assert.deepEqual(r.ok && [r.path, r.source], ['/opt/medusa-ls', 'setting']);
});

test('a bad setting is an error, with no silent fallback to the bundled binary', () => {
  const r = resolveServerBinary({ ...base, settingPath: '/opt/nope' }, probe({ '/ext/bin/medusa-ls': 'file' }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /medusa\.server\.path is set to "\/opt\/nope", which does not exist/);
    assert.deepEqual(r.tried.map((t) => t.source), ['setting']);
  }
});

test('setting problems: directory and missing exec bit', () => {
  const dir = resolveServerBinary({ ...base, settingPath: '/opt' }, probe({ '/opt': 'directory' }));
  assert.ok(!dir.ok && /is a directory/.test(dir.message));
  const noexec = resolveServerBinary({ ...base, settingPath: '/opt/m' }, probe({ '/opt/m': 'noexec' }));
  assert.ok(!noexec.ok && /not executable/.test(noexec.message));
});

test('setting: ~, ${workspaceFolder} and relative paths are expanded', () => {
  assert.equal(expandSettingPath('~/bin/medusa-ls', base), '/home/u/bin/medusa-ls');
  assert.equal(expandSettingPath('${workspaceFolder}/../bin/medusa-ls', base), '/bin/medusa-ls');
  assert.equal(expandSettingPath('bin/medusa-ls', base), '/ws/bin/medusa-ls');
  assert.equal(expandSettingPath('  /abs/medusa-ls ', base), '/abs/medusa-ls');
  const r = resolveServerBinary({ ...base, settingPath: 'tools/medusa-ls' }, probe({ '/ws/tools/medusa-ls': 'file' }));
  assert.ok(r.ok && r.path === '/ws/tools/medusa-ls');
  const bad = resolveServerBinary({ ...base, settingPath: 'tools/x' }, probe({}));
  assert.ok(!bad.ok && bad.message.includes('"tools/x" (/ws/tools/x)'));
});

test('empty setting: the bundled binary', () => {
  const r = resolveServerBinary({ ...base, settingPath: '  ' }, probe({ '/ext/bin/medusa-ls': 'file', '/usr/bin/medusa-ls': 'file' }));
  assert.deepEqual(r.ok && [r.path, r.source], ['/ext/bin/medusa-ls', 'bundled']);
});

test('no bundled binary: the first medusa-ls on PATH, skipping unusable ones', () => {
  const r = resolveServerBinary(base, probe({ '/usr/local/bin/medusa-ls': 'noexec', '/usr/bin/medusa-ls': 'file' }));
  assert.ok(r.ok);
  if (r.ok) {
    assert.equal(r.path, '/usr/bin/medusa-ls');
    assert.equal(r.source, 'path');
    assert.deepEqual(r.tried.map((t) => [t.source, t.problem]), [
      ['bundled', 'does not exist'],
      ['path', 'is not executable (chmod +x)'],
      ['path', undefined],
    ]);
  }
});

test('nothing anywhere: one clear message and every place listed', () => {
  const r = resolveServerBinary(base, probe({}));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /medusa-ls is not bundled with this extension for this platform and is not on PATH/);
    assert.match(r.message, /medusa\.server\.path/);
    const lines = describeAttempts(r.tried);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /bundled\s+\/ext\/bin\/medusa-ls: does not exist/);
    assert.match(lines[1], /not found in 2 PATH directories/);
  }
});

test('empty PATH is handled', () => {
  const r = resolveServerBinary({ ...base, envPath: undefined }, probe({}));
  assert.ok(!r.ok && /not found in 0 PATH directories/.test(describeAttempts(r.tried).join('\n')));
});

test('windows: .exe names, ; separated PATH, no exec bit needed', () => {
  const win = { extensionPath: 'C:\\ext', workspaceFolder: 'C:\\ws', home: 'C:\\Users\\u', platform: 'win32' as const, envPath: 'C:\\Windows;"C:\\Tools"', pathExt: '.COM;.EXE;.BAT' };
  assert.equal(bundledBinaryPath(win.extensionPath, 'win32'), 'C:\\ext\\bin\\medusa-ls.exe');
  assert.deepEqual(pathCandidates('win32', win.pathExt), ['medusa-ls.com', 'medusa-ls.exe']);
  const r = resolveServerBinary(win, { kind: (p) => (p === 'C:\\Tools\\medusa-ls.exe' ? 'file' : 'missing'), isExecutable: () => false });
  assert.ok(r.ok && r.path === 'C:\\Tools\\medusa-ls.exe');
  assert.equal(expandSettingPath('~\\bin\\medusa-ls.exe', win), 'C:\\Users\\u\\bin\\medusa-ls.exe');
  assert.equal(expandSettingPath('bin\\medusa-ls.exe', win), 'C:\\ws\\bin\\medusa-ls.exe');
});

// The project's own medusa-ls from npm (npm i -D medusa-ls) comes before the bundled binary.
const ws = { ...base, projectDir: '/ws', arch: 'x64' };

test('workspace: the native binary of the npm install, before the bundled one', () => {
  const files = {
    '/ws/node_modules/.bin/medusa-ls': 'file',
    '/ws/node_modules/@medusa-ls/linux-x64/bin/medusa-ls': 'file',
    '/ext/bin/medusa-ls': 'file',
  } as const;
  const r = resolveServerBinary(ws, probe(files));
  assert.deepEqual(r.ok && [r.path, r.source], ['/ws/node_modules/@medusa-ls/linux-x64/bin/medusa-ls', 'workspace']);
  assert.match(describeAttempts(r.tried).at(-1) ?? '', /workspace\s+\/ws\/node_modules\/@medusa-ls\/linux-x64\/bin\/medusa-ls\s+\(used, for \/ws\/node_modules\/\.bin\/medusa-ls\)/);
});

test('workspace: a monorepo hoists it to the workspace folder', () => {
  const r = resolveServerBinary(
    { ...ws, projectDir: '/ws/apps/backend' },
    probe({ '/ws/node_modules/.bin/medusa-ls': 'file', '/ws/node_modules/@medusa-ls/linux-x64/bin/medusa-ls': 'file' }),
  );
  assert.deepEqual(r.ok && [r.path, r.source], ['/ws/node_modules/@medusa-ls/linux-x64/bin/medusa-ls', 'workspace']);
});

test('workspace: pnpm keeps the platform package next to the real medusa-ls package', () => {
  const real = '/ws/node_modules/.pnpm/medusa-ls@1.0.0/node_modules/medusa-ls';
  const p = probe({ '/ws/node_modules/.bin/medusa-ls': 'file', '/ws/node_modules/.pnpm/medusa-ls@1.0.0/node_modules/@medusa-ls/linux-x64/bin/medusa-ls': 'file' });
  p.realpath = (x) => (x === '/ws/node_modules/medusa-ls' ? real : x);
  const r = resolveServerBinary(ws, p);
  assert.deepEqual(r.ok && [r.path, r.source], ['/ws/node_modules/.pnpm/medusa-ls@1.0.0/node_modules/@medusa-ls/linux-x64/bin/medusa-ls', 'workspace']);
});

test('workspace: without the platform package, the launcher (it explains what is missing)', () => {
  const r = resolveServerBinary(ws, probe({ '/ws/node_modules/.bin/medusa-ls': 'file', '/ext/bin/medusa-ls': 'file' }));
  assert.deepEqual(r.ok && [r.path, r.source], ['/ws/node_modules/.bin/medusa-ls', 'workspace']);
});

test('workspace on Windows: the .exe of the platform package, never the .cmd shim', () => {
  const win = { ...ws, platform: 'win32' as const, extensionPath: 'C:\\ext', projectDir: 'C:\\ws', workspaceFolder: 'C:\\ws', envPath: '' };
  const ok = resolveServerBinary(win, probe({ 'C:\\ws\\node_modules\\.bin\\medusa-ls.cmd': 'file', 'C:\\ws\\node_modules\\@medusa-ls\\win32-x64\\bin\\medusa-ls.exe': 'file' }));
  assert.deepEqual(ok.ok && [ok.path, ok.source], ['C:\\ws\\node_modules\\@medusa-ls\\win32-x64\\bin\\medusa-ls.exe', 'workspace']);
  const shimOnly = resolveServerBinary(win, probe({ 'C:\\ws\\node_modules\\.bin\\medusa-ls.cmd': 'file', 'C:\\ext\\bin\\medusa-ls.exe': 'file' }));
  assert.deepEqual(shimOnly.ok && [shimOnly.path, shimOnly.source], ['C:\\ext\\bin\\medusa-ls.exe', 'bundled']);
  assert.match(describeAttempts(shimOnly.tried)[0], /workspace .*medusa-ls\.cmd: has no binary for win32-x64 \(@medusa-ls\/win32-x64 is not installed\)/);
});

test('workspace: not installed in the project, the bundled binary; the setting still wins', () => {
  const bundled = resolveServerBinary(ws, probe({ '/ext/bin/medusa-ls': 'file' }));
  assert.deepEqual(bundled.ok && [bundled.source, bundled.tried.length], ['bundled', 1]);
  const setting = resolveServerBinary(
    { ...ws, settingPath: '/opt/medusa-ls' },
    probe({ '/opt/medusa-ls': 'file', '/ws/node_modules/.bin/medusa-ls': 'file', '/ws/node_modules/@medusa-ls/linux-x64/bin/medusa-ls': 'file' }),
  );
  assert.deepEqual(setting.ok && setting.source, 'setting');
});

test('nothing anywhere: the message says how to install it from npm', () => {
  const r = resolveServerBinary(ws, probe({}));
  assert.ok(!r.ok && /npm install --save-dev medusa-ls/.test(r.message));
});
