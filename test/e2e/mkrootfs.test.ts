// scripts/mkrootfs.sh, both ways (busybox-static, the host's programs): the programs a script
// needs are real files in the rootfs (not the shell's builtins), and localhost resolves inside.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { identities, nsrun, root as repo } from './harness.js';

const mkrootfs = join(repo, 'scripts/mkrootfs.sh');
const scratch = mkdtempSync(join(tmpdir(), 'nsrun-mkrootfs-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();

/** A root filesystem made by the script as root, with these flags. */
function makeRootfs(name: string, ...flags: string[]): string {
  const dir = join(scratch, name);
  execFileSync(mkrootfs, [...flags, dir], { stdio: 'ignore' });
  return dir;
}

const kinds = [
  { kind: 'busybox-static', dir: makeRootfs('busybox') },
  { kind: 'the host\'s programs', dir: makeRootfs('host', '--from-host') },
];

describe.each(identities)('a rootfs of scripts/mkrootfs.sh, as $name', (who) => {
  describe.each(kinds)('made from $kind', ({ kind, dir }) => {
    it('says what it was made from', () => {
      expect(readFileSync(join(dir, 'etc/nsrun-rootfs'), 'utf8')).toBe(`a root filesystem for nsrun, made by scripts/mkrootfs.sh from ${kind}\n`);
    });

    it('has /bin/true and /bin/false as programs, which exit 0 and 1', async () => {
      expect(await nsrun(['--rootfs', dir, '--', '/bin/true'], who)).toMatchObject({ exitCode: 0, stderr: '' });
      expect(await nsrun(['--rootfs', dir, '--', '/bin/false'], who)).toMatchObject({ exitCode: 1, stderr: '' });
    });

    it('has /bin/echo, /bin/test and /bin/wc as programs', async () => {
      expect(await nsrun(['--rootfs', dir, '--', '/bin/echo', 'a', 'b'], who)).toMatchObject({ exitCode: 0, stdout: 'a b' });
      expect((await nsrun(['--rootfs', dir, '--', '/bin/test', '-d', '/etc'], who)).exitCode).toBe(0);
      expect((await nsrun(['--rootfs', dir, '--', '/bin/test', '-e', '/no-such-file'], who)).exitCode).toBe(1);
      const r = await nsrun(['--rootfs', dir, '--', '/bin/sh', '-c', 'printf "one two\\nthree\\n" | /bin/wc -l -w'], who);
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout.trim().split(/\s+/)).toEqual(['2', '3']);
    });

    it('resolves localhost from its own /etc/hosts', async () => {
      // hostname -i looks the host name up, here localhost, through the resolver: /etc/hosts, no network
      const r = await nsrun(['--rootfs', dir, '--flags', 'all', '--hostname', 'localhost', '--', '/bin/hostname', '-i'], who);
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout.split(/\s+/)).toContain('127.0.0.1');
    });

    it('knows root by name', async () => {
      const r = await nsrun(['--rootfs', dir, '--flags', 'all', '--', '/bin/sh', '-c', 'id -un; id -gn'], who);
      expect(r).toMatchObject({ exitCode: 0, stdout: 'root\nroot', stderr: '' });
    });
  });

  it('from the host, getent finds localhost in /etc/hosts, as on the host', async () => {
    const dir = kinds[1]?.dir ?? '';
    const r = await nsrun(['--rootfs', dir, '--flags', 'all', '--', '/bin/getent', 'hosts', 'localhost'], who);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toMatch(/^(::1|127\.0\.0\.1)\s+localhost\b/);
    expect(execFileSync('getent', ['hosts', 'localhost'], { encoding: 'utf8' })).toMatch(/^(::1|127\.0\.0\.1)\s+localhost\b/);
  });
});

describe('make rootfs on a machine without busybox-static', () => {
  it('falls back to the host\'s programs, and the README\'s tour works in the result', async () => {
    const dir = join(scratch, 'no-busybox');
    // busybox covered with /dev/null, in a mount namespace of the script's own
    const made = await nsrun(['--flags', 'all', '--bind', `/dev/null:${busybox}`, '--', mkrootfs, dir]);
    expect(made).toMatchObject({ exitCode: 0, stdout: `made ${dir} from the host's programs` });
    const tour = 'hostname box; hostname; ps -o pid=,comm=; id; ip -o link; cat /etc/nsrun-rootfs; /bin/true && echo true';
    const r = await nsrun(['--rootfs', dir, '--flags', 'all', '--', '/bin/sh', '-c', tour]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('box');
    expect(lines[1]).toBe('1 sh');
    expect(lines[2]).toMatch(/^\d+ ps$/);
    expect(lines[3]).toBe('uid=0(root) gid=0(root) groups=0(root)');
    expect(lines[4]).toMatch(/^1: lo: /);
    expect(lines.slice(5)).toEqual(["a root filesystem for nsrun, made by scripts/mkrootfs.sh from the host's programs", 'true']);
  });
});
