// Signals sent to nsrun reach the command; nothing of the sandbox outlives nsrun.
import { execFileSync } from 'node:child_process';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { alive, descendants, identities, nsrun, sleep, waitFor } from './harness.js';

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
    expect(tree.length).toBeGreaterThanOrEqual(4); // helper, sh, two sleeps
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
