// A fresh machine, simulated by a PATH that hides the tools scripts/ci-setup.sh installs: `make test`
// installs them as root (here a stand-in apt-get records what it was asked) or, unprivileged, stops at
// once with one line; the helper is linked with musl whatever the install order.
import { execa } from 'execa';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf.js';
import { asNobody, asRoot, root, TEST_USER, type Identity } from './harness.js';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin'];
let scratch = '';

/** A directory of links to every program of the system directories but `hidden`: a PATH of a machine without them. */
function pathWithout(hidden: readonly string[]): string {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  const linked = new Set<string>(hidden);
  for (const from of SYSTEM_DIRS) {
    for (const name of readdirSync(from)) {
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  chmodSync(dir, 0o755);
  return dir;
}

function as(who: Identity, command: readonly string[], path: string) {
  const [file, ...args] = [...who.prefix, ...command];
  return execa(file as string, args, { cwd: root, reject: false, env: { PATH: path }, extendEnv: false });
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'nsrun-setup-'));
  chmodSync(scratch, 0o755);
});

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('make test on a machine without zsh, tmux and busybox', () => {
  it('stops at once, unprivileged, with one line naming the packages and the command that installs them', async () => {
    const r = await as(asNobody, ['make', '-s', 'test'], pathWithout(['zsh', 'tmux', 'busybox']));
    const said = r.stderr.split('\n').filter((line) => line.startsWith('nsrun:'));
    expect(said).toEqual(['nsrun: make test needs the packages busybox-static zsh tmux; install them with: sudo scripts/ci-setup.sh test']);
    expect(r.stdout).toBe('');
    expect(r.exitCode).not.toBe(0);
  });

  it('as root, installs them with apt-get, saying so in one line', async () => {
    const path = pathWithout(['zsh', 'tmux', 'busybox', 'apt-get']);
    // the stand-in apt-get records its arguments and, for install, puts the real programs back on PATH
    const log = join(scratch, 'apt-get.log');
    writeFileSync(
      join(path, 'apt-get'),
      `#!/bin/sh\necho "$*" >> ${log}\n[ "$1" = update ] || for p in zsh tmux busybox; do ln -s "$(PATH=${SYSTEM_DIRS.join(':')} command -v $p)" ${path}/$p; done\n`,
      { mode: 0o755 },
    );
    const r = await as(asRoot, ['scripts/ci-setup.sh', 'test'], path);
    expect(r.stderr).toBe('nsrun: installing busybox-static zsh tmux for make test');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('update -qq\ninstall -y -qq --no-install-recommends busybox-static zsh tmux\n');
  });

  it('make fuzz, unprivileged without clang, names clang and its libFuzzer runtime', async () => {
    const r = await as(asNobody, ['scripts/ci-setup.sh', 'fuzz'], pathWithout(['clang']));
    expect(r.stderr).toBe('nsrun: make fuzz needs the packages clang libclang-rt-dev; install them with: sudo scripts/ci-setup.sh fuzz');
    expect(r.exitCode).toBe(1);
  });

  it('says nothing and does nothing when everything is there', async () => {
    const r = await as(asNobody, ['scripts/ci-setup.sh', 'test'], SYSTEM_DIRS.join(':'));
    expect(r).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
  });
});

describe('make test without the test user', () => {
  it('as root, creates it with subordinate id ranges, saying so in one line (in a mount namespace whose /etc is a copy)', async () => {
    const etc = join(scratch, 'etc');
    await execa('cp', ['-a', '/etc', etc]);
    for (const file of ['passwd', 'group', 'shadow', 'gshadow', 'subuid', 'subgid']) {
      const path = join(etc, file);
      const lines = readFileSync(path, 'utf8').split('\n');
      writeFileSync(path, lines.filter((line) => !line.startsWith(`${TEST_USER}:`)).join('\n'));
    }
    const inside = `mount --bind ${etc} /etc && scripts/ci-setup.sh test`;
    const r = await as(asRoot, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', inside], SYSTEM_DIRS.join(':'));
    expect(r).toMatchObject({ exitCode: 0, stderr: `nsrun: creating the test user ${TEST_USER}` });
    for (const file of ['passwd', 'subuid', 'subgid']) expect(readFileSync(join(etc, file), 'utf8')).toMatch(new RegExp(`^${TEST_USER}:`, 'm'));
  });
});

describe('the helper, whatever the install order', () => {
  const build = (out: string, path: string) => as(asRoot, ['make', '-s', '-C', 'helper', `OUT=${out}`], path);

  it('unprivileged without musl-gcc, the build says in one line what is lost and how to fix it, and goes on', async () => {
    const r = await as(asNobody, ['scripts/ci-setup.sh', 'helper'], pathWithout(['musl-gcc']));
    expect(r.stderr).toMatch(/^nsrun: musl-gcc not found, so the helper is linked with glibc \(gcc -static\): .*; install musl-tools \(sudo apt-get install musl-tools\) and run make again$/);
    expect(r.exitCode).toBe(0);
  });

  it('is linked with glibc without musl-gcc, with musl once it is installed, and rebuilt only when the compiler changes', async () => {
    const out = mkdtempSync(join(scratch, 'libexec-'));
    const helper = join(out, 'nsrun-helper');
    expect((await build(out, pathWithout(['musl-gcc']))).exitCode).toBe(0);
    expect(readElf(helper)).toMatchObject({ interpreter: false, gnuAbiTag: true });
    expect((await build(out, SYSTEM_DIRS.join(':'))).exitCode).toBe(0);
    expect(readElf(helper)).toMatchObject({ interpreter: false, gnuAbiTag: false });
    const built = statSync(helper).mtimeMs;
    expect(await build(out, SYSTEM_DIRS.join(':'))).toMatchObject({ exitCode: 0, stdout: '' });
    expect(statSync(helper).mtimeMs).toBe(built);
  });
});
