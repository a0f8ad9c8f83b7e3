// Builds the extension bundle (dist/extension.js) and, with --tests, the tests (out/test/**).
//   node esbuild.mjs               development bundle with source maps
//   node esbuild.mjs --production  minified, no source map (what the .vsix ships)
//   node esbuild.mjs --watch
//   node esbuild.mjs --tests       out/test/unit/*.test.js and out/test/integration/*.test.js
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

function entries(dir) {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** @type {import('esbuild').BuildOptions} */
const extension = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node18',
  outfile: 'dist/extension.js',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  sourcesContent: false,
  logLevel: 'warning',
};

/**
 * Tests run under plain node, where there is no `vscode` module: `vscode` is NOT external, so a
 * test that pulls in a module importing it fails the build instead of failing at run time.
 * vscode-languageserver-protocol stays external (the integration test loads it from node_modules).
 */
const tests = {
  entryPoints: [...entries('test/unit'), ...entries('test/integration')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'out/test',
  outbase: 'test',
  external: ['vscode-languageserver-protocol', 'vscode-languageserver-protocol/*', 'vscode-jsonrpc', 'vscode-jsonrpc/*'],
  sourcemap: 'inline',
  logLevel: 'warning',
};

const t0 = Date.now();
if (args.has('--tests')) {
  await esbuild.build(tests);
  console.log(`esbuild: ${tests.entryPoints.length} test files → out/test in ${Date.now() - t0} ms`);
} else if (watch) {
  const ctx = await esbuild.context(extension);
  await ctx.watch();
  console.log('esbuild: watching src/');
} else {
  await esbuild.build(extension);
  console.log(`esbuild: dist/extension.js (${production ? 'production' : 'development'}) in ${Date.now() - t0} ms`);
}
