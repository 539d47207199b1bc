// The lifecycle of kept sandboxes and of what exec starts: rm stops every process of a sandbox
// (also without a pid namespace) and never one a damaged record names; the process tree of an
// exec'd command ends with nsrun exec, killed or stopped.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, identities, nsrun, processesRunning, waitFor, type Identity, type Running } from './harness.js';

interface Listed {
  name: string;
  holder: number;
  dir: string;
  running: boolean;
}

async function find(name: string, who: Identity): Promise<Listed | undefined> {
  const r = await nsrun(['ps', '--json'], who);
  expect(r.exitCode).toBe(0);
  return (JSON.parse(r.stdout) as { sandboxes: Listed[] }).sandboxes.find((s) => s.name === name);
}

/** A sleep duration unique to this test run, to find its processes by. */
const marker = (i: number): string => `${2000 + i}.${process.pid % 1000}${Math.floor(Math.random() * 1000)}`;

const sleeps = (mark: string): number[] => processesRunning('sleep', mark);

describe.each(identities)('sandbox and exec lifecycle, as $name', (who) => {
  const made: string[] = [];
  const running: Running[] = [];
  const sandbox = (what: string): string => {
    const name = `keeplife-${who.uid}-${process.pid}-${what}`;
    made.push(name);
    return name;
  };
  afterEach(async () => {
    for (const child of running.splice(0)) child.kill('SIGKILL');
    for (const name of made.splice(0)) await nsrun(['rm', name], who);
  });

  it('rm never kills the pid a damaged record names ("namespaces": {}), and finds the real holder or refuses', async () => {
    const name = sandbox('damaged');
    expect((await nsrun(['run', '--name', name, '--flags', 'all', '--', 'true'], who)).exitCode).toBe(0);
    const kept = await find(name, who);
    if (kept === undefined) throw new Error(`sandbox ${name} is not listed`);
    const mark = marker(1);
    const decoy = nsrun(['--flags', 'all', '--', 'sleep', mark], who);
    running.push(decoy);
    await waitFor(() => sleeps(mark).length === 1);
    const [decoyPid] = sleeps(mark);
    const file = `${kept.dir}/sandbox.json`;
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(original) as object), holder: decoyPid, namespaces: {} }));
    expect((await find(name, who))?.running).toBe(false);
    const r = await nsrun(['rm', name], who);
    expect(alive(decoyPid ?? 0)).toBe(true);
    if (who.uid === 0) {
      // the namespace files bind-mounted in its directory name the real holder
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      await waitFor(() => !alive(kept.holder));
      expect(await find(name, who)).toBeUndefined();
    } else {
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(/^nsrun: the record of sandbox '.*' is damaged: [^\n]*nothing was stopped[^\n]*$/);
      expect(alive(kept.holder)).toBe(true);
      writeFileSync(file, original);
      expect((await nsrun(['rm', name], who)).exitCode).toBe(0);
      await waitFor(() => !alive(kept.holder));
    }
  });

  it('rm of a sandbox without a pid namespace stops its command, then removes it', async () => {
    const name = sandbox('nopid');
    const mark = marker(2);
    const server = nsrun(['run', '--name', name, '--flags', who.uid === 0 ? 'net' : 'user,net', '--', 'sleep', mark], who);
    running.push(server);
    await waitFor(() => sleeps(mark).length === 1);
    expect(await nsrun(['rm', name], who)).toMatchObject({ exitCode: 0, stderr: '' });
    await waitFor(() => sleeps(mark).length === 0);
    expect((await server).exitCode).toBe(137);
    expect(await find(name, who)).toBeUndefined();
  });

  describe.each(['--name', '--target'] as const)('exec %s', (how) => {
    it.each(['SIGKILL', 'SIGTERM'] as const)('the children of the command end with nsrun exec on %s', async (signal) => {
      let target: string;
      if (how === '--name') {
        target = sandbox(`exec-${signal}`);
        expect((await nsrun(['run', '--name', target, '--flags', 'all', '--', 'true'], who)).exitCode).toBe(0);
      } else {
        const held = marker(3);
        running.push(nsrun(['--flags', 'all', '--', 'sleep', held], who));
        await waitFor(() => sleeps(held).length === 1);
        target = String(sleeps(held)[0]);
      }
      const mark = marker(4);
      const exec = nsrun(['exec', how, target, '--', 'sh', '-c', `sleep ${mark} & sleep ${mark} & wait`], who);
      running.push(exec);
      await waitFor(() => sleeps(mark).length === 2);
      exec.kill(signal);
      await exec;
      await waitFor(() => sleeps(mark).length === 0);
    });
  });
});
