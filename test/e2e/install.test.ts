// make install PREFIX=… DESTDIR=…: the layout of a distribution package, and the installed nsrun running.
import { execa } from 'execa';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor.js';
import { readElf } from '../../src/elf.js';
import { identities, root } from './harness.js';

let destdir = '';
const prefix = '/usr';
const at = (path: string): string => join(destdir, prefix, path);

beforeAll(async () => {
  destdir = mkdtempSync(join(tmpdir(), 'nsrun-destdir-'));
  chmodSync(destdir, 0o755);
  await execa('make', ['-C', root, 'install', `PREFIX=${prefix}`, `DESTDIR=${destdir}`]);
}, 180_000);

afterAll(() => {
  if (destdir !== '') rmSync(destdir, { recursive: true, force: true });
});

describe('make install', () => {
  it('puts the command in bin, the package in lib/nsrun, the static helper in lib/nsrun/libexec', () => {
    expect(lstatSync(at('bin/nsrun')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('bin/nsrun'))).toBe('../lib/nsrun/bin/nsrun');
    expect(lstatSync(at('lib/nsrun/dist/index.js')).isFile()).toBe(true);
    expect(existsSync(at('lib/nsrun/node_modules'))).toBe(false);
    expect(readElf(at('lib/nsrun/libexec/nsrun-helper'))?.interpreter).toBe(false);
    expect(lstatSync(at('lib/nsrun/libexec/nsrun-helper')).mode & 0o7777).toBe(0o755);
  });

  it('installs the bash, zsh and fish completions where those shells look', async () => {
    await execa('bash', ['-n', at('share/bash-completion/completions/nsrun')]);
    await execa('zsh', ['-n', at('share/zsh/site-functions/_nsrun')]);
    await execa('fish', ['--no-config', '-n', at('share/fish/vendor_completions.d/nsrun.fish')]);
  });

  it('installs nsrun(1) where man looks for it under the prefix', async () => {
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', MANWIDTH: '80' };
    const { stdout } = await execa('man', ['-M', at('share/man'), 'nsrun'], { env, extendEnv: false });
    expect(stdout).toMatch(/^NSRUN\(1\) +User Commands +NSRUN\(1\)$/m);
    expect(lstatSync(at('share/man/man1/nsrun.1')).mode & 0o777).toBe(0o644);
  });
});

describe.each(identities)('the installed nsrun, as $name', (who) => {
  const run = (args: readonly string[]) => {
    const [file, ...rest] = [...who.prefix, at('bin/nsrun'), ...args];
    return execa(file as string, rest, { reject: false, cwd: '/' });
  };

  it('shows its help with nothing installed beside it', async () => {
    const r = await run(['--help']);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toMatch(/^nsrun \[run\] \[options\]/);
    expect(r.stdout).toContain('--flags <value>');
  });

  it('runs a command in a new namespace', async () => {
    const r = await run(['--flags', 'uts', '--hostname', 'installed', '--', 'hostname']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'installed', stderr: '' });
  });

  it('finds its installed helper (nsrun doctor --json)', async () => {
    const r = await run(['doctor', '--json']);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.helper.path).toBe(at('lib/nsrun/libexec/nsrun-helper'));
    expect(report.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});
