// The npm package: `npm pack`, installed into an empty directory, used as a command and as a library.
import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor.js';
import { readElf } from '../../src/elf.js';
import { helperBin, identities, root } from './harness.js';

const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string; license: string; dependencies?: Record<string, string> };
let dir = '';
let tarball = '';
let installed = '';

/** npm with a cache of its own per identity (uid 65534 has no home), offline when the cache has what it needs. */
function npmEnv(cache: string): Record<string, string> {
  return { npm_config_cache: cache, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
}

beforeAll(async () => {
  // a directory every identity may read; its own package.json keeps npm from looking further up
  dir = mkdtempSync(join(tmpdir(), 'nsrun-package-'));
  chmodSync(dir, 0o755);
  await execa('npm', ['pack', '--pack-destination', dir], { cwd: root });
  tarball = join(dir, `nsrun-${manifest.version}.tgz`);
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "uses-nsrun", "private": true, "type": "module" }\n');
  await execa('npm', ['install', '--prefer-offline', tarball], { cwd: project });
  copyFileSync(`${root}examples/sandbox.mjs`, join(project, 'sandbox.mjs'));
  const cache = join(dir, 'npm-cache');
  mkdirSync(cache, { mode: 0o777 });
  chmodSync(cache, 0o777);
  installed = project;
}, 180_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the command, the compiled library with its types, the static helper and its sources, and nothing else', async () => {
    const { stdout } = await execa('tar', ['tzf', tarball]);
    const files = stdout.split('\n').map((f) => f.replace(/^package\//, ''));
    for (const file of ['bin/nsrun', 'dist/index.js', 'dist/index.d.ts', 'dist/api.d.ts', 'libexec/nsrun-helper', 'dist/nsrun.1', 'helper/nsrun-helper.c', 'helper/Makefile', 'scripts/postinstall.mjs', 'README.md']) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => /^(src|test|node_modules)\//.test(f))).toEqual([]);
  });

  it('has no run-time dependency: installing it installs nsrun alone', () => {
    expect(manifest.dependencies).toBeUndefined();
    expect(readdirSync(join(installed, 'node_modules')).sort()).toEqual(['.bin', '.package-lock.json', 'nsrun']);
  });

  it('carries the MIT license its manifest names', () => {
    expect(manifest.license).toBe('MIT');
    const license = readFileSync(join(installed, 'node_modules/nsrun/LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the nsrun authors\n/);
  });

  it('installs with the prebuilt helper unchanged: no compiler is needed', () => {
    expect(readFileSync(join(installed, 'node_modules/nsrun/libexec/nsrun-helper'))).toEqual(readFileSync(helperBin));
  });
});

describe.each(identities)('the installed package, as $name', (who) => {
  const run = (args: readonly string[], env: Record<string, string> = {}) => {
    const [file, ...rest] = [...who.prefix, ...args];
    return execa(file as string, rest, { cwd: installed, reject: false, env: { ...npmEnv(join(dir, 'npm-cache')), ...env } });
  };

  it('runs node_modules/.bin/nsrun --flags uts --hostname x -- hostname', async () => {
    const r = await run(['node_modules/.bin/nsrun', '--flags', 'uts', '--hostname', 'x', '--', 'hostname']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('x');
    expect(r.exitCode).toBe(0);
  });

  it('runs through npx', async () => {
    const r = await run(['npx', '--offline', 'nsrun', '--flags', 'uts', '--hostname', 'from-npx', '--', 'hostname']);
    expect(r.stdout).toBe('from-npx');
    expect(r.exitCode).toBe(0);
  });

  it('imports the API: the README example runs', async () => {
    const r = await run([process.execPath, 'sandbox.mjs']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^hostname inside: box \(uts namespace \d+, host pid \d+\)\nCommand failed with exit code 3: sh -c 'echo "no such file" >&2; exit 3'; stderr: no such file$/);
  });

  it('finds its own helper: nsrun doctor --json', async () => {
    const r = await run(['node_modules/.bin/nsrun', 'doctor', '--json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.helper.path).toBe(join(installed, 'node_modules/nsrun/libexec/nsrun-helper'));
    expect(report.ok).toBe(true);
  });
});

describe('a TypeScript user of the installed package', () => {
  it('type-checks test/types/api.ts against the installed declarations, expected errors included', async () => {
    copyFileSync(`${root}test/types/api.ts`, join(installed, 'api.ts'));
    const compilerOptions = {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [`${root}node_modules/@types`],
    };
    writeFileSync(join(installed, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['api.ts'] }));
    const r = await execa(`${root}node_modules/.bin/tsc`, ['-p', 'tsconfig.json'], { cwd: installed, reject: false });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('the install-time fallback', () => {
  it('builds the helper when the shipped one does not suit this machine (here: a dynamically linked program)', async () => {
    const helper = join(installed, 'node_modules/nsrun/libexec/nsrun-helper');
    copyFileSync('/bin/true', helper);
    expect(readElf(helper)?.interpreter).toBe(true);
    await execa('npm', ['rebuild', 'nsrun'], { cwd: installed });
    expect(readElf(helper)?.interpreter).toBe(false);
    const r = await execa(join(installed, 'node_modules/.bin/nsrun'), ['--flags', 'uts', '--hostname', 'rebuilt', '--', 'hostname'], { reject: false });
    expect(r.stdout).toBe('rebuilt');
  }, 120_000);
});
