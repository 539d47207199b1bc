import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INITIAL_INODES, inspect, listNamespaces, namespaceLimits, validateType } from '../src/inspect.js';
import { NAMESPACES } from '../src/namespaces.js';
import { fakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

const inode = (pid: number | string, type: string): number => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${type}`))?.[1]);

/** What the kernel says is initial: the type's fixed inode, or for mnt and net the kernel threads' (kthreadd's) namespace. */
function initial(type: keyof typeof INITIAL_INODES, ns: number): boolean {
  if (ns === INITIAL_INODES[type]) return true;
  try {
    return (type === 'mnt' || type === 'net') && inode(2, type) === ns;
  } catch {
    return false;
  }
}

describe('validateType', () => {
  it.each(NAMESPACES.map((k) => k.name))('accepts %s', (type) => {
    expect(validateType(type)).toBe(type);
  });

  it('refuses a word that is no type, naming the types', () => {
    const error = thrown(() => validateType('ns'));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toBe("invalid --type 'ns': expected one of uts, ipc, pid, mnt, net, user, cgroup, time");
  });
});

describe('inspect', () => {
  it('reports the inode of every namespace of a process as /proc/PID/ns shows it, shared with itself', async () => {
    const result = await inspect([process.pid, process.pid]);
    expect(result.map((r) => r.type)).toEqual(NAMESPACES.map((k) => k.name));
    for (const r of result) {
      const ns = inode('self', r.type);
      expect(r.processes).toEqual([
        { pid: process.pid, ns, initial: initial(r.type, ns) },
        { pid: process.pid, ns, initial: initial(r.type, ns) },
      ]);
      expect(r.shared).toBe(true);
    }
  });

  it("compares one process with the caller's own namespaces", async () => {
    const result = await inspect([process.pid]);
    for (const r of result) {
      const ns = inode('self', r.type);
      expect(r).toEqual({ type: r.type, processes: [{ pid: process.pid, ns, initial: initial(r.type, ns) }], caller: { ns, initial: initial(r.type, ns) }, shared: true });
    }
  });

  it("has the fixed inodes of the initial namespaces, which kthreadd's /proc/2/ns shows on the host (mnt and net since Linux 6.18)", () => {
    const fixed = Object.entries(INITIAL_INODES).filter(([type]) => type !== 'mnt' && type !== 'net');
    for (const [type, ns] of fixed) expect([type, inode(2, type)]).toEqual([type, ns]);
  });

  it('refuses no pid, and a pid that does not exist', async () => {
    await expect(inspect([])).rejects.toMatchObject({ step: 'usage', message: 'inspect needs at least one process id' });
    await expect(inspect([2 ** 31 - 1])).rejects.toMatchObject({ step: 'usage', message: `no such process ${2 ** 31 - 1}` });
  });
});

describe('listNamespaces', () => {
  it("lists this process's namespaces, each with at least this process in it", async () => {
    const rows = await listNamespaces({ type: 'uts' }, fakeSystem({ euid: 1, env: {} }));
    expect(rows.every((r) => r.type === 'uts')).toBe(true);
    const own = rows.find((r) => r.ns === inode('self', 'uts'));
    expect(own?.nprocs).toBeGreaterThanOrEqual(1);
    expect(own?.pid).toBeLessThanOrEqual(process.pid);
    expect(rows.map((r) => r.ns)).toEqual([...rows.map((r) => r.ns)].sort((a, b) => a - b));
  });
});

describe('namespaceLimits', () => {
  it('reads each max_<type>_namespaces sysctl, null where it cannot be read', async () => {
    const files = { '/proc/sys/user/max_uts_namespaces': '42\n', '/proc/sys/user/max_net_namespaces': '0\n' };
    const limits = await namespaceLimits(fakeSystem({ euid: 1, env: {}, files }));
    expect(limits.map((l) => [l.type, l.max])).toEqual([
      ['uts', 42],
      ['ipc', null],
      ['pid', null],
      ['mnt', null],
      ['net', 0],
      ['user', null],
      ['cgroup', null],
      ['time', null],
    ]);
    for (const l of limits) expect(l.count).toBeGreaterThanOrEqual(1);
  });
});
