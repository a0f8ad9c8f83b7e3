import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didChangeConfigurationParams, optionsDiffer, reactionToConfigChange, toInitializationOptions } from '../../src/settings';

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test('defaults (nothing set) follow the contract defaults', () => {
  const { options, warnings } = toInitializationOptions(reader({}));
  assert.deepEqual(options, { autoStart: true, env: {}, hmr: null, runtime: 'auto' });
  assert.deepEqual(warnings, []);
});

test("VS Code's declared defaults map to the same thing", () => {
  const { options } = toInitializationOptions(
    reader({ 'devServer.autoStart': true, 'devServer.port': null, 'devServer.host': '127.0.0.1', 'devServer.env': {}, hmr: 'auto', runtime: 'auto' }),
  );
  assert.deepEqual(options, { autoStart: true, host: '127.0.0.1', env: {}, hmr: null, runtime: 'auto' });
});

test('every setting reaches its initializationOptions field', () => {
  const { options, warnings } = toInitializationOptions(
    reader({
      'devServer.autoStart': false,
      'devServer.port': 9100,
      'devServer.host': ' 0.0.0.0 ',
      'devServer.env': { DATABASE_URL: 'postgres://x', DEBUG: 1, VERBOSE: true },
      hmr: 'off',
      runtime: 'node',
      workers: 2,
    }),
  );
  assert.deepEqual(options, {
    autoStart: false,
    port: 9100,
    host: '0.0.0.0',
    env: { DATABASE_URL: 'postgres://x', DEBUG: '1', VERBOSE: 'true' },
    hmr: false,
    runtime: 'node',
    workers: 2,
  });
  assert.deepEqual(warnings, []);
});

test('hmr: on/off/auto and booleans', () => {
  const hmr = (v: unknown) => toInitializationOptions(reader({ hmr: v })).options.hmr;
  assert.equal(hmr('on'), true);
  assert.equal(hmr(true), true);
  assert.equal(hmr('off'), false);
  assert.equal(hmr(false), false);
  assert.equal(hmr('auto'), null);
  assert.equal(hmr(undefined), null);
  assert.equal(hmr('sometimes'), null);
});

test('invalid values are dropped with a warning naming the setting', () => {
  const { options, warnings } = toInitializationOptions(
    reader({ 'devServer.port': 70000, 'devServer.env': { OK: 'y', BAD: { x: 1 }, 'A=B': 'z' }, runtime: 'bun', 'devServer.autoStart': 'yes', hmr: 'sometimes' }),
  );
  assert.equal(options.port, undefined);
  assert.deepEqual(options.env, { OK: 'y' });
  assert.equal(options.runtime, 'auto');
  assert.equal(options.autoStart, true);
  assert.equal(warnings.length, 6);
  assert.ok(warnings.some((w) => w.startsWith('medusa.devServer.port')));
  assert.ok(warnings.some((w) => w.startsWith('medusa.devServer.env.BAD')));
  assert.ok(warnings.some((w) => w.includes('"A=B"')));
  assert.ok(warnings.some((w) => w.startsWith('medusa.runtime')));
});

test('port: numeric strings accepted, empty means unset, fractions rejected', () => {
  assert.equal(toInitializationOptions(reader({ 'devServer.port': '9001' })).options.port, 9001);
  assert.equal(toInitializationOptions(reader({ 'devServer.port': '' })).options.port, undefined);
  assert.equal(toInitializationOptions(reader({ 'devServer.port': 90.5 })).options.port, undefined);
  assert.equal(toInitializationOptions(reader({ 'devServer.port': 0 })).options.port, undefined);
});

test('an empty host means the server default', () => {
  assert.equal(toInitializationOptions(reader({ 'devServer.host': '  ' })).options.host, undefined);
});

test('didChangeConfiguration carries the same object under settings.medusa', () => {
  const { options } = toInitializationOptions(reader({ 'devServer.port': 9100 }));
  assert.deepEqual(didChangeConfigurationParams(options), { settings: { medusa: options } });
});

test('which changes restart the client, which are sent to the server', () => {
  const changed = (...keys: string[]) => (s: string) => keys.some((k) => k === s || k.startsWith(s + '.'));
  assert.equal(reactionToConfigChange(changed('medusa.server.path')), 'restart-client');
  assert.equal(reactionToConfigChange(changed('medusa.devServer.port')), 'notify-server');
  assert.equal(reactionToConfigChange(changed('medusa.devServer.env')), 'notify-server');
  assert.equal(reactionToConfigChange(changed('medusa.hmr')), 'notify-server');
  assert.equal(reactionToConfigChange(changed('medusa.runtime')), 'notify-server');
  assert.equal(reactionToConfigChange(changed('medusa.workers')), 'notify-server');
  assert.equal(reactionToConfigChange(changed('medusa.trace.server')), 'none');
  assert.equal(reactionToConfigChange(changed('editor.fontSize')), 'none');
});

test('optionsDiffer ignores env key order and detects real changes', () => {
  const a = { autoStart: true, env: { A: '1', B: '2' }, hmr: null, runtime: 'auto' as const };
  assert.equal(optionsDiffer(a, { ...a, env: { B: '2', A: '1' } }), false);
  assert.equal(optionsDiffer(a, { ...a, port: 9001 }), true);
  assert.equal(optionsDiffer(undefined, a), true);
});

test('workers: a whole number from 0 to 64; 0 sends nothing; anything else warns', () => {
  assert.equal(toInitializationOptions(reader({ workers: 0 })).options.workers, undefined);
  assert.equal(toInitializationOptions(reader({ workers: 4 })).options.workers, 4);
  for (const bad of [-1, 65, 1.5, 'two']) {
    const { options, warnings } = toInitializationOptions(reader({ workers: bad }));
    assert.equal(options.workers, undefined, String(bad));
    assert.match(warnings.join('\n'), /medusa\.workers must be a whole number/, String(bad));
  }
  assert.ok(optionsDiffer({ runtime: 'node' }, { runtime: 'node', workers: 2 }));
  assert.ok(!optionsDiffer({ runtime: 'node' }, { runtime: 'node', workers: 0 }));
});
