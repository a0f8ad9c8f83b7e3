import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SWITCH_PROJECT,
  advertisedCommands,
  canRunOn,
  clashingCommands,
  commandContextKeys,
  commandTitle,
  contextKeys,
  describeCommandResult,
  emitEventArgs,
  jobNamesFromSymbols,
  needsPrompt,
  parseEventData,
  statusMenuItems,
  validateEventName,
  validateJobName,
} from '../../src/commands';
import { ClientCommand, ServerCommand } from '../../src/protocol';

const ALL = ['medusa.restart', 'medusa.reloadAll', 'medusa.stop', 'medusa.start', 'medusa.emitEvent', 'medusa.runJob'];
const BASIC = ['medusa.restart', 'medusa.reloadAll', 'medusa.stop', 'medusa.start'];

test('advertisedCommands reads executeCommandProvider.commands defensively', () => {
  assert.deepEqual(advertisedCommands({ executeCommandProvider: { commands: ['medusa.restart', 7, 'medusa.stop'] } }), ['medusa.restart', 'medusa.stop']);
  assert.deepEqual(advertisedCommands({}), []);
  assert.deepEqual(advertisedCommands(undefined), []);
  assert.deepEqual(advertisedCommands({ executeCommandProvider: { commands: 'medusa.restart' } }), []);
});

test('palette context keys: Emit Event and Run Job only when advertised', () => {
  assert.deepEqual(commandContextKeys(BASIC), {
    'medusa.cmd.restart': true,
    'medusa.cmd.reloadAll': true,
    'medusa.cmd.stop': true,
    'medusa.cmd.start': true,
    'medusa.cmd.emitEvent': false,
    'medusa.cmd.runJob': false,
  });
  assert.equal(commandContextKeys(ALL)['medusa.cmd.runJob'], true);
  assert.ok(Object.values(commandContextKeys([])).every((v) => v === false));
});

test('a server advertising a client-side command is detected', () => {
  assert.deepEqual(clashingCommands([...BASIC, 'medusa.openUrl']), ['medusa.openUrl']);
  assert.deepEqual(clashingCommands(ALL), []);
});

const labels = (items: { label: string }[]) => items.map((i) => i.label.replace(/^\$\([^)]*\) /, ''));

test('menu while ready: restart, reload all, stop, open URL, output', () => {
  const items = statusMenuItems({ phase: 'running', status: { state: 'ready', url: 'http://127.0.0.1:9000' }, advertised: BASIC });
  assert.deepEqual(labels(items), ['Restart Dev Server', 'Reload All', 'Stop Dev Server', 'Open Server URL', 'Show Output', 'Restart Language Server']);
  assert.equal(items.find((i) => i.command === 'medusa.openUrl')?.description, 'http://127.0.0.1:9000');
});

test('menu while stopped offers Start instead of Stop, and no URL', () => {
  const items = statusMenuItems({ phase: 'running', status: { state: 'stopped', url: '' }, advertised: ALL });
  assert.deepEqual(labels(items), ['Restart Dev Server', 'Start Dev Server', 'Emit Event…', 'Run Job…', 'Show Output', 'Restart Language Server']);
});

test('menu offers only what the server advertises', () => {
  const items = statusMenuItems({ phase: 'running', status: { state: 'ready', url: '' }, advertised: ['medusa.restart'] });
  assert.deepEqual(labels(items), ['Restart Dev Server', 'Show Output', 'Restart Language Server']);
});

test('menu when medusa-ls is missing or untrusted', () => {
  const nf = statusMenuItems({ phase: 'not-found', advertised: [] });
  assert.deepEqual(labels(nf), ['Show Output', 'Restart Language Server', 'Set medusa.server.path…']);
  assert.deepEqual(nf[2].args, ['medusa.server.path']);
  const u = statusMenuItems({ phase: 'untrusted', advertised: ALL });
  assert.deepEqual(labels(u), ['Manage Workspace Trust…', 'Show Output']);
  assert.equal(u[0].command, 'workbench.trust.manage');
});

test('event names', () => {
  assert.equal(validateEventName('product.created'), undefined);
  assert.equal(validateEventName('  brand.updated '), undefined);
  assert.equal(validateEventName('my-module:thing/done'), undefined);
  assert.match(validateEventName('')!, /Enter an event name/);
  assert.match(validateEventName('product created')!, /no spaces/);
  assert.match(validateEventName('*')!, /concrete event name/);
  assert.match(validateEventName('.hidden')!, /Use letters/);
});

test('event data: empty, object, bad JSON, non-object', () => {
  assert.deepEqual(parseEventData(''), { ok: true });
  assert.deepEqual(parseEventData('  '), { ok: true });
  assert.deepEqual(parseEventData('{"id": "prod_1"}'), { ok: true, value: { id: 'prod_1' } });
  const bad = parseEventData('{id: 1}');
  assert.ok(!bad.ok && /^Not valid JSON/.test(bad.error));
  for (const t of ['[1]', '"x"', '3', 'null']) {
    const r = parseEventData(t);
    assert.ok(!r.ok && /must be a JSON object/.test(r.error), t);
  }
});

test('emitEvent arguments: [name] or [name, data]', () => {
  assert.deepEqual(emitEventArgs(' product.created '), ['product.created']);
  assert.deepEqual(emitEventArgs('product.created', { id: 'p' }), ['product.created', { id: 'p' }]);
});

test('needsPrompt: only emitEvent / runJob invoked without a name', () => {
  assert.equal(needsPrompt('medusa.emitEvent', []), true);
  assert.equal(needsPrompt('medusa.emitEvent', ['product.created']), false);
  assert.equal(needsPrompt('medusa.runJob', []), true);
  assert.equal(needsPrompt('medusa.runJob', ['']), true);
  assert.equal(needsPrompt('medusa.runJob', ['sync']), false);
  assert.equal(needsPrompt('medusa.restart', []), false);
});

test('job names from workspace/symbol', () => {
  const names = jobNamesFromSymbols([
    { name: 'GET /store/hello', location: { uri: 'file:///p/src/api/store/hello/route.ts' } },
    { name: 'sync-products', location: { uri: 'file:///p/src/jobs/sync.ts' } },
    { name: 'job: nightly-report', location: { uri: 'file:///p/src/jobs/report.ts' } },
    { name: 'cleanup', containerName: 'Job', location: { uri: 'file:///p/elsewhere.ts' } },
    { name: 'product.created', containerName: 'subscriber', location: { uri: 'file:///p/src/subscribers/p.ts' } },
    { name: 'sync-products', location: { uri: 'file:///p/src/jobs/sync.ts' } },
  ]);
  assert.deepEqual(names, ['cleanup', 'nightly-report', 'sync-products']);
  assert.deepEqual(jobNamesFromSymbols(null), []);
  assert.deepEqual(jobNamesFromSymbols([{ name: 'x', location: { uri: 'file:///C%3A/p/src/jobs/x.ts' } }]), ['x']);
  // medusa-ls names job symbols "job <name>", with the schedule in the container name.
  assert.deepEqual(
    jobNamesFromSymbols([{ name: 'job nightly', containerName: '0 3 * * * · src/jobs/nightly.ts', location: { uri: 'file:///p/src/jobs/nightly.ts' } },
      { name: 'job hourly (0 * * * *)', location: { uri: 'file:///p/src/jobs/hourly.ts' } }]),
    ['hourly', 'nightly'],
  );
});

test('job name validation', () => {
  assert.equal(validateJobName('sync-products'), undefined);
  assert.match(validateJobName(' ')!, /Enter the job name/);
  assert.match(validateJobName('a b')!, /no spaces/);
});

test('command results worth showing', () => {
  assert.equal(describeCommandResult('ran sync-products in 12 ms'), 'ran sync-products in 12 ms');
  assert.equal(describeCommandResult({ message: 'emitted to 2 subscribers' }), 'emitted to 2 subscribers');
  assert.equal(describeCommandResult(null), undefined);
  assert.equal(describeCommandResult({}), undefined);
  assert.equal(describeCommandResult(''), undefined);
});

test('menu offers to copy the development credentials when the status has them', () => {
  const credentials = { publishableKey: 'pk_1', adminToken: 'eyJ.a.b' };
  const items = statusMenuItems({ phase: 'running', status: { state: 'ready', url: 'http://127.0.0.1:9000', credentials }, advertised: BASIC });
  assert.deepEqual(labels(items).filter((l) => l.startsWith('Copy')), ['Copy Publishable API Key', 'Copy Admin Token']);
  assert.equal(items.find((i) => i.label.includes('Publishable'))?.command, 'medusa.copyPublishableKey');
  const none = statusMenuItems({ phase: 'running', status: { state: 'ready', url: 'http://127.0.0.1:9000' }, advertised: BASIC });
  assert.deepEqual(labels(none).filter((l) => l.startsWith('Copy')), []);
});

// ---- several projects ----------------------------------------------------------------------------

const readyOn = (port: number) => ({ state: 'ready' as const, url: `http://127.0.0.1:${port}` });

test('context keys with one project: that project\'s state, as before', () => {
  const p = { phase: 'running' as const, status: { ...readyOn(9000), credentials: { publishableKey: 'pk' } }, advertised: BASIC };
  assert.deepEqual(contextKeys(p, [p]), {
    'medusa.devServer': 'ready',
    'medusa.hasUrl': true,
    'medusa.hasCredentials': true,
    ...commandContextKeys(BASIC),
  });
  const starting = { phase: 'running' as const, advertised: ALL };
  assert.equal(contextKeys(starting, [starting])['medusa.devServer'], 'starting');
  const failed = { phase: 'failed' as const, status: readyOn(9000), advertised: [] };
  assert.deepEqual(contextKeys(failed, [failed]), { 'medusa.devServer': 'none', 'medusa.hasUrl': false, 'medusa.hasCredentials': false, ...commandContextKeys([]) });
  assert.deepEqual(contextKeys(undefined, []), { 'medusa.devServer': 'none', 'medusa.hasUrl': false, 'medusa.hasCredentials': false, ...commandContextKeys([]) });
});

test('context keys with several projects: the shown one\'s state; a command while any project offers it', () => {
  const shown = { phase: 'running' as const, status: { state: 'stopped' as const }, advertised: BASIC };
  const other = { phase: 'running' as const, status: readyOn(9001), advertised: ALL };
  const broken = { phase: 'not-found' as const, advertised: [] };
  const keys = contextKeys(shown, [shown, other, broken]);
  assert.equal(keys['medusa.devServer'], 'stopped');
  assert.equal(keys['medusa.hasUrl'], true, 'the other project has a URL');
  assert.equal(keys['medusa.hasCredentials'], false);
  assert.equal(keys['medusa.cmd.runJob'], true, 'the other project runs jobs');
  assert.equal(keys['medusa.cmd.restart'], true);
});

test('canRunOn: which projects are offered for a command', () => {
  const ready = { phase: 'running' as const, status: { ...readyOn(9000), credentials: { publishableKey: 'pk' } }, advertised: BASIC };
  assert.equal(canRunOn(ready, ServerCommand.restart), true);
  assert.equal(canRunOn(ready, ServerCommand.runJob), false, 'not advertised');
  assert.equal(canRunOn({ ...ready, phase: 'stopped' }, ServerCommand.restart), false, 'language server not running');
  assert.equal(canRunOn(ready, ClientCommand.openUrl), true);
  assert.equal(canRunOn({ ...ready, status: { state: 'stopped' } }, ClientCommand.openUrl), false);
  assert.equal(canRunOn(ready, ClientCommand.copyPublishableKey), true);
  assert.equal(canRunOn(ready, ClientCommand.copyAdminToken), false);
  assert.equal(canRunOn({ phase: 'not-found', advertised: [] }, ClientCommand.restartLanguageServer), true);
});

test('command titles for the project pick', () => {
  for (const id of Object.values(ServerCommand)) assert.notEqual(commandTitle(id), id, id);
  for (const id of [ClientCommand.openUrl, ClientCommand.copyPublishableKey, ClientCommand.copyAdminToken, ClientCommand.restartLanguageServer]) {
    assert.notEqual(commandTitle(id), id, id);
  }
  assert.equal(commandTitle(ServerCommand.runJob), 'Run Job');
  assert.equal(commandTitle('medusa.future'), 'medusa.future');
});

test('menu: Switch Project… only with several projects, last', () => {
  const base = { phase: 'running' as const, status: readyOn(9000), advertised: BASIC };
  assert.ok(!statusMenuItems(base).some((i) => i.command === SWITCH_PROJECT));
  assert.ok(!statusMenuItems({ ...base, otherProjects: 0 }).some((i) => i.command === SWITCH_PROJECT));
  const items = statusMenuItems({ ...base, otherProjects: 2 });
  assert.equal(items[items.length - 1].command, SWITCH_PROJECT);
  assert.equal(items[items.length - 1].description, '3 Medusa projects in this workspace');
  assert.deepEqual(labels(items.slice(0, -1)), labels(statusMenuItems(base)));
});
