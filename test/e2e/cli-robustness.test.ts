// The command line under hostile or exhausted conditions: text from other users printed safely,
// a full $TMPDIR, a removed working directory, no file descriptors left, a busy kept sandbox,
// tens of thousands of options, and the kernel's own time-offset limits.
import { execa } from 'execa';
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { asNobody, asRoot, identities, nsrun, nsrunBin, type Identity } from './harness.js';

/** A directory of the test's, owned by `who`, removed after each test. */
const made: string[] = [];
function scratch(who: Identity): string {
  const dir = mkdtempSync('/tmp/nsrun-cli-');
  chownSync(dir, who.uid, who.uid);
  made.push(dir);
  return dir;
}

/** Runs a shell script as `who` (after `before`, which runs as root, e.g. `unshare -m`), never rejecting. */
async function script(who: Identity, text: string, args: readonly string[] = [], before: readonly string[] = []): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const [file, ...rest] = [...before, ...who.prefix, 'sh', '-c', text, 'sh', ...args];
  const r = await execa(file as string, rest, { reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The host's mounts whose line names `text` (others' tests mount and unmount meanwhile). */
function hostMounts(text: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(text));
}

/** One line on stderr and no JavaScript stack trace. */
function expectOneLine(stderr: string): void {
  expect(stderr.split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^nsrun: /);
  expect(stderr).not.toMatch(/\n\s+at |node:internal|Error: /);
}

/** Kept sandboxes of the test, released after each test whatever it found. */
const kept: { name: string; who: Identity }[] = [];

afterEach(async () => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const { name, who } of kept.splice(0)) await nsrun(['rm', name], who);
});

describe.each(identities)('ls prints command lines escaped, as lsns does (issue 14 #7): $name', (who) => {
  // a command line that would clear the screen and forge a row of root's
  const forged = 'x\n4026531836 uts 1 1 root init\x1b[2J\x1b[H\x07';

  it('escapes another process command line in the table and keeps it exact in --json', async () => {
    const marker = `cli-ls-${process.pid}-${who.uid}`;
    const sandbox = nsrun(['--flags', 'uts,pid', '--', 'sh', '-c', `sleep 30; : ${marker}`, forged], who, { stdout: 'ignore', stderr: 'ignore' });
    try {
      const listed = async (): Promise<string> => (await nsrun(['ls', '--type', 'uts'], who)).stdout;
      let table = '';
      const deadline = Date.now() + 10_000;
      while (!table.includes(marker) && Date.now() < deadline) table = await listed();
      const line = table.split('\n').find((l) => l.includes(marker)) ?? '';
      expect(line).toContain(`sh -c sleep 30; : ${marker} x\\x0a4026531836 uts 1 1 root init\\x1b[2J\\x1b[H\\x07`);
      expect(table).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(table.split('\n').filter((l) => l.endsWith('root init'))).toEqual([]);
      const json = JSON.parse((await nsrun(['ls', '--json', '--type', 'uts'], who)).stdout) as { namespaces: { command: string }[] };
      expect(json.namespaces.map((n) => n.command)).toContain(`sh -c sleep 30; : ${marker} ${forged}`);
    } finally {
      sandbox.kill('SIGKILL');
      await sandbox;
    }
  });

});

describe.each(identities)('a full TMPDIR (issue 14 #14): $name', (who) => {
  /** Mounts a 16 KiB tmpfs on a directory of the test in a mount namespace of its own, fills it, and runs nsrun there with TMPDIR on it. */
  const inFullTmpdir = async (args: readonly string[]) => {
    const dir = scratch(asRoot);
    const fill =
      'mount -t tmpfs -o size=16k,mode=0755 nsrun-full "$1" && mkdir "$1/tmp" && chown "$2:$2" "$1/tmp" && ' +
      '{ head -c 1048576 /dev/zero > "$1/fill" 2>/dev/null; true; } && shift 2 && exec "$@"';
    const r = await execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', fill, 'sh', dir, String(who.uid), ...who.prefix, 'env', `TMPDIR=${dir}/tmp`, nsrunBin, ...args], {
      reject: false,
      stdin: 'ignore',
    });
    expect(hostMounts(dir)).toEqual([]);
    return r;
  };

  it.each([0, 3, 42])("reports the command's exit code %i", async (code) => {
    const r = await inFullTmpdir(['--', 'sh', '-c', `df -k "$TMPDIR" | tail -1; exit ${code}`]);
    expect(r.stderr).toBe('');
    // the file system the test filled, with nothing left on it
    expect(String(r.stdout)).toMatch(/^nsrun-full\s+16\s+16\s+0\s+100%/);
    expect(r.exitCode).toBe(code);
  });

  it('reports a setup failure as it is', async () => {
    const r = await inFullTmpdir(['--cwd', '/nonexistent', '--', 'true']);
    expect(r.stderr).toBe('nsrun: cannot enter /nonexistent: no such file or directory');
    expect(r.exitCode).toBe(125);
  });
});

describe.each(identities)('failures Node raises are one line with exit 125 (issue 14 #15): $name', (who) => {
  it('from a removed working directory', async () => {
    const dir = scratch(who);
    const r = await script(who, 'mkdir "$1/gone" && cd "$1/gone" && rmdir "$1/gone" && exec "$2" -- true', [dir, nsrunBin]);
    // bin/nsrun starts as a /bin/sh line (docs/signals.md), and dash warns of such a directory
    // before anything of nsrun runs; after it, nsrun's own word is one line
    const lines = r.stderr.split('\n').filter((line) => !/^sh: \d+: getcwd\(\) failed: /.test(line));
    expect(lines).toEqual(['nsrun: cannot read the working directory: it was removed (hint: cd to a directory that exists)']);
    expect(r.exitCode).toBe(125);
    expect(hostMounts(dir)).toEqual([]);
  });

  it('ends quietly with 141 when the reader of its output goes away, as seq does', async () => {
    const env = Array.from({ length: 20_000 }, (_, i) => `--env=K${i}=v`);
    const status = async (command: string): Promise<string> =>
      (await script(who, `exec 3>&1; { ${command} 2>&3; echo "exit $?" >&3; } | true`, ['', nsrunBin, ...env])).stdout;
    expect(await status('seq 1000000')).toBe('exit 141');
    expect(await status('shift; "$@" --dry-run -- true')).toBe('exit 141');
  });

  it('with few file descriptors left (prlimit --nofile just below what a run needs)', async () => {
    // --preserve-fds keeps node beside the helper on every node (where node would hand its process
    // over, it needs no fd of its own beyond node's, and below that node itself cannot start)
    const run = (limit: number) => script(who, 'exec prlimit --nofile="$1" "$2" --preserve-fds 1 -- true 3</dev/null', [String(limit), nsrunBin]);
    // the lowest limit a run needs, about 20, depends on the fds the test runner passes on
    let enough = 16;
    while (enough < 64 && (await run(enough)).exitCode !== 0) enough++;
    expect(enough).toBeLessThan(64);
    // one or two fewer, node loads nsrun, which then cannot start its helper; fewer still, node itself cannot start
    for (const limit of [enough - 1, enough - 2]) {
      const r = await run(limit);
      expectOneLine(r.stderr);
      expect(r.stderr).toContain('too many open files (hint: nsrun needs a few more file descriptors: raise the limit, ulimit -n)');
      expect(r.exitCode).toBe(125);
    }
  });

});

describe.each(identities)('80 000 repeated options parse in linear time (issue 14 #18): $name', (who) => {
  // quadratic, 40 000 --env took 13.7 s and 80 000 about a minute, past the test's timeout
  it('runs with the last value of each variable', async () => {
    const count = 80_000;
    const args = Array.from({ length: count }, (_, i) => `--env=K${i % 100}=${i}`);
    const r = await nsrun([...args, '--flags', 'uts', '--', 'sh', '-c', 'echo "$K0 $K99"'], who);
    expect(r).toMatchObject({ exitCode: 0, stdout: `${count - 100} ${count - 1}`, stderr: '' });
  });
});

describe.each(identities)('--time-offset within the kernel limits, as unshare takes it (issue 15 #7): $name', (who) => {
  const unshareTime = (clock: string, seconds: string): string[] => [
    'unshare',
    ...(who.uid === 0 ? [] : ['--user', '--map-root-user']),
    '--time',
    `--${clock}`,
    seconds,
    'cat',
    '/proc/self/timens_offsets',
  ];

  it.each([
    ['monotonic', '3000000000'],
    ['boottime', '4000000000'],
    ['monotonic', '-1'],
  ])('takes %s=%s', async (clock, seconds) => {
    const theirs = await script(who, 'exec "$@"', unshareTime(clock, seconds));
    expect(theirs.exitCode).toBe(0);
    const ours = await nsrun(['--time-offset', `${clock}=${seconds}`, '--flags', 'time', '--', 'cat', '/proc/self/timens_offsets'], who);
    expect(ours).toMatchObject({ exitCode: 0, stderr: '', stdout: theirs.stdout });
  });

  it('refuses a clock the offset takes past the limit, as the kernel does for unshare, with a hint', async () => {
    const theirs = await script(who, 'exec "$@"', unshareTime('monotonic', '4611686018'));
    expect(theirs.exitCode).not.toBe(0);
    const ours = await nsrun(['--time-offset', 'monotonic=4611686018', '--', 'true'], who);
    expect(ours.exitCode).toBe(125);
    expectOneLine(ours.stderr);
    expect(ours.stderr).toMatch(
      /^nsrun: cannot set the clock offsets of the time namespace: result too large \(hint: a clock with its offset must stay from 0 to 4611686018 seconds; monotonic is at \d+ and boottime at \d+ seconds now\)$/,
    );
  });

  it.each([
    ['monotonic=1,monotonic=2', "nsrun: invalid --time-offset 'monotonic=1,monotonic=2': monotonic is given more than once"],
    ['boottime=1,monotonic=1,boottime=1', "nsrun: invalid --time-offset 'boottime=1,monotonic=1,boottime=1': boottime is given more than once"],
    [
      'monotonic=4611686019',
      "nsrun: invalid --time-offset 'monotonic=4611686019': expected monotonic=SECONDS,boottime=SECONDS (either or both), integers from -4611686018 to 4611686018",
    ],
  ])('refuses %s with exit 2', async (value, line) => {
    expect(await nsrun(['--time-offset', value, '--', 'true'], who)).toMatchObject({ exitCode: 2, stderr: line, stdout: '' });
  });

  it('names /proc/sys/user/max_time_namespaces when its limit is 0 (set in a user namespace of the test)', async () => {
    const limited = 'echo 0 > /proc/sys/user/max_time_namespaces && exec "$@"';
    const theirs = await script(who, 'exec "$@"', ['unshare', '--user', '--map-root-user', 'sh', '-c', limited, 'sh', 'unshare', '--time', 'true']);
    expect(theirs).toMatchObject({ exitCode: 1, stderr: 'unshare: unshare failed: No space left on device' });
    const args = ['unshare', '--user', '--map-root-user', 'sh', '-c', limited, 'sh', nsrunBin, '--time-offset', 'monotonic=1', '--flags', 'time', '--', 'true'];
    const ours = await script(who, 'exec "$@"', args);
    expect(ours).toMatchObject({
      exitCode: 125,
      stderr:
        'nsrun: cannot set the clock offsets of the time namespace: no space left on device ' +
        '(hint: the limit /proc/sys/user/max_time_namespaces is 0; a higher number written there allows them)',
    });
  });
});

// the forged line is an unprivileged user's; root's terminal is the one it would drive
it("ls escapes another user's command line for root (issue 14 #7)", async () => {
  const who = asNobody;
  const forged = 'x\n4026531836 uts 1 1 root init\x1b[2J\x1b[H\x07';
  const marker = `cli-ls-other-${process.pid}`;
  const sandbox = nsrun(['--flags', 'uts,pid', '--', 'sh', '-c', `sleep 30; : ${marker}`, forged], who, { stdout: 'ignore', stderr: 'ignore' });
  try {
    let table = '';
    const deadline = Date.now() + 10_000;
    while (!table.includes(marker) && Date.now() < deadline) table = (await nsrun(['ls'], asRoot)).stdout;
    expect(table).toContain('x\\x0a4026531836 uts 1 1 root init\\x1b[2J\\x1b[H\\x07');
    expect(table).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  } finally {
    sandbox.kill('SIGKILL');
    await sandbox;
  }
});

// root's only: without root a kept sandbox's namespaces are held by its holder alone, with no file to hold open
it('rm that finds a namespace file held open is one line with exit 125, and finishes once it is closed (issue 14 #15)', async () => {
  const who = asRoot;
  const name = `cli-busy-${process.pid}`;
  kept.push({ name, who });
  expect((await nsrun(['run', '--name', name, '--flags', 'uts', '--', 'true'], who)).exitCode).toBe(0);
  const listed = JSON.parse((await nsrun(['ps', '--json'], who)).stdout) as { sandboxes: { name: string; dir: string }[] };
  const dir = listed.sandboxes.find((s) => s.name === name)?.dir ?? '';
  const held = openSync(`${dir}/uts`, 'r');
  let first;
  try {
    first = await nsrun(['rm', name], who);
  } finally {
    closeSync(held);
  }
  // a busy namespace file stops rm with one line; once it is closed, rm finishes
  if (first.exitCode !== 0) {
    expectOneLine(first.stderr);
    expect(first.exitCode).toBe(125);
    expect(await nsrun(['rm', name], who)).toMatchObject({ exitCode: 0, stderr: '' });
  }
  const left = JSON.parse((await nsrun(['ps', '--json'], who)).stdout) as { sandboxes: { name: string }[] };
  expect(left.sandboxes.map((s) => s.name)).not.toContain(name);
  expect(hostMounts(dir)).toEqual([]);
});
