// bin/nsrun compiles its bundle from a V8 code cache: the user's own for the node that runs, in
// $XDG_CACHE_HOME/nsrun, written once the run path has run, else dist/nsrun.cache of the node that
// built. Whatever lies where the cache should be, a start behaves as without one, and the user's
// cache is written again, for this bundle, in a form this node takes.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asNobody, asRoot, identities, nsrun, root, type Identity } from './harness.js';

const bundle = join(root, 'dist/nsrun.cjs');
/** The bundle's first line, its build id, with which every cache made from it starts. */
const build = readFileSync(bundle, 'utf8').split('\n')[0] + '\n';
const cacheName = `${process.version}-${process.arch}.cache`;

let home: string;
beforeEach(() => {
  home = mkdtempSync('/tmp/nsrun-code-cache-');
  chmodSync(home, 0o755);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** An XDG_CACHE_HOME of `who`'s own, and the file its cache for this node would be. */
function cacheHome(who: Identity): { xdg: string; file: string } {
  const xdg = join(home, `cache-${who.uid}`);
  mkdirSync(xdg);
  chownSync(xdg, who.uid, who.uid);
  return { xdg, file: join(xdg, 'nsrun', cacheName) };
}

/** Whether this node, in a process of its own, takes `data` as the bundle's code cache (as bin/nsrun wraps it). */
function accepted(data: Buffer): boolean {
  const probe = `const { readFileSync } = require('node:fs');
const text = readFileSync(process.argv[1], 'utf8');
const source = \`(function (exports, require, module, __filename, __dirname) { \${text}\\n});\`;
const script = new (require('node:vm').Script)(source, { filename: process.argv[1], cachedData: readFileSync(0) });
process.stdout.write(String(!script.cachedDataRejected));`;
  return execFileSync(process.execPath, ['-e', probe, bundle], { input: data, encoding: 'utf8' }) === 'true';
}

/** A cache file's data, when it was made from this bundle. */
function cacheOf(file: string): Buffer | undefined {
  try {
    const data = readFileSync(file);
    return data.subarray(0, build.length).toString() === build ? data.subarray(build.length) : undefined;
  } catch {
    return undefined;
  }
}

/** The code cache bin/nsrun takes for this node: the user's, if made from this bundle, else the one `make` wrote. */
function cacheInUse(file: string): Buffer {
  const data = cacheOf(file) ?? cacheOf(join(root, 'dist/nsrun.cache'));
  expect(data).toBeDefined();
  return data ?? Buffer.alloc(0);
}

/** Runs a command that prints and exits 7, with the cache home `xdg`, and checks what the caller sees. */
async function runsAsWithout(who: Identity, xdg: string): Promise<void> {
  const r = await nsrun(['--flags', 'uts,ipc,pid,ns,user', '--', 'sh', '-c', 'echo ran; exit 7'], who, { env: { XDG_CACHE_HOME: xdg } });
  expect(r).toMatchObject({ exitCode: 7, stdout: 'ran', stderr: '' });
}

/** What may lie where the user's cache is, made from `cache`, the one a first run left in use. */
const found: readonly (readonly [string, (file: string, cache: Buffer) => void])[] = [
  ['nothing', () => undefined],
  ['an empty file', (file) => writeFileSync(file, '')],
  ['the build id alone', (file) => writeFileSync(file, build)],
  ['the build id, then bytes that are no cache', (file) => writeFileSync(file, Buffer.concat([Buffer.from(build), Buffer.alloc(100_000, 0xa5)]))],
  ['a cache of this node, cut short', (file, cache) => writeFileSync(file, Buffer.concat([Buffer.from(build), cache.subarray(0, 4000)]))],
  [
    "the cache of another build (another bundle's id)",
    (file, cache) => writeFileSync(file, Buffer.concat([Buffer.from('// nsrun build 0123456789abcdef0123456789abcdef\n'), cache])),
  ],
];

describe.each(identities)('the code cache, as $name', (who) => {
  it.each(found)('with %s there, a run is as without a cache, and leaves a cache of this bundle that this node takes', async (what, put) => {
    const { xdg, file } = cacheHome(who);
    // a first run leaves the cache in use, from which the damaged ones are made
    await runsAsWithout(who, xdg);
    const first = cacheInUse(file);
    expect(accepted(first)).toBe(true);
    mkdirSync(join(xdg, 'nsrun'), { recursive: true });
    chownSync(join(xdg, 'nsrun'), who.uid, who.uid);
    rmSync(file, { force: true });
    put(file, first);
    if (what !== 'nothing') chownSync(file, who.uid, who.uid);
    await runsAsWithout(who, xdg);
    expect(accepted(cacheInUse(file))).toBe(true);
  });

  it('a cache home that cannot hold a cache (a file) leaves every command working', async () => {
    const xdg = join(home, `not-a-dir-${who.uid}`);
    writeFileSync(xdg, 'x');
    chownSync(xdg, who.uid, who.uid);
    await runsAsWithout(who, xdg);
    const version = await nsrun(['--version'], who, { env: { XDG_CACHE_HOME: xdg } });
    expect(version).toMatchObject({ exitCode: 0, stderr: '' });
    expect(version.stdout).toMatch(/^nsrun \d/);
    const usage = await nsrun(['--flags', 'nope', '--', 'true'], who, { env: { XDG_CACHE_HOME: xdg } });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/^nsrun: [^\n]*nope[^\n]*$/);
  });

  it('a command other than run or exec writes no cache of its own', async () => {
    const { xdg, file } = cacheHome(who);
    for (const args of [['--version'], ['help'], ['ps'], ['ls', '--help']]) {
      const r = await nsrun(args, who, { env: { XDG_CACHE_HOME: xdg } });
      expect(r.exitCode, args.join(' ')).toBe(0);
    }
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});

describe('a cache home that is not the user\'s own', () => {
  it("root given uid 65534's cache home writes nothing there, neither a cache nor through a link in the way", async () => {
    const { xdg, file } = cacheHome(asNobody);
    mkdirSync(join(xdg, 'nsrun'));
    chownSync(join(xdg, 'nsrun'), asNobody.uid, asNobody.uid);
    writeFileSync(file, Buffer.concat([Buffer.from(build), Buffer.alloc(1000, 0xa5)]));
    chownSync(file, asNobody.uid, asNobody.uid);
    await runsAsWithout(asRoot, xdg);
    expect(readdirSync(join(xdg, 'nsrun')).map((name) => statSync(join(xdg, 'nsrun', name)).uid)).toEqual([asNobody.uid]);
    expect(cacheOf(file)).toEqual(Buffer.alloc(1000, 0xa5));
  });

  it('a cache directory that others may write is not used: the user\'s run leaves its file as it was', async () => {
    for (const who of identities) {
      const { xdg } = cacheHome(who);
      mkdirSync(join(xdg, 'nsrun'), { mode: 0o777 });
      chmodSync(join(xdg, 'nsrun'), 0o777);
      chownSync(join(xdg, 'nsrun'), who.uid, who.uid);
      await runsAsWithout(who, xdg);
      expect(readdirSync(join(xdg, 'nsrun'))).toEqual([]);
    }
  });
});
