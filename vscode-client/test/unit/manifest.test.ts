// package.json must agree with the code: settings read, commands registered, when clauses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ClientCommand, ServerCommand } from '../../src/protocol';
import { commandContextKeys } from '../../src/commands';
import { toInitializationOptions } from '../../src/settings';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const props: Record<string, { scope?: string; default?: unknown; type?: unknown }> = pkg.contributes.configuration.properties;

test('engine, entry point, pinned toolchain', () => {
  assert.equal(pkg.engines.vscode, '^1.82.0');
  assert.equal(pkg.main, './dist/extension.js');
  assert.match(pkg.dependencies['vscode-languageclient'], /^9\./);
  assert.equal(pkg.devDependencies['@vscode/vsce'], '3.9.2');
  assert.match(pkg.devDependencies.typescript, /^5\./);
  assert.equal(pkg.devDependencies['@types/vscode'], '1.82.0');
  assert.match(pkg.devDependencies['@types/node'], /^20\./);
});

test('activates on medusa-config.{ts,js,mjs,cjs} at the root and one level down', () => {
  for (const ext of ['ts', 'js', 'mjs', 'cjs']) {
    assert.ok(pkg.activationEvents.includes(`workspaceContains:medusa-config.${ext}`), ext);
    assert.ok(pkg.activationEvents.includes(`workspaceContains:*/medusa-config.${ext}`), ext);
  }
});

test('every setting the code reads is contributed, with VS Code defaults mapping cleanly', () => {
  const read: string[] = [];
  const defaults = toInitializationOptions((k) => {
    read.push(k);
    return props[`medusa.${k}`]?.default;
  });
  for (const k of read) assert.ok(props[`medusa.${k}`], `medusa.${k} is not in contributes.configuration`);
  assert.deepEqual(defaults.warnings, []);
  for (const k of ['medusa.server.path', 'medusa.trace.server', 'medusa.devServer.autoStart', 'medusa.devServer.port', 'medusa.devServer.host', 'medusa.devServer.env', 'medusa.hmr', 'medusa.runtime', 'medusa.workers']) {
    assert.ok(props[k], k);
  }
  assert.equal(props['medusa.server.path'].scope, 'machine-overridable');
});

test('workspace trust: limited, explained, with the risky settings restricted', () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.match(u.description, /not started/);
  assert.ok(u.restrictedConfigurations.includes('medusa.server.path'));
  assert.equal(pkg.capabilities.virtualWorkspaces, false);
});

test('commands: all contributed, each with a palette when clause', () => {
  const contributed = new Map<string, { title: string; category: string }>(pkg.contributes.commands.map((c: { command: string }) => [c.command, c]));
  const palette = new Map<string, string>(pkg.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]));
  for (const id of [...Object.values(ServerCommand), ...Object.values(ClientCommand)]) {
    assert.equal(contributed.get(id)?.category, 'Medusa', id);
    assert.ok(palette.get(id), `${id} has no commandPalette when clause`);
  }
  // Server commands are shown only when advertised: their when clause uses the context key.
  const keys = Object.keys(commandContextKeys([]));
  for (const [name, id] of Object.entries(ServerCommand)) {
    const key = `medusa.cmd.${name}`;
    assert.ok(keys.includes(key));
    assert.ok(palette.get(id)!.includes(key), `${id}: ${palette.get(id)}`);
  }
  const titles = [...contributed.values()].map((c) => c.title);
  for (const t of ['Restart Dev Server', 'Reload All', 'Stop Dev Server', 'Start Dev Server', 'Open Server URL', 'Show Output', 'Emit Event…', 'Run Job…']) {
    assert.ok(titles.includes(t), t);
  }
});

test('.vscodeignore ships only the bundle, the binary and the docs', () => {
  const ignore = readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^\*\*$/m);
  assert.match(ignore, /^!dist\/extension\.js$/m);
  assert.match(ignore, /^!bin\/\*\*$/m);
  assert.doesNotMatch(ignore, /^!src/m);
  assert.doesNotMatch(ignore, /^!node_modules/m);
});

test('the settings medusa-ls reads can differ per workspace folder (one project, one port each)', () => {
  const read: string[] = [];
  toInitializationOptions((k) => {
    read.push(k);
    return undefined;
  });
  assert.ok(read.length >= 7);
  for (const k of read) assert.equal(props[`medusa.${k}`].scope, 'resource', `medusa.${k}`);
});
