import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, formatMs, isNewReload, portLabel, renderStatus, statusSummary } from '../../src/status';
import { parseStatus, type MedusaStatus } from '../../src/protocol';

const ready: MedusaStatus = { state: 'ready', url: 'http://127.0.0.1:9000', runtime: 'embedded', hmr: true, errors: 0 };
const run = (status: MedusaStatus | undefined, showLastReload = false) => renderStatus({ phase: 'running', status, showLastReload });

test('the states of the issue, as status-bar text', () => {
  assert.equal(run({ state: 'starting', url: '' }).text, '$(sync~spin) Medusa: starting');
  assert.equal(run(ready).text, '$(check) Medusa: ready on :9000');
  assert.equal(run({ ...ready, state: 'reloading' }).text, '$(sync~spin) Medusa: reloading');
  assert.equal(
    run({ ...ready, lastReload: { file: 'src/api/store/hello/route.ts', ms: 1.8, ok: true } }, true).text,
    '$(check) Medusa: reloaded route.ts in 2 ms',
  );
  assert.equal(run({ ...ready, state: 'error', errors: 3 }).text, '$(error) Medusa: 3 errors');
  assert.equal(run({ ...ready, state: 'error', errors: 1 }).text, '$(error) Medusa: 1 error');
  assert.equal(run({ ...ready, state: 'restarting' }).text, '$(sync~spin) Medusa: restarting');
  assert.equal(run({ state: 'stopped', url: '', message: 'stopped by request' }).text, '$(debug-stop) Medusa: stopped');
});

test('the reload message only while the caller says so', () => {
  const s = { ...ready, lastReload: { file: 'src/api/store/hello/route.ts', ms: 1.8, ok: true } };
  assert.equal(run(s, false).text, '$(check) Medusa: ready on :9000');
  assert.match(run(s, false).tooltip, /Last reload: src\/api\/store\/hello\/route\\\.ts in 2 ms/);
});

test('errors win over ready, and the tooltip says the old code keeps serving', () => {
  const r = run({ ...ready, errors: 2, lastReload: { file: 'a.ts', ms: 3, ok: false } }, true);
  assert.equal(r.text, '$(error) Medusa: 2 errors');
  assert.equal(r.severity, 'error');
  assert.match(r.tooltip, /2 errors \(see Problems\); the last good code keeps serving/);
});

test('error state without a count still reads well', () => {
  assert.equal(run({ state: 'error', message: 'medusa-config.ts: cannot load' }).text, '$(error) Medusa: error');
  assert.equal(run({ state: 'error' }).text, '$(error) Medusa: 1 error');
});

test('a failed reload with no error count shows as a warning', () => {
  const r = run({ ...ready, lastReload: { file: 'x/route.ts', ms: 1, ok: false } }, true);
  assert.equal(r.text, '$(warning) Medusa: reload of route.ts failed');
  assert.equal(r.severity, 'warning');
});

test('tooltip: url, runtime, hmr, message, click hint', () => {
  const r = run({ ...ready, message: 'PORT from .env' });
  assert.match(r.tooltip, /^\*\*Medusa dev server: ready on :9000\*\*/);
  assert.match(r.tooltip, /URL: http:\/\/127\.0\.0\.1:9000/);
  assert.match(r.tooltip, /runtime embedded · HMR on/);
  assert.match(r.tooltip, /PORT from \\\.env/);
  assert.match(r.tooltip, /Click for Medusa actions/);
  assert.equal(r.click, 'menu');
});

test('client-side phases', () => {
  const u = renderStatus({ phase: 'untrusted' });
  assert.equal(u.text, '$(shield) Medusa: restricted');
  assert.equal(u.click, 'trust');
  assert.match(u.tooltip, /not started in an untrusted workspace/);
  const nf = renderStatus({ phase: 'not-found', detail: 'medusa-ls was not found' });
  assert.equal(nf.text, '$(error) Medusa: medusa-ls not found');
  assert.equal(nf.severity, 'error');
  assert.match(nf.tooltip, /medusa\\-ls was not found/);
  assert.equal(renderStatus({ phase: 'failed', detail: 'spawn EACCES' }).text, '$(error) Medusa: failed to start');
  assert.equal(renderStatus({ phase: 'starting' }).text, '$(sync~spin) Medusa: starting');
  assert.equal(renderStatus({ phase: 'stopped' }).text, '$(circle-slash) Medusa: language server stopped');
  assert.equal(renderStatus({ phase: 'running' }).text, '$(sync~spin) Medusa: starting');
});

test('formatMs', () => {
  assert.equal(formatMs(0.4), '<1 ms');
  assert.equal(formatMs(1.8), '2 ms');
  assert.equal(formatMs(110.2), '110 ms');
  assert.equal(formatMs(1534), '1.5 s');
  assert.equal(formatMs(NaN), '? ms');
});

test('portLabel', () => {
  assert.equal(portLabel('http://127.0.0.1:9000'), ':9000');
  assert.equal(portLabel('http://localhost'), ':80');
  assert.equal(portLabel('https://x.test'), ':443');
  assert.equal(portLabel(''), '');
  assert.equal(portLabel('not a url'), '');
  assert.equal(run({ state: 'ready', url: '' }).text, '$(check) Medusa: ready');
});

test('escapeMarkdown', () => {
  assert.equal(escapeMarkdown('a_b*c[d](e)'), 'a\\_b\\*c\\[d\\]\\(e\\)');
});

test('isNewReload: a changed lastReload, or one following reloading', () => {
  const a = { ...ready, lastReload: { file: 'a.ts', ms: 2, ok: true } };
  assert.equal(isNewReload(undefined, a), false, 'first status after connecting is not a fresh reload');
  assert.equal(isNewReload(ready, a), true);
  assert.equal(isNewReload(a, a), false);
  assert.equal(isNewReload(a, { ...a, lastReload: { file: 'a.ts', ms: 3, ok: true } }), true);
  assert.equal(isNewReload({ ...a, state: 'reloading' }, a), true);
  assert.equal(isNewReload(a, ready), false);
});

test('parseStatus validates the notification', () => {
  assert.equal(parseStatus(null), undefined);
  assert.equal(parseStatus({ state: 'weird' }), undefined);
  assert.equal(parseStatus({}), undefined);
  assert.deepEqual(
    parseStatus({ state: 'ready', url: 'http://127.0.0.1:9000', runtime: 'embedded', hmr: true, errors: 2.7, message: '', lastReload: { file: 'f.ts', ms: 1.5, ok: true }, extra: 1 }),
    { state: 'ready', url: 'http://127.0.0.1:9000', runtime: 'embedded', hmr: true, errors: 2, lastReload: { file: 'f.ts', ms: 1.5, ok: true } },
  );
  assert.deepEqual(parseStatus({ state: 'stopped', errors: -1, lastReload: { file: 'x' } }), { state: 'stopped', lastReload: { file: 'x', ms: 0, ok: true } });
});

test('the production topology: the tooltip lists each process with its role, pid and state', () => {
  const raw = {
    state: 'ready', url: 'http://127.0.0.1:9000', runtime: 'node',
    processes: [
      { name: 'server', role: 'server', pid: 4210, state: 'ready' },
      { name: 'worker 1', role: 'worker', pid: 4211, state: 'restarting', message: 'exited (signal: killed)' },
      { name: 'worker 2', role: 'worker', state: 'failed' },
      { name: 7, role: 'worker', state: 'ready' }, // garbage: dropped
    ],
  };
  const s = parseStatus(raw);
  assert.ok(s);
  assert.equal(s.processes?.length, 3);
  const tip = run(s).tooltip;
  assert.match(tip, /server \(pid 4210\): ready/);
  assert.match(tip, /worker 1 \(pid 4211\): restarting — exited \\\(signal: killed\\\)/); // markdown-escaped
  assert.match(tip, /worker 2: failed/);
  // one shared process is not worth a line
  const shared = parseStatus({ state: 'ready', processes: [{ name: 'shared', role: 'shared', pid: 1, state: 'ready' }] });
  assert.ok(shared);
  assert.doesNotMatch(run(shared).tooltip, /pid/);
});

test('parseStatus keeps the credentials that are non-empty strings', () => {
  const s = parseStatus({ state: 'ready', credentials: { publishableKey: 'pk_1', adminToken: '', customerToken: 7, extra: 'x' } });
  assert.deepEqual(s?.credentials, { publishableKey: 'pk_1' });
  assert.equal(parseStatus({ state: 'ready', credentials: 'pk' })?.credentials, undefined);
  assert.equal(parseStatus({ state: 'ready', credentials: {} })?.credentials, undefined);
});

test('several projects: the text names the shown project, the tooltip lists the others', () => {
  const r = renderStatus({ phase: 'running', status: ready, project: 'shop', others: [{ label: 'mono/apps/backend', text: '2 errors' }] });
  assert.equal(r.text, '$(check) Medusa (shop): ready on :9000');
  assert.match(r.tooltip, /^Project: shop\n\n\*\*Medusa dev server: ready on :9000\*\*/);
  assert.match(r.tooltip, /Other Medusa projects: {2}\nmono\/apps\/backend: 2 errors\n\n_Click for Medusa actions\._$/);
  assert.equal(renderStatus({ phase: 'failed', project: 'shop' }).text, '$(error) Medusa (shop): failed to start');
  assert.equal(renderStatus({ phase: 'running', status: { ...ready, state: 'error', errors: 1 }, project: 'a' }).text, '$(error) Medusa (a): 1 error');
  const u = renderStatus({ phase: 'untrusted', project: 'shop' });
  assert.match(u.tooltip, /_Click to manage workspace trust\._$/);
});

test('statusSummary: the status without icon and name, for lists of projects', () => {
  assert.equal(statusSummary({ phase: 'running', status: ready }), 'ready on :9000');
  assert.equal(statusSummary({ phase: 'running', status: { ...ready, errors: 2 } }), '2 errors');
  assert.equal(statusSummary({ phase: 'not-found' }), 'medusa-ls not found');
  assert.equal(statusSummary({ phase: 'no-project' }), 'no project');
  assert.equal(statusSummary({ phase: 'starting', project: 'shop' }), 'starting');
});
