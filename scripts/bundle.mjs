#!/usr/bin/env node
// Bundles the command nsrun runs: the CLI and everything it imports in one CommonJS file,
// dist/nsrun.cjs, which node reads and compiles faster than the ES modules tsc writes
// (BENCHMARKS.md shows the difference). The library, dist/index.js, stays as tsc writes it.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/cli/start.ts', import.meta.url).pathname],
  outfile: new URL('../dist/nsrun.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'error',
  // yargs lays out help text only: it is loaded from node_modules when help is asked for
  external: ['yargs'],
  // CommonJS has no import.meta: give its url, the bundle's own, as the ES modules would see it
  define: { 'import.meta': '__nsrunImportMeta' },
  banner: { js: 'var __nsrunImportMeta={url:require("node:url").pathToFileURL(__filename).href};' },
});
