// nsrun ls, inspect and limits, checked against /proc, /proc/sys/user and util-linux lsns on
// kept sandboxes of this test (other sandboxes may run on the machine meanwhile).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asNobody, asRoot, descendants, identities, nsrun, nsrunBin, waitFor, type Identity, type Running } from './harness.js';

interface Row {
  ns: number;
  type: string;
  nprocs: number;
  pid: number | null;
  user: string | null;
  command: string | null;
  name: string | null;
  initial: boolean;
  children?: Row[];
}

const KINDS = ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time'];
const LSNS_MEMBERS = ['ns', 'type', 'nprocs', 'pid', 'user', 'command'] as const;
const inode = (pid: number, type: string): number => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${type}`))?.[1]);
const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

async function json<T>(args: readonly string[], who: Identity): Promise<T> {
  const r = await nsrun(args, who);
  expect(r).toMatchObject({ exitCode: 0, stderr: '' });
  return JSON.parse(r.stdout) as T;
}

/** Every node of a tree, depth first. */
const flatten = (rows: readonly Row[]): Row[] => rows.flatMap((r) => [r, ...flatten(r.children ?? [])]);

/** lsns's output as who, parsed. */
function lsns<T>(args: readonly string[], who: Identity): T {
  const [file, ...rest] = [...who.prefix, 'lsns', ...args];
  return JSON.parse(execFileSync(file ?? 'lsns', rest, { encoding: 'utf8' })) as T;
}

/** Where each namespace of a tree is: the inode of its parent in the tree (null at the top), its NPROCS, PID and COMMAND. */
function places(tree: readonly Row[]): Map<number, { up: number | null; nprocs: number; pid: number | null; command: string | null }> {
  const found = new Map<number, { up: number | null; nprocs: number; pid: number | null; command: string | null }>();
  const walk = (rows: readonly Row[], up: number | null): void => {
    for (const r of rows) {
      found.set(r.ns, { up, nprocs: r.nprocs, pid: r.pid, command: r.command });
      walk(r.children ?? [], r.ns);
    }
  };
  walk(tree, null);
  return found;
}

/** The depth of a namespace in a tree as text (lsns's or nsrun's): the width of the drawing before its inode, by 2. */
function depth(text: string, ns: number): number | undefined {
  const line = text.split('\n').find((l) => new RegExp(`^[│├└─|\`\\- ]*${ns} `).test(l));
  return line === undefined ? undefined : (/^[│├└─|`\- ]*/.exec(line)?.[0].length ?? 0) / 2;
}

/** The initial user namespace's fixed inode (PROC_USER_INIT_INO). */
const INITIAL_USER = 0xeffffffd;

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

  it("ls --json has lsns -J --list's flat shape and the sandbox's namespaces with the inodes of /proc/PID/ns, as lsns lists them", async () => {
    const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--json'], who);
    // flat as lsns -J --list, not nested by process as plain lsns -J: the help says which
    expect(namespaces.filter((r) => 'children' in r)).toEqual([]);
    const help = (await nsrun(['ls', '--help'], who)).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('in the shape of lsns -J --list (flat; nested with --tree, as lsns -J --tree)');
    const holder = holders[0] ?? 0;
    const mine = namespaces.filter((r) => r.name === names[0]);
    expect(mine.map((r) => r.type).sort()).toEqual(['ipc', 'net', 'user', 'uts']);
    for (const row of mine) {
      expect(row.ns).toBe(inode(holder, row.type));
      expect(row).toMatchObject({ nprocs: 1, pid: holder, initial: false, user: who.uid === 0 ? 'root' : 'nobody' });
      expect(typeof row.command).toBe('string');
    }
    const listed = lsns<{ namespaces: Row[] }>(['-J', '--list'], who);
    expect(listed.namespaces.filter((r) => 'children' in r)).toEqual([]);
    for (const row of mine) {
      const theirs = listed.namespaces.find((r) => r.ns === row.ns);
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
    const text = await nsrun(['ls', '--tree', 'owner', '--type', 'uts'], who, { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    // the NS column is as wide as its deepest row, which may be another program's namespace
    expect(text.stdout).toMatch(new RegExp(`^[│ ]*[├└]─${inode(holder, 'uts')} +uts `, 'm'));
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

  it("inspect with one process compares it with the caller's own namespaces (column CALLER)", async () => {
    const [a] = holders as [number];
    const r = await nsrun(['inspect', String(a)], who);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^TYPE +${a} +CALLER +SHARED$`));
    // nsrun is in the namespaces of this test process, which setpriv does not change
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^uts +${inode(a, 'uts')} +${inode(process.pid, 'uts')} \\(initial\\) +no$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^time +${inode(a, 'time')} \\(initial\\) +${inode(process.pid, 'time')} \\(initial\\) +yes$`)));
    const { namespaces } = await json<{ namespaces: { type: string; shared: boolean; caller: { ns: number; initial: boolean } }[] }>(['inspect', '--json', String(a)], who);
    for (const n of namespaces) {
      expect(n.caller).toEqual({ ns: inode(process.pid, n.type), initial: true });
      expect([n.type, n.shared]).toEqual([n.type, !['uts', 'ipc', 'net', 'user'].includes(n.type)]);
    }
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
    // the caller's own namespace is readable, the comparison is not made
    expect(r.stdout.split('\n').slice(1)).toEqual(KINDS.map((k) => expect.stringMatching(new RegExp(`^${k} +- +${inode(process.pid, k)} \\(initial\\) +-$`))));
    const { namespaces } = JSON.parse((await nsrun(['ls', '--json'], asNobody)).stdout) as { namespaces: Row[] };
    expect(namespaces.some((row) => row.pid === process.pid)).toBe(false);
  });
});

describe.each(identities)('the trees of a sandbox whose command makes namespaces of its own, next to lsns, as $name', (who) => {
  // nsrun's user namespace is left without a process once unshare is in its own: lsns shows it
  // with NPROCS 0 between the initial one and unshare's, where NS_GET_PARENT puts it
  let running: Running;
  let outer = 0; // unshare, in nsrun's pid namespace
  let inner = 0; // sleep, in unshare's pid and user namespaces
  beforeAll(async () => {
    running = nsrun(['--flags', 'all', '--', 'unshare', '--user', '--pid', '--fork', '--kill-child', 'sleep', '1000'], who);
    const pid = running.pid ?? 0;
    const named = (comm: string): number | undefined => descendants(pid).find((p) => readText(`/proc/${p}/comm`) === comm);
    await waitFor(() => named('sleep') !== undefined, 10_000);
    inner = named('sleep') ?? 0;
    outer = Number(/^PPid:\s+(\d+)/m.exec(readText(`/proc/${inner}/status`) ?? '')?.[1]);
  });
  afterAll(async () => {
    process.kill(outer, 'SIGKILL'); // PID 1 of nsrun's pid namespace; --kill-child ends sleep with it
    expect((await running).exitCode).toBe(137);
  });

  it('ls --tree parent shows nsrun\'s user namespace with 0 processes between the initial one and unshare\'s, as lsns --tree parent', async () => {
    const ours = places((await json<{ namespaces: Row[] }>(['ls', '--tree', 'parent', '--json'], who)).namespaces);
    const theirs = places(lsns<{ namespaces: Row[] }>(['-J', '--tree=parent'], who).namespaces);
    const userInner = inode(inner, 'user');
    const userOuter = theirs.get(userInner)?.up ?? 0;
    expect(inode(outer, 'user')).toBe(userInner);
    expect(theirs.get(userOuter)).toEqual({ up: INITIAL_USER, nprocs: 0, pid: null, command: null });
    for (const ns of [userOuter, userInner, inode(outer, 'pid'), inode(inner, 'pid')]) expect([ns, ours.get(ns)]).toEqual([ns, theirs.get(ns)]);
    // drawn as lsns draws it in each locale: box drawing in a UTF-8 one, ASCII in the C locale
    for (const [locale, down, branch] of [['C.UTF-8', '[│ ]', '[├└]─'], ['C', '[| ]', '[|`]-']]) {
      const env = { ...process.env, LC_ALL: locale };
      const [file, ...rest] = [...who.prefix, 'lsns', '--tree=parent', '--type', 'user'];
      const lsnsText = execFileSync(file ?? 'lsns', rest, { encoding: 'utf8', env });
      const text = (await nsrun(['ls', '--tree', 'parent', '--type', 'user'], who, { env })).stdout;
      for (const ns of [userOuter, userInner]) expect([locale, ns, depth(text, ns)]).toEqual([locale, ns, depth(lsnsText, ns)]);
      expect(depth(text, userInner)).toBe(2);
      const row = new RegExp(`^${down}*${branch}${userOuter} +user +0 +${who.uid === 0 ? 'root' : 'nobody'} *$`, 'm');
      expect(lsnsText).toMatch(row);
      expect(text).toMatch(row);
    }
  });

  it("ls --tree owner puts nsrun's namespaces and unshare's user namespace under nsrun's empty one, as lsns --tree owner", async () => {
    const ours = (await json<{ namespaces: Row[] }>(['ls', '--tree', 'owner', '--json'], who)).namespaces;
    const theirs = lsns<{ namespaces: Row[] }>(['-J', '--tree=owner'], who).namespaces;
    const userOuter = places(theirs).get(inode(inner, 'user'))?.up ?? 0;
    const children = (tree: readonly Row[], ns: number): string[] =>
      (flatten(tree).find((r) => r.ns === ns)?.children ?? []).map((c) => `${c.type}:${c.ns}:${c.nprocs}`).sort();
    const expected = [...['uts', 'ipc', 'pid', 'mnt', 'net', 'cgroup', 'time'].map((t) => `${t}:${inode(outer, t)}`), `user:${inode(inner, 'user')}`];
    expect(children(theirs, userOuter).map((c) => c.replace(/:\d+$/, '')).sort()).toEqual(expected.sort());
    expect(children(ours, userOuter)).toEqual(children(theirs, userOuter));
    expect(children(ours, inode(inner, 'user'))).toEqual(children(theirs, inode(inner, 'user')));
    expect(places(ours).get(userOuter)).toEqual(places(theirs).get(userOuter));
  });
});

describe.each(identities)('initial namespaces seen from inside a sandbox, as $name', (who) => {
  const inside = (flags: string): Promise<{ inspect: { type: string; processes: { ns: number; initial: boolean }[] }[]; ls: Row[] }> =>
    nsrun(['--flags', flags, '--', 'sh', '-c', `${process.execPath} ${nsrunBin} inspect --json 1 $$ && echo --- && ${process.execPath} ${nsrunBin} ls --json`], who).then((r) => {
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      const [a, b] = r.stdout.split('---\n') as [string, string];
      return { inspect: (JSON.parse(a) as { namespaces: [] }).namespaces, ls: (JSON.parse(b) as { namespaces: Row[] }).namespaces };
    });

  it.each([
    ['all', KINDS],
    ['user,pid,mnt', ['user', 'pid', 'mnt']],
  ])("--flags %s: the sandbox's own namespaces are not initial, even those of its pid 1; the host's are", async (flags, created) => {
    // this test runs in the host's namespaces, those of kthreadd
    for (const type of KINDS) expect([type, inode(process.pid, type)]).toEqual([type, inode(2, type)]);
    const { inspect, ls } = await inside(flags);
    expect(inspect.map((n) => [n.type, n.processes.map((p) => p.initial)])).toEqual(KINDS.map((t) => [t, [!created.includes(t), !created.includes(t)]]));
    expect(ls.map((r) => r.type).sort()).toEqual([...KINDS].sort());
    for (const row of ls) expect([row.type, row.initial]).toEqual([row.type, !created.includes(row.type)]);
  });
});

describe("root's listing names every user's kept sandboxes", () => {
  const name = `inspect-other-${process.pid}`;
  const spoofed = `inspect-spoof-${process.pid}`;
  const rootName = `inspect-root-${process.pid}`;
  // a uid no one has, whose state dir claims root's sandbox as its own
  const stranger = 2_000_000_000 + (process.pid % 1000);
  const strangerDir = `/tmp/nsrun-${stranger}`;
  beforeAll(async () => {
    expect((await nsrun(['run', '--name', name, '--flags', 'uts,ipc,net,user', '--', 'true'], asNobody)).exitCode).toBe(0);
    expect((await nsrun(['run', '--name', rootName, '--flags', 'uts', '--', 'true'], asRoot)).exitCode).toBe(0);
    const record = JSON.parse(readFileSync(`/run/nsrun/${rootName}/sandbox.json`, 'utf8')) as Record<string, unknown>;
    mkdirSync(`${strangerDir}/${spoofed}`, { recursive: true, mode: 0o700 });
    writeFileSync(`${strangerDir}/${spoofed}/sandbox.json`, JSON.stringify({ ...record, name: spoofed, dir: `${strangerDir}/${spoofed}` }));
    for (const path of [strangerDir, `${strangerDir}/${spoofed}`, `${strangerDir}/${spoofed}/sandbox.json`]) chownSync(path, stranger, stranger);
  });
  afterAll(async () => {
    rmSync(strangerDir, { recursive: true, force: true });
    await nsrun(['rm', name], asNobody);
    await nsrun(['rm', rootName], asRoot);
  });

  it("root's ls shows the NAME of uid 65534's kept sandbox, which uid 65534's ls shows", async () => {
    const { sandboxes } = await json<{ sandboxes: { name: string; holder: number }[] }>(['ps', '--json'], asNobody);
    const holder = sandboxes.find((s) => s.name === name)?.holder ?? 0;
    for (const who of [asRoot, asNobody]) {
      const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--json'], who);
      expect(namespaces.filter((r) => r.name === name).map((r) => [r.type, r.ns]).sort()).toEqual(['ipc', 'net', 'user', 'uts'].map((t) => [t, inode(holder, t)]));
    }
    const text = await nsrun(['ls', '--type', 'uts'], asRoot);
    expect(text.stdout).toMatch(new RegExp(`^ *${inode(holder, 'uts')} uts +1 +${holder} nobody +${name} `, 'm'));
  });

  it("a record in another uid's state dir does not name root's sandbox: its holder must run as that uid", async () => {
    const { namespaces } = await json<{ namespaces: Row[] }>(['ls', '--json'], asRoot);
    expect(namespaces.filter((r) => r.name === spoofed)).toEqual([]);
    expect(namespaces.filter((r) => r.name === rootName).map((r) => r.type)).toEqual(['uts']);
  });
});
