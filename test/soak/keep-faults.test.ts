// Faults in the life of kept sandboxes: nsrun run --name and nsrun exec killed with SIGKILL at
// random moments leave no holder that rm cannot stop and no command behind.
// It counts every helper it can see, so, as the soak, it runs in a PID namespace of its own:
// `make test` runs the short version (NSRUN_FAULTS=40 by default), `make soak` the long one (500).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { identities, nsrun, processesRunning, sleep, waitFor } from '../e2e/harness.js';

const FAULTS = Number(process.env['NSRUN_FAULTS'] ?? 40);

/** Helpers (holders among them) still running, zombies aside: an orphaned holder's init may never reap it. */
function helpers(): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,stat=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, stat, comm]) => comm === 'nsrun-helper' && stat?.startsWith('Z') === false)
    .map(([pid]) => Number(pid));
}

const sleeps = (mark: string): number[] => processesRunning('sleep', mark);

/** The children of pid that run the helper, from /proc (quicker than ps, to catch the helper as it starts). */
function helperChildren(pid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes('(nsrun-helper)') && Number(fields[1]) === pid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

const marker = (i: number): string => `${3000 + i}.${process.pid % 1000}${Math.floor(Math.random() * 1000)}`;

/** Waits until the condition holds; false if it still does not after the deadline. */
async function settles(condition: () => boolean): Promise<boolean> {
  return waitFor(condition, 5000).then(
    () => true,
    () => false,
  );
}

describe.each(identities)('kept sandboxes under faults, as $name', (who) => {
  it('run --name stopped as its helper starts, then killed: no holder outlives it unrecorded', async () => {
    // the holder is set up while nsrun cannot record it; it must wait, and end with nsrun
    let caught = 0;
    for (let attempt = 0; attempt < 20 && caught < 3; attempt++) {
      const name = `keepfault-${who.uid}-${process.pid}-stopped-${attempt}`;
      const child = nsrun(['run', '--name', name, '--flags', 'all', '--', 'true'], who);
      const pid = child.pid ?? 0;
      let ended = false;
      void child.then(() => (ended = true));
      // polled without a pause, the helper lives a few ms only; a run that ends first is tried again
      while (!ended && helperChildren(pid).length === 0) await new Promise((resolve) => setImmediate(resolve));
      if (!ended) {
        process.kill(pid, 'SIGSTOP');
        caught++;
        await sleep(1000); // time for a holder to be set up and, if it does not wait to be recorded, to detach
      }
      child.kill('SIGKILL');
      await child;
      expect([0, 2]).toContain((await nsrun(['rm', name], who)).exitCode);
      expect(await settles(() => helpers().length === 0)).toBe(true);
    }
    expect(caught).toBeGreaterThan(0);
  }, 120_000);

  it(`run --name killed with SIGKILL at ${FAULTS} random moments: rm leaves no holder and no command`, async () => {
    const outcomes = { rm: new Map<number, number>(), holdersLeft: 0, commandsLeft: 0 };
    for (let i = 0; i < FAULTS; i++) {
      const name = `keepfault-${who.uid}-${process.pid}-${i}`;
      const mark = marker(i);
      const child = nsrun(['run', '--name', name, '--flags', 'all', '--', 'sleep', mark], who);
      // before node is up, while the holder starts, around its commit, as the command joins it
      await sleep(Math.random() * 300);
      child.kill('SIGKILL');
      await child;
      // exit 2: killed before it claimed the name
      const r = await nsrun(['rm', name], who);
      outcomes.rm.set(r.exitCode ?? -1, (outcomes.rm.get(r.exitCode ?? -1) ?? 0) + 1);
      if (!(await settles(() => helpers().length === 0))) outcomes.holdersLeft++;
      if (!(await settles(() => sleeps(mark).length === 0))) outcomes.commandsLeft++;
    }
    // the figures RELIABILITY.md records
    console.log(`run --name faults as ${who.name}: ${FAULTS} kills, rm ended ${JSON.stringify(Object.fromEntries(outcomes.rm))}, ` +
      `holders left ${outcomes.holdersLeft}, commands left ${outcomes.commandsLeft}`);
    expect([...outcomes.rm.keys()].every((code) => code === 0 || code === 2)).toBe(true);
    expect(outcomes).toMatchObject({ holdersLeft: 0, commandsLeft: 0 });
  }, Math.max(120_000, FAULTS * 2000));

  it(`exec killed with SIGKILL at ${FAULTS} random moments leaves none of its command's processes`, async () => {
    const name = `keepfault-${who.uid}-${process.pid}-exec`;
    // the namespaces an exec joins and its children die in; the mount namespace is not needed here
    expect(await nsrun(['run', '--name', name, '--flags', 'user,pid,uts,ipc,net', '--', 'true'], who)).toMatchObject({ exitCode: 0, stderr: '' });
    let commandsLeft = 0;
    try {
      for (let i = 0; i < FAULTS; i++) {
        const mark = marker(i);
        const child = nsrun(['exec', '--name', name, '--', 'sh', '-c', `sleep ${mark} & sleep ${mark} & wait`], who);
        await sleep(Math.random() * 300);
        child.kill('SIGKILL');
        await child;
        if (!(await settles(() => sleeps(mark).length === 0))) commandsLeft++;
      }
    } finally {
      expect((await nsrun(['rm', name], who)).exitCode).toBe(0);
    }
    console.log(`exec faults as ${who.name}: ${FAULTS} kills, commands left ${commandsLeft}`);
    expect(commandsLeft).toBe(0);
    expect(await settles(() => helpers().length === 0)).toBe(true);
  }, Math.max(120_000, FAULTS * 2000));
});
