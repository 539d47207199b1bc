#!/usr/bin/env node
// Bundles the command nsrun runs: the CLI and everything it imports in one CommonJS file,
// dist/nsrun.cjs, which node reads and compiles faster than the ES modules tsc writes
// (BENCHMARKS.md shows the difference), then V8's code cache of it, dist/nsrun.cache, made by
// running it once so that what a start compiles is cached too (bin/nsrun loads both). The
// bundle's first line is its build id, a hash of the rest, by which bin/nsrun tells a user's
// cache made from another bundle. The library, dist/index.js, stays as tsc writes it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';

const path = (relative) => new URL(`../${relative}`, import.meta.url).pathname;

const { outputFiles } = await build({
  entryPoints: [path('src/cli/start.ts')],
  outfile: path('dist/nsrun.cjs'),
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'error',
  // CommonJS has no import.meta: give the dirname it has in the ES modules, the bundle's own
  define: { 'import.meta': '__nsrunImportMeta' },
  banner: { js: 'var __nsrunImportMeta={dirname:__dirname};' },
});
const [{ text }] = outputFiles;
writeFileSync(path('dist/nsrun.cjs'), `// nsrun build ${createHash('sha256').update(text).digest('hex').slice(0, 32)}\n${text}`);

// A cache of the old bundle must not outlive it; the run that writes the new one may fail
// (no helper yet, no user namespaces where this builds) and still leave it.
rmSync(path('dist/nsrun.cache'), { force: true });
spawnSync(process.execPath, [path('bin/nsrun'), '--flags', 'uts,ipc,pid,ns,user', '--', 'true'], {
  env: { ...process.env, NSRUN_CODE_CACHE: 'write' },
  stdio: 'ignore',
});
