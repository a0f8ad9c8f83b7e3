#!/usr/bin/env node
// medusa-ls's npm launcher: runs the native binary from the package for this platform
// (@medusa-ls/<os>-<cpu>, an optional dependency that npm installs only where its os and cpu
// fields match), passing the arguments, the terminal and the exit status through.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// Node's platform-arch → the package that holds the binary.
const PACKAGES = {
  'linux-x64': '@medusa-ls/linux-x64',
  'linux-arm64': '@medusa-ls/linux-arm64',
  'darwin-x64': '@medusa-ls/darwin-x64',
  'darwin-arm64': '@medusa-ls/darwin-arm64',
  'win32-x64': '@medusa-ls/win32-x64',
};

function fail(message) {
  process.stderr.write(`medusa-ls: ${message}\n`);
  process.exit(1);
}

function binaryPath() {
  // An explicit binary wins: a build from source (make build) on a platform without a package.
  const override = process.env.MEDUSA_LS_BINARY;
  if (override) {
    if (!fs.existsSync(override)) fail(`MEDUSA_LS_BINARY is set to ${override}, which does not exist`);
    return override;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[key];
  if (!pkg) {
    fail(
      `there is no medusa-ls binary for ${key} (packages exist for ${Object.keys(PACKAGES).join(', ')}). ` +
        'Build it from source (make build in the medusa-ls repository) and set MEDUSA_LS_BINARY to its path.',
    );
  }
  const exe = process.platform === 'win32' ? 'medusa-ls.exe' : 'medusa-ls';
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    fail(
      `the package ${pkg}, which holds the binary for ${key}, is not installed. npm leaves optional ` +
        'dependencies out with --omit=optional or --no-optional, and a lockfile made on another platform ' +
        `may lack it: reinstall with optional dependencies (npm install), or add it (npm install -D ${pkg}).`,
    );
  }
  const bin = path.join(dir, 'bin', exe);
  if (!fs.existsSync(bin)) fail(`${pkg} is installed but has no ${path.join('bin', exe)}; reinstall it`);
  return bin;
}

const bin = binaryPath();
const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
// Signals sent to the launcher alone (a process manager's SIGTERM) reach medusa-ls too; a
// terminal's Ctrl-C reaches both, which medusa-ls takes as one.
const forward = (sig) => () => {
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, forward(sig));
child.on('error', (err) => fail(`cannot run ${bin}: ${err.message}`));
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
