// Integration test against the real medusa-ls: $MEDUSA_LS_BIN (default ../bin/medusa-ls) on a
// temp copy of $MEDUSA_EXAMPLE_DIR (default ../examples/store). Skips, saying why, while the
// binary or the example does not exist; fails when they exist and the server misbehaves.
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_DIR, REPO_DIR } from './harness';
import { contractScenario, ROUTE } from './scenario';

const binary = process.env.MEDUSA_LS_BIN ? path.resolve(process.env.MEDUSA_LS_BIN) : path.join(REPO_DIR, 'bin', process.platform === 'win32' ? 'medusa-ls.exe' : 'medusa-ls');
const example = process.env.MEDUSA_EXAMPLE_DIR ? path.resolve(process.env.MEDUSA_EXAMPLE_DIR) : path.join(REPO_DIR, 'examples', 'store');

function skipReason(): string | false {
  if (!fs.existsSync(binary)) {
    return `medusa-ls binary not found at ${path.relative(CLIENT_DIR, binary) || binary}: build it (make build) or set MEDUSA_LS_BIN`;
  }
  if (!fs.existsSync(path.join(example, ROUTE))) {
    return `example project not found (${path.join(example, ROUTE)}): set MEDUSA_EXAMPLE_DIR`;
  }
  return false;
}

const reason = skipReason();

test(`medusa-ls contract (${path.basename(binary)} on ${path.basename(example)})`, { skip: reason, timeout: 180_000 }, async (t) => {
  await contractScenario(t, { binary, example, readyTimeout: Number(process.env.MEDUSA_READY_TIMEOUT_MS) || 30_000 });
});
