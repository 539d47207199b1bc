// Where node has process.execve (22.15 and later), nsrun hands its process to the helper: while
// the command runs, the helper is all there is between the caller and the sandbox. On Node 20
// node spawns it and waits. Every other test runs on whichever node runs the suite; these check
// which of the two processes stand between, and what each costs.
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { handsOver, helperBin, identities, nsrun, nsrunBin, parentOf, root, sandboxSleep, sleep, waitFor, type Running } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-handover-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Run in a sandbox whose root is a rootfs of scripts/mkrootfs.sh: until /tmp/stop exists, prints
 * each process it sees whose root it can enter and that is not the rootfs (one that shows the host's).
 */
// the second look at the root: a process that exits between the first two loses its root (and
// its cmdline) and would be seen as another root
const WATCHER = `
: > /tmp/watching
while [ ! -e /tmp/stop ]; do
  for p in /proc/[0-9]*; do
    if [ -e $p/root/. ] && [ ! -e $p/root/etc/nsrun-rootfs ] && [ -e $p/root/. ]; then echo "another root: $(tr '\\0' ' ' < $p/cmdline)"; fi
  done
done
`;

const status = (pid: number): string => readFileSync(`/proc/${pid}/status`, 'utf8');
const rssKiB = (pid: number): number => Number(/^VmRSS:\s+(\d+)/m.exec(status(pid))?.[1]);
const program = (pid: number): string => readlinkSync(`/proc/${pid}/exe`);

/** The processes from the parent of `pid` up to (not including) this test's process, nearest first. */
function between(pid: number): number[] {
  const chain: number[] = [];
  for (let p = parentOf(pid); p !== process.pid && p > 1; p = parentOf(p)) chain.push(p);
  return chain;
}

let running: Running[] = [];
afterEach(() => {
  for (const r of running) r.kill('SIGKILL');
  running = [];
});

/** Starts nsrun with `args` as who and returns it with the host pid of the sleep it runs. */
async function started(args: readonly string[], who: (typeof identities)[number]): Promise<{ nsrun: Running; sleep: number }> {
  const r = nsrun(args, who);
  running.push(r);
  return { nsrun: r, sleep: await sandboxSleep(r) };
}

/** What stands between this test and the sleep of `r`: the helper alone, or node and the helper. */
function expectBetween(r: Running, sleep: number): void {
  const chain = between(sleep);
  const helper = realpathSync(helperBin);
  if (handsOver) {
    // the process the test started is the helper itself, the sleep's parent
    expect(chain).toEqual([r.pid]);
    expect(program(r.pid ?? 0)).toBe(helper);
    expect(rssKiB(r.pid ?? 0)).toBeLessThan(1024);
  } else {
    expect(chain).toHaveLength(2);
    expect(program(chain[0] ?? 0)).toBe(helper);
    expect(chain[1]).toBe(r.pid);
    expect(program(r.pid ?? 0)).toBe(realpathSync(process.execPath));
  }
}

describe.each(identities)('between the caller and the command, as $name', (who) => {
  it(`nsrun run: ${handsOver ? 'the helper alone' : 'node, then the helper'}`, async () => {
    const { nsrun: r, sleep } = await started(['--flags', 'pid,ns,user', '--', 'sleep', '1000'], who);
    expectBetween(r, sleep);
    r.kill('SIGTERM'); // the sleep is PID 1: the helper ends it all the same
    expect((await r).exitCode).toBe(143);
  });

  it(`nsrun exec: ${handsOver ? 'the helper alone' : 'node, then the helper'}`, async () => {
    const target = await started(['--flags', 'pid,ns,user,uts', '--', 'sleep', '1000'], who);
    const { nsrun: r, sleep } = await started(['exec', '--target', String(target.sleep), '--', 'sleep', '1001'], who);
    expectBetween(r, sleep);
  });

  it(`the command of run --name: ${handsOver ? 'the helper alone' : 'node, then the helper'}`, async () => {
    const name = `handover-${process.pid}-${who.uid}`;
    try {
      const { nsrun: r, sleep } = await started(['run', '--name', name, '--flags', 'pid,ns,user', '--', 'sleep', '1000'], who);
      expectBetween(r, sleep);
    } finally {
      await nsrun(['rm', name], who);
    }
  });

  it.each([
    ['a command not found', ['--flags', 'uts,user', '--', 'nsrun-no-such-command'], 127, 'nsrun: nsrun-no-such-command: command not found'],
    ['a working directory that is missing', ['--flags', 'uts,user', '--cwd', '/nsrun-no-such-dir', '--', 'true'], 125, /^nsrun: cannot enter \/nsrun-no-such-dir: no such file or directory/],
  ] as const)('a setup failure is told by nsrun, in one line: %s', async (_, args, code, message) => {
    const r = await nsrun(args, who);
    expect(r.exitCode).toBe(code);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a setup failure once the namespaces of a sandbox are joined is told by nsrun too', async () => {
    const name = `handover-fail-${process.pid}-${who.uid}`;
    try {
      expect((await nsrun(['run', '--name', name, '--flags', 'pid,ns,user', '--', 'true'], who)).exitCode).toBe(0);
      const missing = await nsrun(['exec', '--name', name, '--', 'nsrun-no-such-command'], who);
      expect(missing).toMatchObject({ exitCode: 127, stderr: 'nsrun: nsrun-no-such-command: command not found' });
      const cwd = await nsrun(['exec', '--name', name, '--cwd', '/nsrun-no-such-dir', '--', 'true'], who);
      expect(cwd.exitCode).toBe(125);
      expect(cwd.stderr).toMatch(/^nsrun: [^\n]*\/nsrun-no-such-dir[^\n]*$/);
    } finally {
      await nsrun(['rm', name], who);
    }
  });

  it('a setup failure in a sandbox is told from outside it: no process of the sandbox reaches the host root through the teller', async () => {
    const name = `handover-seen-${process.pid}-${who.uid}`;
    const rootfs = join(scratch, `rootfs-${who.uid}`);
    execFileSync(join(root, 'scripts/mkrootfs.sh'), [rootfs], { stdio: 'ignore' });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    try {
      expect((await nsrun(['run', '--name', name, '--flags', 'pid,ns,user', '--rootfs', rootfs, '--', 'true'], who)).exitCode).toBe(0);
      const watcher = nsrun(['exec', '--name', name, '--', 'sh', '-c', WATCHER], who);
      running.push(watcher);
      await waitFor(() => {
        try {
          return readFileSync(join(rootfs, 'tmp/watching'), 'utf8') === '';
        } catch {
          return false;
        }
      });
      for (let i = 0; i < 5; i++) {
        expect(await nsrun(['exec', '--name', name, '--cwd', '/nsrun-no-such-dir', '--', 'true'], who)).toMatchObject({ exitCode: 125 });
        await sleep(50);
      }
      writeFileSync(join(rootfs, 'tmp/stop'), '');
      expect(await watcher).toMatchObject({ exitCode: 0, stdout: '' });
    } finally {
      await nsrun(['rm', name], who);
    }
  });

  it('the command ignores SIGPIPE and SIGXFSZ only when its caller does, whatever node ignores', async () => {
    // node ignores both, and an execve keeps what is ignored
    const mask = (line: string | undefined): bigint => BigInt(`0x${line?.split('\t')[1] ?? '0'}`) & ((1n << 12n) | (1n << 24n));
    const [file, ...rest] = [...who.prefix, 'sh', '-c', 'grep SigIgn /proc/self/status; exec "$N" -- grep SigIgn /proc/self/status'];
    const r = await execa(file as string, rest, { reject: false, stdin: 'ignore', env: { N: nsrunBin } });
    const [caller, command] = String(r.stdout).split('\n');
    expect(r.exitCode).toBe(0);
    expect(mask(command)).toBe(mask(caller));
  });
});
