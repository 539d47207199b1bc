// Signals sent to nsrun reach the command; nothing of the sandbox outlives nsrun.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { alive, descendants, identities, nsrun, nsrunBin, sleep, waitFor } from './harness.js';

const relayed = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGWINCH'] as const;

/** Waits until the sandboxed command (a grandchild of nsrun) runs cmd. */
async function waitForCommand(nsrunPid: number, comm: string): Promise<number> {
  let found = 0;
  await waitFor(() => {
    for (const pid of descendants(nsrunPid)) {
      try {
        if (execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim() === comm) found = pid;
      } catch {
        // gone meanwhile
      }
    }
    return found !== 0;
  });
  return found;
}

describe.each(identities)('signals, as $name', (who) => {
  it.each(relayed)('relays %s sent to nsrun to the command (PID 1 with a handler)', async (name) => {
    const sig = name.slice(3);
    const child = nsrun(['--flags', 'pid,ns', '--', 'sh', '-c', `trap 'echo got ${sig}; exit 3' ${sig}; echo ready; while :; do sleep 0.05; done`], who);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.kill(name);
    const r = await child;
    expect(r.stdout).toBe(`ready\ngot ${sig}`);
    expect(r.exitCode).toBe(3);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops `sleep 1000` as PID 1 within a second of %s', async (name) => {
    const child = nsrun(['--flags', 'pid,ns', '--', 'sleep', '1000'], who);
    const sleeper = await waitForCommand(child.pid as number, 'sleep');
    const sent = Date.now();
    child.kill(name);
    const r = await child;
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(r.exitCode).toBe(128 + constants.signals[name]);
    expect(alive(sleeper)).toBe(false);
  });

  it('with --init, the command is PID 2 and a SIGTERM reaches it', async () => {
    const child = nsrun(['--flags', 'pid,ns', '--init', '--', 'sh', '-c', 'echo $$; exec sleep 1000'], who);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.stdout).toBe('2');
    expect(r.exitCode).toBe(143);
  });

  it('with --init, an orphaned zombie is reaped; without it, it stays a zombie', async () => {
    // the orphan is re-parented to PID 1; `exec sleep` makes PID 1 a process that never waits
    const script = 'sh -c "sleep 0.2 &"; exec sleep 3';
    const zombiesUnder = async (extra: string[]): Promise<number> => {
      const child = nsrun(['--flags', 'pid,ns', ...extra, '--', 'sh', '-c', script], who);
      await sleep(1200);
      const stats = descendants(child.pid as number).map((p) => {
        try {
          return execFileSync('ps', ['-o', 'stat=', '-p', String(p)], { encoding: 'utf8' }).trim();
        } catch {
          return '';
        }
      });
      child.kill('SIGKILL');
      await child;
      return stats.filter((s) => s.startsWith('Z')).length;
    };
    expect(await zombiesUnder(['--init'])).toBe(0);
    expect(await zombiesUnder([])).toBe(1);
  });

  it('leaves no process behind when nsrun itself is killed with SIGKILL', async () => {
    const child = nsrun(['--flags', 'pid,ns', '--', 'sh', '-c', 'sleep 1000 & sleep 1000 & wait'], who);
    await waitForCommand(child.pid as number, 'sleep');
    await sleep(100);
    const tree = descendants(child.pid as number);
    expect(tree.length).toBeGreaterThanOrEqual(3); // sh, two sleeps, and the helper where node spawned it
    child.kill('SIGKILL');
    await child;
    await waitFor(() => tree.every((p) => !alive(p)), 2000);
  });

  it('leaves no process behind when nsrun is killed with SIGKILL under --init', async () => {
    const child = nsrun(['--flags', 'pid,ns', '--init', '--', 'sh', '-c', 'sleep 1000 & sleep 1000'], who);
    await waitForCommand(child.pid as number, 'sleep');
    const tree = descendants(child.pid as number);
    child.kill('SIGKILL');
    await child;
    await waitFor(() => tree.every((p) => !alive(p)), 2000);
  });
});

describe.each(identities)('a writer whose reader went away (`yes | head -1`), as $name', (who) => {
  /** The writer's status and its standard error, read by bash from PIPESTATUS. */
  const writer = async (prefix: string, runner: string): Promise<string> => {
    const script = `${prefix} ${runner} yes 2>"$E" | head -1 >/dev/null; echo "\${PIPESTATUS[0]} $(cat "$E")"`;
    const [file, ...rest] = [...who.prefix, 'bash', '-c', script];
    const dir = mkdtempSync(join(tmpdir(), 'nsrun-pipe-'));
    chmodSync(dir, 0o777);
    try {
      const r = await execa(file as string, rest, { reject: false, stdin: 'ignore', env: { ...process.env, E: join(dir, 'stderr') } });
      return String(r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const UNSHARE = 'unshare --map-root-user --fork --pid --mount-proc';
  const BWRAP = 'bwrap --dev-bind / / --unshare-user --unshare-pid';
  const NSRUN = `${nsrunBin} --flags pid,ns,user`;

  it('the command as PID 1 ends as unshare --fork --pid ends it: status 1, "Broken pipe"', async () => {
    const theirs = await writer('', UNSHARE);
    expect(theirs).toBe('1 yes: standard output: Broken pipe');
    expect(await writer('', `${NSRUN} --`)).toBe(theirs);
  });

  it('the command of --init, PID 2, dies of SIGPIPE as under bwrap, which always has an init: 141', async () => {
    const theirs = await writer('', BWRAP);
    expect(theirs).toBe('141 ');
    expect(await writer('', `${NSRUN} --init --`)).toBe(theirs);
  });

  it.each(['without --init', 'with --init'])("after `trap '' PIPE`, nsrun %s ends it as unshare does: status 1", async (mode) => {
    const theirs = await writer("trap '' PIPE;", UNSHARE);
    expect(theirs).toBe('1 yes: standard output: Broken pipe');
    expect(await writer("trap '' PIPE;", `${NSRUN} ${mode === 'with --init' ? '--init' : ''} --`)).toBe(theirs);
  });
});
