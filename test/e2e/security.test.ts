// The security model of docs/security.md, tried as a hostile command would: fds it was not
// given, the /proc masks under a racing rootfs, the host's files and kernel settings.
import { execa } from 'execa';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asNobody, asRoot, asUid, identities, nsrun, nsrunBin, root as repo, testUserId, type Identity, type Outcome } from './harness.js';
import { compileC } from './probes.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-security-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rootfs = join(scratch, 'rootfs');
/** How many sandboxes each race starts (bounded: the race is won or lost in each one). */
const RACE_RUNS = 40;
execFileSync(join(repo, 'scripts/mkrootfs.sh'), [rootfs], { stdio: 'ignore' });

/** A directory of who's own, which it could write through an fd it reached. */
function ownDirectory(name: string, who: Identity): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  chownSync(dir, who.uid, who.uid);
  return dir;
}

/** Runs nsrun args as who from a shell, with fd 200 open on dir (not close-on-exec, as bash leaves it; dash knows only fds 0-9). */
async function withFd200(who: Identity, dir: string, args: readonly string[]): Promise<Outcome> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const [file, ...rest] = [...who.prefix, 'bash', '-c', `exec ${nsrunBin} ${quoted} 200<'${dir}'`];
  const r = await execa(file as string, rest, { reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

const reach = (path: string): string[] => ['sh', '-c', `test -d ${path}/ && echo reached || echo refused`];

describe.each(identities)('fds the caller did not pass on, as $name', (who) => {
  it('--init: PID 1 keeps none of them, and /proc/1/fd/N does not lead to them', async () => {
    const dir = ownDirectory(`init-fd-${who.uid}`, who);
    const r = await withFd200(who, dir, ['--rootfs', rootfs, '--init', '--', ...reach('/proc/1/fd/200')]);
    expect(r.stdout).toBe('refused');
    expect(r.exitCode).toBe(0);
  });

  it('--init --preserve-fds: the command gets the preserved fd, PID 1 does not keep it', async () => {
    const dir = ownDirectory(`init-preserved-${who.uid}`, who);
    const script = 'test -d /proc/self/fd/3/ && echo command-has-3; test -d /proc/1/fd/3/ && echo init-has-3; true';
    const [file, ...rest] = [...who.prefix, 'sh', '-c', `exec ${nsrunBin} --init --preserve-fds 1 -- sh -c '${script}' 3<'${dir}'`];
    const r = await execa(file as string, rest, { reject: false, stdin: 'ignore' });
    expect(r.stdout).toBe('command-has-3');
  });
});

// root-only: an unprivileged command is in a user namespace, which never lets it into the helper's /proc
it('without a pid namespace, the helper holds none of them for the command to reach', async () => {
  const dir = ownDirectory('helper-fd', asRoot);
  const r = await withFd200(asRoot, dir, ['--flags', 'ns', '--', ...reach('/proc/$PPID/fd/200')]);
  expect(r.stdout).toBe('refused');
});

describe.each(identities)('--init and the signal the command died of, as $name', (who) => {
  it('the status stream carries it', async () => {
    const r = await nsrun(['--status-fd', '-', '--init', '--', 'sh', '-c', 'kill -TERM $$'], who);
    expect(r.exitCode).toBe(143);
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual({ 'exit-code': 143, signal: 15 });
  });

  it('an exit with 143 is still no signal', async () => {
    const r = await nsrun(['--status-fd', '-', '--init', '--', 'sh', '-c', 'exit 143'], who);
    expect(JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '')).toEqual({ 'exit-code': 143 });
  });

  it('the API reports it', async () => {
    const script =
      "import { run } from './src/index.js';" +
      "const r = await run(['sh', '-c', 'kill -TERM $$'], { init: true }).catch((e) => e);" +
      'console.log(JSON.stringify({ exitCode: r.exitCode, signal: r.signal }));';
    const [file, ...args] = [...who.prefix, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
    const r = await execa(file as string, args, { cwd: repo, reject: false, stdin: 'ignore' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ exitCode: 143, signal: 'SIGTERM' });
  });
});

/** A racer that swaps rootfs/proc with a symlink to rootfs/decoy (renameat2 RENAME_EXCHANGE) until killed. */
function procSwapper(): string {
  return compileC(
    scratch,
    'swap',
    '#define _GNU_SOURCE\n#include <fcntl.h>\n#include <stdio.h>\n#include <unistd.h>\n' +
      'int main(int argc, char **argv) { if (argc != 2 || chdir(argv[1]) < 0) return 2;\n' +
      '  for (;;) renameat2(AT_FDCWD, "proc", AT_FDCWD, "proc-swap", RENAME_EXCHANGE); }\n',
    '-O2',
  );
}

/** A rootfs whose owner keeps swapping its proc for a symlink to an empty decoy. */
function racedRootfs(name: string): string {
  const dir = join(scratch, name);
  execFileSync('cp', ['-a', rootfs, dir]);
  mkdirSync(join(dir, 'decoy'));
  symlinkSync('decoy', join(dir, 'proc-swap'));
  return dir;
}

// wherever the race left the sandbox's proc (/proc, /proc-swap or /decoy), its masks must hold
const MASK_PROBE =
  'for d in /proc /proc-swap /decoy; do test -e $d/sys/kernel/domainname || continue; ' +
  '(echo x > $d/sys/kernel/domainname) 2>&- && echo "$d/sys writable"; test -s $d/timer_list && echo "$d/timer_list unmasked"; done; echo probed';

describe.each(identities)('the /proc masks under a racing rootfs, as $name', (who) => {
  it('hold in every run while the rootfs owner swaps proc for a symlink', async () => {
    const dir = racedRootfs(`raced-${who.uid}`);
    const racer = spawn(procSwapper(), [dir], { stdio: 'ignore' });
    try {
      const leaks: string[] = [];
      let probed = 0;
      for (let i = 0; i < RACE_RUNS; i++) {
        const r = await nsrun(['--rootfs', dir, '--', '/bin/sh', '-c', MASK_PROBE], who);
        if (r.stdout.includes('probed')) probed++;
        leaks.push(...r.stdout.split('\n').filter((line) => line !== 'probed' && line !== ''));
      }
      expect(leaks).toEqual([]);
      expect(probed).toBeGreaterThan(0);
    } finally {
      racer.kill('SIGKILL');
    }
  }, 120_000);
});

// The host's files and kernel settings, probed from inside; the sysctl is written back with its own value, so a leak changes nothing.
const secret = join(scratch, 'root-only');
writeFileSync(secret, 'host secret\n', { mode: 0o600 });
const HOST_PROBE =
  `cat ${secret} 2>&- && echo "read ${secret}"; (echo x >> ${secret}) 2>&- && echo "appended ${secret}"; ` +
  'head -c1 /etc/shadow >&- 2>&- && echo "read /etc/shadow"; ' +
  'v=$(cat /proc/sys/vm/swappiness); (echo $v > /proc/sys/vm/swappiness) 2>&- && echo "wrote /proc/sys"; ' +
  'umount /proc/sys 2>&- && (echo $v > /proc/sys/vm/swappiness) 2>&- && echo "wrote /proc/sys once unmasked"; echo probed';
const ALL_BUT_TIME = ['--flags', 'uts,ipc,pid,ns,net,cgroup,user'];

describe('the host, for a root caller running untrusted code (docs/security.md)', () => {
  it('--map isolated with a user namespace keeps the host\'s root files and kernel settings out of reach', async () => {
    const r = await nsrun([...ALL_BUT_TIME, '--map', 'isolated', '--', 'sh', '-c', `id -u; ${HOST_PROBE}`]);
    expect(r.stdout).toBe('0\nprobed');
    expect(readFileSync(secret, 'utf8')).toBe('host secret\n');
  });

  it('maps the sandbox into ids no host user has, the command being 0 inside', async () => {
    const r = await nsrun([...ALL_BUT_TIME, '--map', 'isolated', '--', 'sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map']);
    const [uid, gid] = r.stdout.split('\n').map((line) => line.trim().split(/\s+/).map(Number));
    expect(uid?.[0]).toBe(0);
    expect(uid?.[1]).toBeGreaterThan(0);
    expect(gid?.[1]).toBeGreaterThan(0);
  });

  it('--cap-drop all without a user namespace leaves /proc/sys read-only (but the files are uid 0\'s: docs/security.md)', async () => {
    const r = await nsrun(['--cap-drop', 'all', '--', 'sh', '-c', 'v=$(cat /proc/sys/vm/swappiness); (echo $v > /proc/sys/vm/swappiness) 2>&- && echo wrote; echo probed']);
    expect(r.stdout).toBe('probed');
  });
});

describe('the host, for an unprivileged caller', () => {
  it('as uid 65534: its user namespace keeps root files, /etc/shadow and /proc/sys out of reach', async () => {
    const r = await nsrun(['--', 'sh', '-c', HOST_PROBE], asNobody);
    expect(r.stdout).toBe('probed');
  });

  it('--map isolated with a subordinate range (the test user) does too', async () => {
    const uid = testUserId();
    expect(uid).toBeDefined();
    const r = await nsrun(['--map', 'isolated', '--', 'sh', '-c', `id -u; ${HOST_PROBE}`], asUid(uid ?? -1));
    expect(r.stdout).toBe('0\nprobed');
  });

  it('--map isolated without a subordinate range is refused, naming the file', async () => {
    const r = await nsrun(['--map', 'isolated', '--', 'true'], asNobody);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/\/etc\/subuid/);
  });
});
