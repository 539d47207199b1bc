// The working directory under the sandbox's mounts: the command enters the caller's directory by
// its path once the mounts are made, so it works in what the sandbox shows there, or nsrun fails
// with one line naming it; never in a host directory a mount has covered. Next to bwrap's behaviour.
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { identities, nsrun, root as repo, type Identity } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-cwd-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rootfs = join(scratch, 'rootfs');
execFileSync(join(repo, 'scripts/mkrootfs.sh'), [rootfs], { stdio: 'ignore' });

/** A directory anyone may write, holding the files named. */
function dirWith(path: string, ...files: string[]): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777);
  for (const f of files) writeFileSync(join(path, f), f);
  return path;
}

/** bwrap with the host's / as its root, as who (in a user namespace of its own), in cwd. */
async function bwrap(args: readonly string[], who: Identity, cwd: string): Promise<{ exitCode: number | undefined; stdout: string }> {
  const [file, ...rest] = [...who.prefix, 'bwrap', '--unshare-all', '--dev-bind', '/', '/', ...args];
  const r = await execa(file as string, rest, { reject: false, cwd, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout) };
}

/** The one line nsrun prints when it cannot enter dir. */
const cannotEnter = (dir: string): RegExp => new RegExp(`^nsrun: cannot enter ${dir}: no such file or directory( \\(hint: [^\\n]*\\))?\\n?$`);

describe.each(identities)('the working directory under the mounts, as $name', (who) => {
  const base = join(scratch, String(who.uid));
  // `here` is the caller's directory on the host; `other` is bound over it or next to it
  const here = join(base, 'here');
  const other = join(base, 'other');
  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
  });
  const setUp = (): void => {
    dirWith(base);
    dirWith(here, 'host-file');
    dirWith(join(here, 'sub'), 'host-sub-file');
    dirWith(join(here, 'host-only'));
    dirWith(other, 'other-file');
    dirWith(join(other, 'sub'), 'other-sub-file');
  };

  it('--tmpfs over it: nsrun fails with one line naming it, with or without --cwd, and writes nothing to the host directory', async () => {
    setUp();
    for (const cwdArgs of [[], ['--cwd', here]]) {
      const r = await nsrun(['--flags', 'all', '--tmpfs', base, ...cwdArgs, '--', 'sh', '-c', 'touch probe'], who, { cwd: here });
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(cannotEnter(here));
    }
    expect(readdirSync(here).sort()).toEqual(['host-file', 'host-only', 'sub']);
    // bwrap: --chdir fails too, and without it the command goes elsewhere ($HOME or /): neither writes here
    expect((await bwrap(['--tmpfs', base, '--chdir', here, '--', 'sh', '-c', 'touch probe'], who, here)).exitCode).not.toBe(0);
    const implicit = await bwrap(['--tmpfs', base, '--', 'sh', '-c', 'touch probe 2>/dev/null; pwd'], who, here);
    expect(implicit.exitCode).toBe(0);
    expect(implicit.stdout).not.toBe(here);
    expect(readdirSync(here).sort()).toEqual(['host-file', 'host-only', 'sub']);
  });

  it('--bind over it: the command works in the bound directory, as bwrap\'s does, with or without --cwd', async () => {
    setUp();
    const script = 'pwd; ls; touch probe';
    for (const cwdArgs of [[], ['--cwd', here]]) {
      const r = await nsrun(['--flags', 'all', '--bind', `${other}:${here}`, ...cwdArgs, '--', 'sh', '-c', script], who, { cwd: here });
      expect(r).toMatchObject({ exitCode: 0, stdout: `${here}\nother-file\nsub`, stderr: '' });
      expect(existsSync(join(other, 'probe'))).toBe(true);
      rmSync(join(other, 'probe'));
    }
    const b = await bwrap(['--bind', other, here, '--', 'sh', '-c', script], who, here);
    expect(b).toEqual({ exitCode: 0, stdout: `${here}\nother-file\nsub` });
    expect(existsSync(join(other, 'probe'))).toBe(true);
    expect(readdirSync(here).sort()).toEqual(['host-file', 'host-only', 'sub']);
  });

  it('a directory below a bind is entered by its path inside the bind, as bwrap does', async () => {
    setUp();
    const sub = join(here, 'sub');
    const r = await nsrun(['--flags', 'all', '--bind', `${other}:${here}`, '--', 'sh', '-c', 'pwd; ls; touch probe'], who, { cwd: sub });
    expect(r).toMatchObject({ exitCode: 0, stdout: `${sub}\nother-sub-file`, stderr: '' });
    expect(readdirSync(join(other, 'sub')).sort()).toEqual(['other-sub-file', 'probe']);
    const b = await bwrap(['--bind', other, here, '--', 'sh', '-c', 'pwd; ls'], who, sub);
    expect(b).toEqual({ exitCode: 0, stdout: `${sub}\nother-sub-file\nprobe` });
    expect(readdirSync(sub)).toEqual(['host-sub-file']);
  });

  it('a directory the bind does not have: nsrun fails with one line naming it, with or without --cwd', async () => {
    setUp();
    const hostOnly = join(here, 'host-only');
    for (const cwdArgs of [[], ['--cwd', hostOnly]]) {
      const r = await nsrun(['--flags', 'all', '--bind', `${other}:${here}`, ...cwdArgs, '--', 'sh', '-c', 'touch probe'], who, { cwd: hostOnly });
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(cannotEnter(hostOnly));
    }
    // bwrap fails with --chdir and leaves the directory without it
    expect((await bwrap(['--bind', other, here, '--chdir', hostOnly, '--', 'true'], who, hostOnly)).exitCode).not.toBe(0);
    expect((await bwrap(['--bind', other, here, '--', 'pwd'], who, hostOnly)).stdout).not.toBe(hostOnly);
    expect(readdirSync(hostOnly)).toEqual([]);
    expect(readdirSync(other).sort()).toEqual(['other-file', 'sub']);
  });

  it('a bind below it leaves the command in the caller\'s directory, which shows the bind', async () => {
    setUp();
    const r = await nsrun(['--flags', 'all', '--bind', `${other}:${join(here, 'sub')}`, '--', 'sh', '-c', 'pwd; ls sub; touch probe'], who, { cwd: here });
    expect(r).toMatchObject({ exitCode: 0, stdout: `${here}\nother-file\nsub`, stderr: '' });
    expect(readdirSync(here).sort()).toEqual(['host-file', 'host-only', 'probe', 'sub']);
  });

  it('with --rootfs the command starts in the new /, whatever the caller\'s directory', async () => {
    setUp();
    const r = await nsrun(['--rootfs', rootfs, '--', '/bin/sh', '-c', 'pwd; ls'], who, { cwd: here });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['/', ...readdirSync(rootfs).sort()]);
  });

  it('without mounts of its own, a new mount namespace keeps the caller\'s directory', async () => {
    setUp();
    const r = await nsrun(['--flags', 'all', '--', 'sh', '-c', 'pwd; ls'], who, { cwd: here });
    expect(r).toMatchObject({ exitCode: 0, stdout: `${here}\nhost-file\nhost-only\nsub`, stderr: '' });
  });

  it('under the host\'s /proc, which the sandbox\'s own /proc covers: nsrun fails with one line, reading nothing of the host', async () => {
    const hostProc = `/proc/${process.pid}`;
    const r = await nsrun(['--flags', 'all', '--', 'sh', '-c', 'head -1 status'], who, { cwd: hostProc });
    expect(r).toMatchObject({ exitCode: 125, stdout: '' });
    expect(r.stderr).toMatch(cannotEnter(hostProc));
    // bwrap leaves it too, for $HOME or /
    const b = await bwrap(['--proc', '/proc', '--', 'pwd'], who, hostProc);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).not.toBe(hostProc);
  });

  it('run --name from a directory the sandbox covers: the holder is made in /, the first command fails naming it', async () => {
    const name = `cwd-holder-${who.uid}-${process.pid}`;
    const hostProc = `/proc/${process.pid}`;
    try {
      const r = await nsrun(['run', '--name', name, '--', 'true'], who, { cwd: hostProc });
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(cannotEnter(hostProc));
      const listed = await nsrun(['ps', '--json'], who);
      expect((JSON.parse(listed.stdout) as { sandboxes: { name: string }[] }).sandboxes.map((s) => s.name)).toContain(name);
      expect(await nsrun(['exec', '--name', name, '--', 'pwd'], who)).toMatchObject({ exitCode: 0, stdout: '/' });
    } finally {
      await nsrun(['rm', name], who);
    }
  });

  it('exec into a kept sandbox whose mounts cover it: --cwd fails with one line, the default is /', async () => {
    setUp();
    const name = `cwd-${who.uid}-${process.pid}`;
    try {
      const made = await nsrun(['run', '--name', name, '--flags', 'all', '--', 'mount', '-t', 'tmpfs', 'cover', base], who);
      expect(made).toMatchObject({ exitCode: 0, stderr: '' });
      const r = await nsrun(['exec', '--name', name, '--cwd', here, '--', 'sh', '-c', 'touch probe'], who, { cwd: here });
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(cannotEnter(here));
      const d = await nsrun(['exec', '--name', name, '--', 'sh', '-c', `pwd; ls ${base}`], who, { cwd: here });
      expect(d).toMatchObject({ exitCode: 0, stdout: '/', stderr: '' });
      expect(readdirSync(here).sort()).toEqual(['host-file', 'host-only', 'sub']);
    } finally {
      await nsrun(['rm', name], who);
    }
  });
});
