#!/usr/bin/env node
// Writes the npm packages of a release (what `make dist` publishes), in the esbuild/biome layout:
//
//   OUT/medusa-ls/            the package people install: a launcher (bin/medusa-ls.js) and, as
//                             optionalDependencies, one package per platform
//   OUT/<os>-<cpu>/           @medusa-ls/<os>-<cpu>: the binary, with os and cpu fields so that
//                             npm installs only the one for the machine
//
// usage: node npm/build.mjs --version 1.2.3 --bin DIR --out DIR [--only TARGET]
// DIR (--bin) holds medusa-ls-<goos>-<goarch>[.exe] as `make dist` builds them. --only writes the
// launcher and that one platform's package (`make test` does so for this machine).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// npm's platform-cpu → Go's GOOS/GOARCH.
export const TARGETS = {
  'linux-x64': { goos: 'linux', goarch: 'amd64', os: 'linux', cpu: 'x64' },
  'linux-arm64': { goos: 'linux', goarch: 'arm64', os: 'linux', cpu: 'arm64' },
  'darwin-x64': { goos: 'darwin', goarch: 'amd64', os: 'darwin', cpu: 'x64' },
  'darwin-arm64': { goos: 'darwin', goarch: 'arm64', os: 'darwin', cpu: 'arm64' },
  'win32-x64': { goos: 'windows', goarch: 'amd64', os: 'win32', cpu: 'x64' },
};

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!['version', 'bin', 'out', 'only'].includes(k) || argv[i + 1] === undefined) {
      console.error('usage: node npm/build.mjs --version 1.2.3 --bin DIR --out DIR [--only TARGET]');
      process.exit(2);
    }
    out[k] = argv[i + 1];
  }
  if (!out.version || !out.bin || !out.out) {
    console.error('usage: node npm/build.mjs --version 1.2.3 --bin DIR --out DIR [--only TARGET]');
    process.exit(2);
  }
  if (out.only && !TARGETS[out.only]) {
    console.error(`build.mjs: --only ${out.only}: not one of ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(out.version)) {
    console.error(`build.mjs: ${out.version} is not a semver version`);
    process.exit(2);
  }
  return out;
}

function writeJSON(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

function main() {
  const { version, bin, out, only } = args();
  fs.rmSync(out, { recursive: true, force: true });
  const main = JSON.parse(fs.readFileSync(path.join(HERE, 'medusa-ls/package.json'), 'utf8'));
  main.version = version;
  main.optionalDependencies = {};

  for (const [target, t] of Object.entries(TARGETS)) {
    const exe = t.goos === 'windows' ? 'medusa-ls.exe' : 'medusa-ls';
    const name = `@medusa-ls/${target}`;
    main.optionalDependencies[name] = version;
    if (only && only !== target) continue;
    const dir = path.join(out, target);
    const src = path.join(bin, `medusa-ls-${t.goos}-${t.goarch}${t.goos === 'windows' ? '.exe' : ''}`);
    if (!fs.existsSync(src)) {
      console.error(`build.mjs: missing ${src}`);
      process.exit(1);
    }
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.copyFileSync(src, path.join(dir, 'bin', exe));
    fs.chmodSync(path.join(dir, 'bin', exe), 0o755);
    writeJSON(path.join(dir, 'package.json'), {
      name,
      version,
      description: `The medusa-ls binary for ${t.os} ${t.cpu}; install medusa-ls, which picks it.`,
      os: [t.os],
      cpu: [t.cpu],
      files: [`bin/${exe}`],
      preferUnplugged: true,
    });
    fs.writeFileSync(path.join(dir, 'README.md'), `# ${name}\n\nThe \`medusa-ls\` binary for ${t.os} ${t.cpu}. Install \`medusa-ls\` instead: it depends on this package on ${target} only.\n`);
    console.log(dir);
  }

  const dir = path.join(out, 'medusa-ls');
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(HERE, 'medusa-ls/bin/medusa-ls.js'), path.join(dir, 'bin/medusa-ls.js'));
  fs.chmodSync(path.join(dir, 'bin/medusa-ls.js'), 0o755);
  fs.copyFileSync(path.join(HERE, 'README.md'), path.join(dir, 'README.md'));
  writeJSON(path.join(dir, 'package.json'), main);
  console.log(dir);
}

main();
