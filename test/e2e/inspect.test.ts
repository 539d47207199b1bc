// nsrun ls, inspect and limits, checked against /proc, /proc/sys/user and util-linux lsns on
// kept sandboxes of this test (other sandboxes may run on the machine meanwhile).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asNobody, identities, nsrun, waitFor, type Identity } from './harness.js';

interface Row {
  ns: number;
  type: string;
  nprocs: number;
  pid: number;
  user: string;
  command: string;
  name: string | null;
  initial: boolean;
  children?: Row[];
}

const KINDS = ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time'];
const LSNS_MEMBERS = ['ns', 'type', 'nprocs', 'pid', 'user', 'command'] as const;
const inode = (pid: number, type: string): number => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${type}`))?.[1]);

async function json<T>(args: readonly string[], who: Identity): Promise<T> {
  const r = await nsrun(args, who);
  expect(r).toMatchObject({ exitCode: 0, stderr: '' });
  return JSON.parse(r.stdout) as T;
}

/** Every node of a tree, depth first. */
const flatten = (rows: readonly Row[]): Row[] => rows.flatMap((r) => [r, ...flatten(r.children ?? [])]);

describe.each(identities)('inspection, as $name', (who) => {
  const names = [`inspect-a-${who.uid}-${process.pid}`, `inspect-b-${who.uid}-${process.pid}`];
  const holders: number[] = [];
  let hostProcess: ChildProcess;
  beforeAll(async () => {
    for (const name of names) {
      const r = await nsrun(['run', '--name', name, '--flags', 'uts,ipc,net,user', '--', 'true'], who);
      expect(r.exitCode).toBe(0);
    }
    const listed = await json<{ sandboxes: { name: string; holder: number }[] }>(['ps', '--json'], who);
    for (const name of names) holders.push(listed.sandboxes.find((s) => s.name === name)?.holder ?? 0);
    const [file, ...args] = [...who.prefix, 'sleep', '1000'];
    hostProcess = spawn(file ?? 'sleep', args, { stdio: 'ignore' });
    await waitFor(() => readFileSync(`/proc/${hostProcess.pid}/comm`, 'utf8').trim() === 'sleep');
  });
  afterAll(async () => {
    hostProcess.kill('SIGKILL');
    for (const name of names) await nsrun(['rm', name], who);
  });

  it("ls --json has lsns -J's shape and the sandbox's namespaces with the inodes of /proc/PID/ns, as lsns lists them", async () => {
    const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--json'], who);
    const holder = holders[0] ?? 0;
    const mine = namespaces.filter((r) => r.name === names[0]);
    expect(mine.map((r) => r.type).sort()).toEqual(['ipc', 'net', 'user', 'uts']);
    for (const row of mine) {
      expect(row.ns).toBe(inode(holder, row.type));
      expect(row).toMatchObject({ nprocs: 1, pid: holder, initial: false, user: who.uid === 0 ? 'root' : 'nobody' });
      expect(typeof row.command).toBe('string');
    }
    const [file, ...args] = [...who.prefix, 'lsns', '-J', '--list'];
    const lsns = JSON.parse(execFileSync(file ?? 'lsns', args, { encoding: 'utf8' })) as { namespaces: Row[] };
    for (const row of mine) {
      const theirs = lsns.namespaces.find((r) => r.ns === row.ns);
      expect(theirs).toBeDefined();
      for (const member of LSNS_MEMBERS) expect(row[member]).toEqual(theirs?.[member]);
    }
  });

  it('ls --type net lists network namespaces only, the sandboxes\' among them', async () => {
    const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--type', 'net', '--json'], who);
    expect(new Set(namespaces.map((r) => r.type))).toEqual(new Set(['net']));
    for (const holder of holders) expect(namespaces.map((r) => r.ns)).toContain(inode(holder, 'net'));
  });

  it("ls prints lsns's columns and the sandbox's name", async () => {
    const r = await nsrun(['ls', '--type', 'uts'], who);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^ +NS TYPE +NPROCS +PID USER +NAME +COMMAND$/);
    expect(r.stdout).toMatch(new RegExp(`^ *${inode(holders[0] ?? 0, 'uts')} uts +1 +${holders[0]} \\S+ +${names[0]} `, 'm'));
  });

  it('ls --tree parent nests the sandbox user namespace under the initial one', async () => {
    const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--tree', 'parent', '--json'], who);
    const initial = namespaces.find((r) => r.type === 'user' && r.initial);
    const children = (initial?.children ?? []).map((c) => c.ns);
    for (const holder of holders) expect(children).toContain(inode(holder, 'user'));
    expect(new Set(flatten(namespaces).map((r) => r.type))).toEqual(new Set(['pid', 'user']));
  });

  it('ls --tree owner puts each sandbox namespace under the sandbox user namespace', async () => {
    const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--tree', 'owner', '--json'], who);
    const all = flatten(namespaces);
    const holder = holders[1] ?? 0;
    const owner = all.find((r) => r.ns === inode(holder, 'user'));
    expect((owner?.children ?? []).map((c) => c.ns).sort()).toEqual(['uts', 'ipc', 'net'].map((t) => inode(holder, t)).sort());
    const text = await nsrun(['ls', '--tree', 'owner', '--type', 'uts'], who);
    expect(text.stdout).toMatch(new RegExp(`[├└]─${inode(holder, 'uts')} uts `));
  });

  it('inspect compares two sandboxes: each has its own created namespaces and shares the rest with the host', async () => {
    const [a, b] = holders as [number, number];
    const { namespaces } = await json<{ namespaces: { type: string; shared: boolean; processes: { pid: number; ns: number; initial: boolean }[] }[] }>(
      ['inspect', '--json', String(a), String(b)],
      who,
    );
    expect(namespaces.map((n) => n.type)).toEqual(KINDS);
    for (const n of namespaces) {
      expect(n.processes.map((p) => [p.pid, p.ns])).toEqual([[a, inode(a, n.type)], [b, inode(b, n.type)]]);
      const created = ['uts', 'ipc', 'net', 'user'].includes(n.type);
      expect(n.shared).toBe(!created);
      expect(n.processes.map((p) => p.initial)).toEqual([!created, !created]);
    }
  });

  it('inspect compares a sandbox with a host process, as a table', async () => {
    const [a] = holders as [number];
    const host = hostProcess.pid ?? 0;
    const r = await nsrun(['inspect', String(host), String(a)], who);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^TYPE +${host} +${a} +SHARED$`));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^net +${inode(host, 'net')} \\(initial\\) +${inode(a, 'net')} +no$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^time +${inode(host, 'time')} \\(initial\\) +${inode(a, 'time')} \\(initial\\) +yes$`)));
  });

  it('inspect exits 2 for a process that does not exist', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('close', resolve));
    const r = await nsrun(['inspect', String(gone.pid)], who);
    expect(r).toMatchObject({ exitCode: 2, stderr: `nsrun: no such process ${gone.pid}` });
  });

  it('limits --json gives each /proc/sys/user/max_<type>_namespaces and counts the sandbox namespaces', async () => {
    const { limits } = await json<{ limits: { type: string; sysctl: string; max: number; count: number }[] }>(['limits', '--json'], who);
    expect(limits.map((l) => l.type)).toEqual(KINDS);
    for (const l of limits) {
      expect(l.max).toBe(Number(readFileSync(`/proc/sys/user/max_${l.type}_namespaces`, 'utf8')));
      expect(l.sysctl).toBe(`user.max_${l.type}_namespaces`);
      // the host's namespace, and one of each sandbox for the types they created
      expect(l.count).toBeGreaterThanOrEqual(['uts', 'ipc', 'net', 'user'].includes(l.type) ? 3 : 1);
    }
    const table = await nsrun(['limits'], who);
    expect(table.stdout.split('\n')[0]).toMatch(/^TYPE +SYSCTL +MAX +NOW$/);
    expect(table.stdout.split('\n')).toHaveLength(9);
  });
});

describe('inspection of what the caller may not read', () => {
  it("unprivileged (uid 65534): another user's process shows as -, and the listing leaves it out", async () => {
    const r = await nsrun(['inspect', String(process.pid)], asNobody);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').slice(1)).toEqual(KINDS.map((k) => expect.stringMatching(new RegExp(`^${k} +- +-$`))));
    const { namespaces } = JSON.parse((await nsrun(['ls', '--json'], asNobody)).stdout) as { namespaces: Row[] };
    expect(namespaces.some((row) => row.pid === process.pid)).toBe(false);
  });
});
