import { describe, expect, it } from 'vitest';
import { NAMESPACES, parseFlags, sortNamespaces, sysctlPath } from '../src/namespaces.js';
import { thrown } from './support/thrown.js';

describe.each(NAMESPACES)('namespace kind $name', (kind) => {
  it.each(kind.words)('--flags %s selects it', (word) => {
    expect(parseFlags(word)).toEqual([kind.name]);
  });

  it('is named in /proc/self/ns as in the contract', () => {
    expect(kind.procFile).toBe(kind.name);
  });

  it('has its limit in /proc/sys/user', () => {
    expect(kind.limit).toBe(`user.max_${kind.name}_namespaces`);
    expect(sysctlPath(kind.limit)).toBe(`/proc/sys/user/max_${kind.name}_namespaces`);
  });
});

describe('parseFlags', () => {
  it.each([
    ['uts,pid,ns', ['uts', 'pid', 'mnt']],
    ['ns,pid,uts', ['uts', 'pid', 'mnt']],
    ['user,net', ['net', 'user']],
    ['time,cgroup,ipc', ['ipc', 'cgroup', 'time']],
    ['all', ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time']],
  ])('reads %s', (flags, names) => {
    expect(parseFlags(flags)).toEqual(names);
  });

  it.each([
    ['uts,bogus', "unknown namespace 'bogus' in --flags"],
    ['UTS', "unknown namespace 'UTS' in --flags"],
    ['', "--flags '' has an empty namespace name"],
    ['uts,,pid', "--flags 'uts,,pid' has an empty namespace name"],
  ])('rejects %j as a usage error naming the word and the valid names', (flags, message) => {
    const error = thrown(() => parseFlags(flags));
    expect(error).toMatchObject({ exitCode: 2, step: 'usage' });
    expect(error.message).toBe(
      `${message}; valid names: uts, ipc, pid, ns, mnt, mount, net, user, cgroup, time, all`,
    );
  });
});

describe('parseFlags refuses a namespace named twice', () => {
  it.each([
    ['uts,uts', "--flags 'uts,uts' names the UTS namespace more than once (uts, uts)"],
    ['mnt,mount,ns', "--flags 'mnt,mount,ns' names the mount namespace more than once (mnt, mount, ns)"],
    ['uts,all', "--flags 'uts,all': all stands alone"],
  ])('%s', (flags, message) => {
    const error = thrown(() => parseFlags(flags));
    expect(error).toMatchObject({ exitCode: 2, step: 'usage', message });
  });
});

describe('sortNamespaces', () => {
  it('puts names in table order without duplicates', () => {
    expect(sortNamespaces(['time', 'user', 'uts', 'user'])).toEqual(['uts', 'user', 'time']);
  });
});
