import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMirror, normaliseLine, parseClientLine, type Level } from '../../src/logmirror';

function mirror() {
  const out: [Level, string][] = [];
  return { m: new LogMirror((l, s) => out.push([l, s]), 250), out };
}

test("the client's line prefix becomes a log level", () => {
  assert.deepEqual(parseClientLine('[Info  - 10:00:01 PM] [HMR] reloaded route.ts in 1.8 ms'), { level: 'info', message: '[HMR] reloaded route.ts in 1.8 ms' });
  assert.deepEqual(parseClientLine('[Error - 10:00:01] boom'), { level: 'error', message: 'boom' });
  assert.deepEqual(parseClientLine('[Warn  - 1:00:01 AM] careful'), { level: 'warn', message: 'careful' });
  assert.deepEqual(parseClientLine('plain text'), { level: 'info', message: 'plain text' });
});

test('normaliseLine strips ANSI, timestamps and level words', () => {
  assert.equal(normaliseLine('\x1b[32minfo\x1b[0m:    [HMR] reloaded x'), '[HMR] reloaded x');
  assert.equal(normaliseLine('2026-11-24T23:10:00.123Z INFO [HMR] reloaded x'), '[HMR] reloaded x');
  assert.equal(normaliseLine('2026/11/24 23:10:00 [HMR] reloaded x'), '[HMR] reloaded x');
  assert.equal(normaliseLine('23:10:00.123 warn: slow'), 'slow');
  assert.equal(normaliseLine('[info] ready'), 'ready');
});

test('stderr twin arriving after the logMessage is dropped', () => {
  const { m, out } = mirror();
  m.fromClient('[Info  - 10:00:01 PM] [HMR] reloaded route.ts in 1.8 ms', 0);
  m.fromStderr('2026/11/24 23:10:00 [HMR] reloaded route.ts in 1.8 ms\n', 5);
  m.flush(1000);
  assert.deepEqual(out, [['info', '[HMR] reloaded route.ts in 1.8 ms']]);
});

test('stderr twin arriving before the logMessage is dropped too', () => {
  const { m, out } = mirror();
  m.fromStderr('info: ready on http://127.0.0.1:9000\n', 0);
  m.flush(100); // still held back
  m.fromClient('[Info  - 10:00:01 PM] ready on http://127.0.0.1:9000', 120);
  m.flush(1000);
  assert.deepEqual(out, [['info', 'ready on http://127.0.0.1:9000']]);
});

test('stderr-only text (a panic) is kept, split chunks are joined', () => {
  const { m, out } = mirror();
  m.fromStderr('panic: runtime error: index out', 0);
  m.fromStderr(' of range\ngoroutine 1 [running]:\n', 1);
  assert.equal(m.hasPending(), true);
  m.flush(100);
  assert.deepEqual(out, []);
  m.flush(300);
  assert.deepEqual(out, [
    ['info', '[stderr] panic: runtime error: index out of range'],
    ['info', '[stderr] goroutine 1 [running]:'],
  ]);
  assert.equal(m.hasPending(), false);
});

test('forced flush writes a final unterminated line', () => {
  const { m, out } = mirror();
  m.fromStderr('fatal: exiting', 0);
  m.flush(0, true);
  assert.deepEqual(out, [['info', '[stderr] fatal: exiting']]);
});

test('multi-line logMessage matches line by line; repeated lines are matched once each', () => {
  const { m, out } = mirror();
  m.fromClient('[Error - 1:00:00 AM] reload failed\n  at route.ts:3:7', 0);
  m.fromStderr('reload failed\n  at route.ts:3:7\nreload failed\n', 1);
  m.flush(1000);
  assert.deepEqual(out, [
    ['error', 'reload failed\n  at route.ts:3:7'],
    ['info', '[stderr] reload failed'],
  ]);
});

test('recentStderr keeps the last five lines, shown or not', () => {
  const { m } = mirror();
  m.fromClient('[Info  - 1:00:00 AM] dup', 0);
  m.fromStderr('a\nb\nc\ndup\nd\ne\nf\n', 1);
  assert.deepEqual(m.recentStderr, ['c', 'dup', 'd', 'e', 'f']);
});
