// The waits that replaced fixed sleeps: each resolves on its event (a process closing) as soon as
// it happens, and fails with a TimeoutError that names what did not happen when it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { TimeoutError, describeExit, spawnServer, whenClosed, withTimeout } from '../../src/serverProcess';
import { serverLaunch } from '../../src/launch';

/** A launch spec running `node -e script` the way the extension launches medusa-ls. */
function nodeLaunch(script: string) {
  const spec = serverLaunch(process.execPath, process.cwd(), process.env);
  return { ...spec, args: ['-e', script] };
}

test('withTimeout: the value when it comes first', async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 50, 'x'), 7);
  await assert.rejects(withTimeout(Promise.reject(new Error('boom')), 50, 'x'), /boom/);
});

test('withTimeout: a TimeoutError that says what did not happen, and when', async () => {
  const never = new Promise<never>(() => undefined);
  const err = await withTimeout(never, 30, 'the status').then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TimeoutError);
  assert.equal(err.message, 'the status did not happen within 30 ms');
  assert.equal(err.what, 'the status');
  assert.equal(err.ms, 30);
});

test('whenClosed resolves on the close event, not after a delay', async () => {
  const child = Object.assign(new EventEmitter(), { pid: 42 });
  let done = false;
  const closed = whenClosed(child).then((e) => {
    done = true;
    return e;
  });
  await Promise.resolve();
  assert.equal(done, false, 'nothing happened yet');
  child.emit('close', 3, null);
  assert.deepEqual(await closed, { code: 3, signal: null });
  // A process that never started ends with its spawn error.
  const unborn = Object.assign(new EventEmitter(), { pid: undefined });
  const p = whenClosed(unborn);
  unborn.emit('error', new Error('spawn x ENOENT'));
  const exit = await p;
  assert.equal(exit.error?.message, 'spawn x ENOENT');
  assert.equal(describeExit(exit), 'spawn x ENOENT');
  assert.equal(describeExit({ code: null, signal: 'SIGKILL' }), 'signal SIGKILL');
  assert.equal(describeExit({ code: 1, signal: null }), 'code 1');
});

test('waitForExit: a server that fails resolves once it closed, with all of its stderr read', async () => {
  // 64 KiB of stderr, then the last words, then exit 3: more than one pipe read.
  const proc = await spawnServer(nodeLaunch("process.stderr.write('x'.repeat(65536) + '\\nfatal: no medusa-config\\n'); process.exit(3)"));
  let stderr = '';
  proc.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const t0 = Date.now();
  const exit = await proc.waitForExit(60_000);
  assert.deepEqual(exit, { code: 3, signal: null });
  assert.ok(Date.now() - t0 < 10_000, 'resolved on the exit, far before the bound');
  assert.match(stderr, /fatal: no medusa-config\n$/, 'every stderr chunk arrived before the wait resolved');
  assert.equal(proc.exit, exit);
});

test('waitForExit: a server that does not exit fails clearly at the bound; exitOrKill stops it', async () => {
  const proc = await spawnServer(nodeLaunch('setInterval(() => {}, 1000)'));
  try {
    await assert.rejects(proc.waitForExit(100), (err: unknown) => {
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.message, `medusa-ls (pid ${proc.child.pid}) exiting did not happen within 100 ms`);
      return true;
    });
    assert.equal(proc.exit, undefined);
    assert.equal(await proc.exitOrKill(100), undefined, 'killed: it did not exit by itself');
    const exit = await proc.closed;
    assert.equal(exit.signal, 'SIGTERM');
  } finally {
    proc.child.kill('SIGKILL');
  }
});

test('exitOrKill: a server that exits in time is not killed', async () => {
  const proc = await spawnServer(nodeLaunch('setTimeout(() => process.exit(0), 20)'));
  assert.deepEqual(await proc.exitOrKill(60_000), { code: 0, signal: null });
});

test('spawnServer: a binary that cannot start rejects with the spawn error', async () => {
  const launch = serverLaunch('/nonexistent/medusa-ls', process.cwd(), process.env);
  await assert.rejects(spawnServer(launch), {
    message: 'Launching server using command /nonexistent/medusa-ls failed. Error: spawn /nonexistent/medusa-ls ENOENT',
  });
});
