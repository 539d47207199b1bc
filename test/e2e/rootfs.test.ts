// --rootfs, --bind, --ro-bind, --tmpfs, --dev, --read-only: a container from a directory, seen from inside and from the host.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostState, identities, nsrun, root as repo } from './harness.js';

const mkrootfs = join(repo, 'scripts/mkrootfs.sh');
const scratch = mkdtempSync(join(tmpdir(), 'nsrun-rootfs-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A root filesystem made by the script, readable by everyone. */
function makeRootfs(name: string, ...flags: string[]): string {
  const dir = join(scratch, name);
  execFileSync(mkrootfs, [...flags, dir], { stdio: 'ignore' });
  return dir;
}

const rootfs = makeRootfs('busybox');
const MARKER = 'a root filesystem for nsrun, made by scripts/mkrootfs.sh from busybox-static';

/** A directory on the host that anyone may write. */
function sharedDir(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return dir;
}

/** The mount points of a mountinfo text, in order. */
function mountPoints(mountinfo: string): string[] {
  return mountinfo.trim().split('\n').map((line) => line.split(' ')[4] ?? '');
}

describe('mkrootfs.sh', () => {
  it('builds from busybox-static when it is installed', () => {
    expect(readFileSync(join(rootfs, 'etc/nsrun-rootfs'), 'utf8').trim()).toBe(MARKER);
    expect(readdirSync(rootfs).sort()).toEqual(['bin', 'dev', 'etc', 'home', 'mnt', 'proc', 'root', 'sbin', 'sys', 'tmp', 'usr']);
  });

  it('refuses to replace a directory it did not make', () => {
    const dir = sharedDir('not-a-rootfs');
    writeFileSync(join(dir, 'keep'), 'mine');
    expect(() => execFileSync(mkrootfs, [dir], { stdio: 'pipe' })).toThrow(/was not made by/);
    expect(readFileSync(join(dir, 'keep'), 'utf8')).toBe('mine');
  });
});

describe.each(identities)('--rootfs, as $name', (who) => {
  it('makes the directory the sandbox\'s /: its marker is there, the host\'s files are not', async () => {
    const r = await nsrun(['--rootfs', rootfs, '--', '/bin/sh', '-c', `cat /etc/nsrun-rootfs; ls /; test -e ${scratch} || echo no-host-scratch`], who);
    expect(r.stderr).toBe('');
    const [marker, ...rest] = r.stdout.split('\n');
    expect(marker).toBe(MARKER);
    expect(rest.at(-1)).toBe('no-host-scratch');
    const inside = rest.slice(0, -1);
    expect(inside).toEqual(readdirSync(rootfs).sort());
    expect(inside).not.toEqual(readdirSync('/').sort());
  });

  it('leaves no way back to the old root: /.., /proc/1/root and the mount table all stay inside', async () => {
    const script = 'ls /; echo --; ls /..; echo --; cd /../../..; pwd; echo --; ls /proc/1/root/; echo --; cat /proc/self/mountinfo';
    const r = await nsrun(['--rootfs', rootfs, '--flags', 'all', '--', '/bin/sh', '-c', script], who);
    const [top, up, pwd, pid1root, mountinfo] = r.stdout.split('\n--\n');
    expect(up).toBe(top);
    expect(pwd).toBe('/');
    expect(pid1root).toBe(top);
    const points = mountPoints(mountinfo ?? '');
    expect(points[0]).toBe('/');
    expect(points.filter((p) => p === '/')).toHaveLength(1);
    expect(points.every((p) => p === '/' || /^\/(proc|sys)(\/|$)/.test(p))).toBe(true);
    // the root mount is the rootfs, not the host's /
    expect(mountinfo?.split('\n')[0]?.split(' ')[3]).toMatch(new RegExp(`/${basename(rootfs)}$`));
  });

  it('lists only the sandbox\'s mounts in `mount`', async () => {
    const r = await nsrun(['--rootfs', rootfs, '--dev', '--tmpfs', '/tmp', '--', '/bin/mount'], who);
    const points = r.stdout.trim().split('\n').map((line) => line.split(' ')[2]);
    expect(points.slice(0, 3)).toEqual(['/', '/proc', '/sys']);
    expect(points).toContain('/dev/pts');
    expect(points).toContain('/tmp');
    expect(points).not.toContain(scratch);
  });

  it('mounts a fresh /proc with a pid namespace, showing only the sandbox\'s processes', async () => {
    const r = await nsrun(['--rootfs', rootfs, '--', '/bin/sh', '-c', 'ls -d /proc/[0-9]*; true'], who);
    const pids = r.stdout.split('\n');
    expect(pids).toContain('/proc/1');
    expect(pids.length).toBeLessThanOrEqual(2);
    expect(pids).not.toContain(`/proc/${process.pid}`);
  });

  it('binds the host\'s /proc without a pid namespace, with /proc/sys read-only', async () => {
    const r = await nsrun(['--rootfs', rootfs, '--flags', 'ns', '--', '/bin/sh', '-c', `test -d /proc/${process.pid} && echo host-proc; echo x > /proc/sys/kernel/hostname`], who);
    expect(r.stdout).toBe('host-proc');
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('masks /proc paths as runc does: /proc/timer_list reads empty, /proc/sys cannot be written', async () => {
    const script = 'wc -c < /proc/timer_list; grep -c " /proc/timer_list " /proc/self/mountinfo; echo x > /proc/sys/kernel/hostname';
    const r = await nsrun(['--rootfs', rootfs, '--', '/bin/sh', '-c', script], who);
    expect(r.stdout.split('\n').map((s) => s.trim())).toEqual(['0', '1']);
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('runs the seeds\' tour inside: its own hostname, processes, root identity and network', async () => {
    const script = 'hostname; id -u; ip -o link | wc -l; ps -o pid,comm; true';
    const r = await nsrun(['--rootfs', rootfs, '--flags', 'all', '--hostname', 'box', '--', '/bin/sh', '-c', script], who);
    const [hostname, uid, links, , ...processes] = r.stdout.split('\n').map((s) => s.trim());
    expect([hostname, uid, links]).toEqual(['box', '0', '1']);
    expect(processes[0]).toBe('1 sh');
    expect(processes).toHaveLength(2); // the shell and ps
  });

  it('--ro-bind cannot be written, even by root inside, and is read-only all the way down', async () => {
    const dir = sharedDir(`ro-${who.uid}`);
    const script = 'touch /mnt/data/x; grep " /mnt/sys" /proc/self/mountinfo';
    const binds = ['--tmpfs', '/mnt', '--ro-bind', `${dir}:/mnt/data`, '--ro-bind', '/sys:/mnt/sys'];
    const r = await nsrun(['--rootfs', rootfs, ...binds, '--', '/bin/sh', '-c', script], who);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1); // /sys and its submounts
    expect(lines.every((line) => /^\S+ \S+ \S+ \S+ \S+ ro[ ,]/.test(line))).toBe(true);
  });

  it('--bind writes land on the host path', async () => {
    const dir = sharedDir(`rw-${who.uid}`);
    const r = await nsrun(['--rootfs', rootfs, '--bind', `${dir}:/mnt`, '--', '/bin/sh', '-c', 'echo written > /mnt/out'], who);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('written\n');
  });

  it('--tmpfs contents vanish after the run, and size= limits it', async () => {
    const first = await nsrun(['--rootfs', rootfs, '--tmpfs', '/tmp:size=1m', '--', '/bin/sh', '-c', 'echo gone > /tmp/f && grep " /tmp " /proc/self/mountinfo'], who);
    expect(first.stdout).toMatch(/size=1024k/);
    expect(existsSync(join(rootfs, 'tmp/f'))).toBe(false);
    const second = await nsrun(['--rootfs', rootfs, '--tmpfs', '/tmp', '--', '/bin/ls', '-A', '/tmp'], who);
    expect(second).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it('applies mounts in the order given', async () => {
    const dir = sharedDir(`order-${who.uid}`);
    writeFileSync(join(dir, 'seen'), 'yes');
    chmodSync(join(dir, 'seen'), 0o644);
    const over = await nsrun(['--rootfs', rootfs, '--tmpfs', '/mnt', '--ro-bind', `${dir}:/mnt/x`, '--', '/bin/cat', '/mnt/x/seen'], who);
    expect(over.stdout).toBe('yes');
    const under = await nsrun(['--rootfs', rootfs, '--tmpfs', '/tmp', '--ro-bind', `${dir}:/tmp/x`, '--tmpfs', '/tmp', '--', '/bin/ls', '-A', '/tmp'], who);
    expect(under).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it('--dev gives a working /dev/null, the standard links and a pty', async () => {
    const script = 'echo x > /dev/null && wc -c < /dev/null; readlink /dev/fd; readlink /dev/ptmx; test -c /dev/pts/ptmx && exec 3<>/dev/ptmx && ls /dev/pts';
    const r = await nsrun(['--rootfs', rootfs, '--dev', '--', '/bin/sh', '-c', script], who);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').map((s) => s.trim())).toEqual(['0', '/proc/self/fd', 'pts/ptmx', '0', 'ptmx']);
  });

  it('--read-only makes the root unwritable while a --tmpfs on it stays writable', async () => {
    const r = await nsrun(['--rootfs', rootfs, '--read-only', '--tmpfs', '/tmp', '--', '/bin/sh', '-c', 'touch /tmp/ok && echo tmp-ok; touch /new'], who);
    expect(r.stdout).toBe('tmp-ok');
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(rootfs, 'new'))).toBe(false);
  });

  it('enters / unless --cwd names a directory inside the rootfs', async () => {
    const a = await nsrun(['--rootfs', rootfs, '--', '/bin/pwd'], who);
    const b = await nsrun(['--rootfs', rootfs, '--cwd', 'etc', '--', '/bin/pwd'], who);
    expect([a.stdout, b.stdout]).toEqual(['/', '/etc']);
  });

  it('also runs from a rootfs of the host\'s own programs and libraries', async () => {
    const fromHost = makeRootfs(`host-${who.uid}`, '--from-host');
    const r = await nsrun(['--rootfs', fromHost, '--', '/bin/sh', '-c', 'cat /etc/nsrun-rootfs; /bin/ls /bin | grep -c .'], who);
    expect(r.stdout.split('\n')[0]).toMatch(/from the host's programs$/);
    expect(Number(r.stdout.split('\n')[1])).toBeGreaterThan(5);
  });

  it('resolves mount points inside the rootfs: symlinks in it cannot send a new mount point to the host', async () => {
    const own = makeRootfs(`symlink-${who.uid}`);
    const target = sharedDir(`symlink-target-${who.uid}`);
    const name = `nsrun-escape-${who.uid}`;
    mkdirSync(join(own, target), { recursive: true });
    symlinkSync(target, join(own, 'absolute')); // on the host, this leads to the host's directory
    symlinkSync('../../../../../../..', join(own, 'up')); // and this to the host's /
    execFileSync('chown', ['-R', '-h', `${who.uid}:${who.uid}`, own]);
    const r = await nsrun(['--rootfs', own, '--tmpfs', '/absolute/made', '--tmpfs', `/up/${name}`, '--', '/bin/true'], who);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(existsSync(join(target, 'made'))).toBe(false);
    expect(existsSync(join('/', name))).toBe(false);
    expect(existsSync(join(own, target, 'made'))).toBe(true);
    expect(existsSync(join(own, name))).toBe(true);
  });

  it('--dry-run shows ns added for --rootfs and the mounts in order', async () => {
    const r = await nsrun(['--dry-run', '--flags', 'uts', '--rootfs', rootfs, '--dev', '--tmpfs', '/tmp', '--ro-bind', '/etc:/mnt', '--', 'true'], who);
    const config = JSON.parse(r.stdout) as { namespaces: string[]; mounts: unknown[] };
    expect(config.namespaces).toContain('mnt');
    expect(config.mounts).toEqual([
      { type: 'dev', destination: '/dev' },
      { type: 'tmpfs', destination: '/tmp' },
      { type: 'bind', source: '/etc', destination: '/mnt', 'read-only': true },
    ]);
  });

  it('mounts without --rootfs go on the host\'s tree in the new mount namespace only', async () => {
    const dir = sharedDir(`plain-${who.uid}`);
    const before = hostState();
    const r = await nsrun(['--flags', 'pid', '--tmpfs', dir, '--', 'sh', '-c', `touch ${dir}/inside && ls ${dir}`], who);
    expect(r.stdout).toBe('inside');
    expect(existsSync(join(dir, 'inside'))).toBe(false);
    expect(hostState()).toEqual(before);
  });

  it('leaves the host\'s mount table as it was, after a run and after a setup that fails midway', async () => {
    const before = hostState();
    const ok = await nsrun(['--rootfs', rootfs, '--dev', '--tmpfs', '/tmp', '--ro-bind', '/etc:/mnt', '--', 'true'], who);
    const failed = await nsrun(['--rootfs', rootfs, '--dev', '--tmpfs', '/tmp', '--bind', `${scratch}/vanished:/mnt`, '--', 'true'], who);
    expect([ok.exitCode, failed.exitCode]).toEqual([0, 125]);
    expect(hostState()).toEqual(before);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(rootfs);
  });
});

describe.each(identities)('--rootfs and mount errors, as $name', (who) => {
  const file = join(scratch, 'a-file');
  writeFileSync(file, '');
  const table: readonly (readonly [readonly string[], number, string])[] = [
    [['--rootfs', '/nonexistent'], 125, 'nsrun: cannot use /nonexistent as the root filesystem (--rootfs): no such file or directory'],
    [['--rootfs', file], 125, `nsrun: cannot use ${file} as the root filesystem (--rootfs): not a directory`],
    [['--rootfs', rootfs, '--bind', '/nonexistent:/mnt'], 125, 'nsrun: cannot open the source /nonexistent of --bind /nonexistent:/mnt: no such file or directory'],
    [['--rootfs', rootfs, '--bind', '/etc:mnt'], 2, "nsrun: invalid --bind '/etc:mnt': the destination must be an absolute path inside the sandbox"],
    [['--rootfs', rootfs, '--ro-bind', '/etc'], 2, "nsrun: invalid --ro-bind '/etc': expected SRC:DST, two paths without ':'"],
    [['--rootfs', rootfs, '--tmpfs', 'tmp'], 2, "nsrun: invalid --tmpfs 'tmp': the destination must be an absolute path inside the sandbox"],
    [['--rootfs', rootfs, '--tmpfs', '/mnt/../etc'], 2, "nsrun: invalid --tmpfs '/mnt/../etc': the destination must not contain '..'"],
    [['--rootfs', rootfs, '--tmpfs', '/tmp:size=lots'], 2, "nsrun: invalid --tmpfs '/tmp:size=lots': expected size=N with N from 1 to 1125899906842624 bytes, optionally with a k, m or g suffix"],
    [['--rootfs', ''], 2, "nsrun: invalid --rootfs '': expected a path without NUL"],
    [['--read-only'], 2, 'nsrun: --read-only needs --rootfs DIR'],
    [['--rootfs', rootfs, '--propagation', 'shared'], 2, 'nsrun: --propagation shared cannot be used with --rootfs or mounts, which need private or slave'],
    [
      ['--rootfs', rootfs, '--ro-bind', '/etc:/mnt', '--bind', '/tmp:/mnt/nsrun-new'],
      125,
      `nsrun: cannot create the mount point /mnt/nsrun-new of --bind /tmp:/mnt/nsrun-new in the root filesystem ${rootfs}: read-only file system ` +
        '(hint: nothing can be created there: the path lies on a read-only mount or in a directory you may not write; ' +
        'create /mnt/nsrun-new beforehand, or mount a --tmpfs on a directory above it first)',
    ],
    [
      ['--bind', '/etc:/nonexistent-mount-point'],
      125,
      'nsrun: cannot open the mount point /nonexistent-mount-point of --bind /etc:/nonexistent-mount-point: no such file or directory ' +
        "(hint: outside --rootfs nsrun creates no mount points on the host's tree; create /nonexistent-mount-point first)",
    ],
  ];

  it.each(table.map(([args, code, line]) => ({ shown: args.join(' '), args, code, line })))('$shown → exit $code, one line', async ({ args, code, line }) => {
    const before = hostState();
    const r = await nsrun([...args, '--', '/bin/true'], who);
    expect(r).toMatchObject({ exitCode: code, stderr: line, stdout: '' });
    expect(hostState()).toEqual(before);
  });

  it('names the rootfs when the command is not inside it (exit 127)', async () => {
    const r = await nsrun(['--rootfs', rootfs, '--', 'node', '-e', '0'], who);
    expect(r).toMatchObject({ exitCode: 127, stderr: `nsrun: node: command not found in the root filesystem ${rootfs}` });
  });

  it(who.uid === 0 ? 'creates a missing mount point in the rootfs as root' : 'cannot create a mount point in a rootfs owned by root', async () => {
    const own = makeRootfs(`missing-point-${who.uid}`);
    const r = await nsrun(['--rootfs', own, '--tmpfs', '/made/here', '--', '/bin/true'], who);
    if (who.uid === 0) {
      expect(r.exitCode).toBe(0);
      expect(existsSync(join(own, 'made/here'))).toBe(true);
    } else {
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toBe(
        `nsrun: cannot create the mount point /made/here of --tmpfs /made/here in the root filesystem ${own}: permission denied ` +
          '(hint: nothing can be created there: the path lies on a read-only mount or in a directory you may not write; ' +
          'create /made/here beforehand, or mount a --tmpfs on a directory above it first)',
      );
    }
  });
});
