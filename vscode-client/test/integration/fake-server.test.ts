// Self-check of the integration harness against the contract test double
// (test/fake-server/fake-medusa-ls.cjs) and the fixture project: proves the scenario itself
// while the Go server does not exist. The real server runs the same scenario in server.test.ts.
import { test } from 'node:test';
import * as path from 'node:path';
import { CLIENT_DIR } from './harness';
import { contractScenario } from './scenario';

test('harness self-check against the fake medusa-ls', { timeout: 60_000 }, async (t) => {
  await contractScenario(t, {
    binary: path.join(CLIENT_DIR, 'test', 'fake-server', 'fake-medusa-ls.cjs'),
    example: path.join(CLIENT_DIR, 'test', 'fixtures', 'store'),
    readyTimeout: 10_000,
  });
});
