// Signal torture and faults: bursts of signals at every stage, nsrun killed at random points.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostMountChanges, hostNames, hostState, identities, nsrun, processesWith, sleep, waitFor } from './harness.js';

const relayed = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGWINCH'] as const;

/** A sleep duration unique to this test run, to find its processes by. */
function marker(i: number): string {
  return `${1000 + i}.${process.pid % 1000}${Math.floor(Math.random() * 1000)}`;
}

const FAULTS = Number(process.env['NSRUN_FAULTS'] ?? 40);

describe.each(identities)('signal torture, as $name', (who) => {
  it.each(['starts', 'runs', 'exits'] as const)('a burst of every relayed signal while the command %s', async (stage) => {
    // the command ignores them all, so it either runs to its end (0) or is stopped
    // before it could ignore them (128+n); either way nothing may survive
    const before = { ...hostNames(), mountinfo: hostState().mountinfo };
    const mark = marker(stage.length);
    const delay = { starts: 0, runs: 400, exits: 700 }[stage];
    const child = nsrun(['--flags', 'all', '--', 'sh', '-c', `trap "" HUP INT QUIT USR1 USR2 TERM WINCH; sleep ${mark} & sleep 0.8; kill $!; exit 0`], who);
    await sleep(delay);
    for (let round = 0; round < 5; round++) for (const signal of relayed) child.kill(signal);
    const r = await child;
    const allowed = [0, ...relayed.map((s) => 128 + constants.signals[s])];
    expect(allowed).toContain(r.exitCode);
    await waitFor(() => processesWith(mark).length === 0, 2000);
    expect(hostMountChanges(before.mountinfo)).toEqual([]);
    expect(hostNames()).toEqual({ hostname: before.hostname, domainname: before.domainname });
  });

  it('a signal sent the moment the command first speaks is never lost (30 runs)', async () => {
    // the helper may not yet have seen the exec when the signal comes: it must not drop it
    for (let i = 0; i < 30; i++) {
      const signal = relayed[i % relayed.length] as (typeof relayed)[number];
      const sig = signal.slice(3);
      const child = nsrun(['--flags', 'pid,ns', '--', 'sh', '-c', `trap 'exit 3' ${sig}; echo ready; while :; do sleep 0.05; done`], who, { timeout: 10_000 });
      await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
      child.kill(signal);
      expect((await child).exitCode, `${signal}, run ${i}`).toBe(3);
    }
  }, 120_000);

  it(`nsrun killed with SIGKILL at ${FAULTS} random points of its life leaves no process and no mount`, async () => {
    const before = { ...hostNames(), mountinfo: hostState().mountinfo };
    const outcomes = new Map<string, number>();
    for (let i = 0; i < FAULTS; i++) {
      const mark = marker(i);
      const child = nsrun(['--flags', 'all', '--', 'sleep', mark], who);
      // before node is up, during setup (id maps, mounts), and after exec
      await sleep(Math.random() * 250);
      child.kill('SIGKILL');
      const r = await child;
      outcomes.set(String(r.exitCode ?? 'signal'), (outcomes.get(String(r.exitCode ?? 'signal')) ?? 0) + 1);
      await waitFor(() => processesWith(mark).length === 0, 2000);
    }
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(FAULTS);
    // the figures RELIABILITY.md records: how the killed runs ended, by exit status
    console.log(`faults as ${who.name}: ${FAULTS} kills, ended ${JSON.stringify(Object.fromEntries(outcomes))}, survivors 0`);
    expect(hostMountChanges(before.mountinfo)).toEqual([]);
    expect(hostNames()).toEqual({ hostname: before.hostname, domainname: before.domainname });
  }, Math.max(120_000, FAULTS * 1000));
});
