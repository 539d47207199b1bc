// The seeds' experiments, each through bin/nsrun, as root and unprivileged.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNamespaces, identities, nsrun } from './harness.js';

const tour = ['uts', 'ipc', 'pid', 'ns', 'net', 'user'].join(',');

describe.each(identities)('the seeds, as $name', (who) => {
  let queue: string;
  beforeAll(() => {
    queue = execFileSync('ipcmk', ['-Q'], { encoding: 'utf8' }).trim().split(/\s+/).pop() as string;
  });
  afterAll(() => {
    execFileSync('ipcrm', ['-q', queue]);
  });

  it('sets its own hostname and leaves the host one alone', async () => {
    const before = readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
    const r = await nsrun(['--flags', tour, '--hostname', 'seed-box', '--', 'hostname'], who);
    expect(r.stdout).toBe('seed-box');
    expect(r.exitCode).toBe(0);
    expect(readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()).toBe(before);
  });

  it('does not see the message queue made on the host with ipcmk -Q', async () => {
    expect(execFileSync('ipcs', ['-q'], { encoding: 'utf8' })).toContain(queue);
    const r = await nsrun(['--flags', tour, '--', 'ipcs', '-q'], who);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(queue);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('0x'))).toEqual([]);
  });

  it('has a message queue of its own that the host does not see', async () => {
    const before = execFileSync('ipcs', ['-q'], { encoding: 'utf8' });
    const r = await nsrun(['--flags', tour, '--', 'sh', '-c', 'ipcmk -Q >/dev/null && ipcs -q | grep -c ^0x'], who);
    expect(r.stdout).toBe('1');
    expect(execFileSync('ipcs', ['-q'], { encoding: 'utf8' })).toBe(before);
  });

  it('runs the command as PID 1: echo $$ prints 1', async () => {
    const r = await nsrun(['--flags', tour, '--', 'sh', '-c', 'echo $$'], who);
    expect(r.stdout).toBe('1');
  });

  it('shows only the sandbox processes in ps -ef, /proc being mounted afresh', async () => {
    const r = await nsrun(['--flags', tour, '--', 'sh', '-c', 'ps -e -o pid=,comm='], who);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ['1', 'sh'],
      [expect.stringMatching(/^\d$/), 'ps'],
    ]);
  });

  it('is root inside under --map root (the default): id -u prints 0', async () => {
    const r = await nsrun(['--flags', tour, '--', 'id', '-u'], who);
    expect(r.stdout).toBe('0');
  });

  it('sees only lo in ip link, and lo is up', async () => {
    const r = await nsrun(['--flags', tour, '--', 'ip', '-o', 'link'], who);
    const links = r.stdout.trim().split('\n');
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^1: lo: <[^>]*\bUP\b/);
  });

  it('shows the sandbox interfaces in /sys/class/net', async () => {
    const r = await nsrun(['--flags', tour, '--', 'ls', '/sys/class/net'], who);
    expect(r.stdout).toBe('lo');
  });

  it('can be given another identity inside: --uid/--gid with explicit maps', async () => {
    const outside = who.uid;
    const r = await nsrun(
      ['--flags', tour, '--uid-map', `1:${outside}:1`, '--gid-map', `1:${outside}:1`, '--uid', '1', '--gid', '1', '--', 'sh', '-c', 'id -u; id -g'],
      who,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\n1');
  });
});

const kinds = [
  ['uts', 'uts'],
  ['ipc', 'ipc'],
  ['pid', 'pid'],
  ['ns', 'mnt'],
  ['net', 'net'],
  ['user', 'user'],
  ['cgroup', 'cgroup'],
  ['time', 'time'],
] as const;

describe.each(identities)('namespace inodes, as $name', (who) => {
  const host = hostNamespaces();
  it.each(kinds)('--flags %s changes exactly the namespaces asked for', async (flag, file) => {
    const r = await nsrun(['--flags', flag, '--', 'sh', '-c', 'for n in /proc/self/ns/*; do echo "${n##*/} $(readlink $n)"; done'], who);
    expect(r.exitCode).toBe(0);
    const inside = Object.fromEntries(
      r.stdout.split('\n').map((l) => l.split(' ') as [string, string]).map(([k, v]) => [k, v.replace(/\D/g, '')]),
    );
    // unprivileged, every namespace but user needs a user namespace: nsrun adds it
    const expected = new Set<string>([file, ...(who.uid !== 0 ? ['user'] : [])]);
    for (const [kind, inode] of Object.entries(host)) {
      if (expected.has(kind)) expect(inside[kind], kind).not.toBe(inode);
      else expect(inside[kind], kind).toBe(inode);
    }
  });
});

describe.each(identities)('cgroup and time namespaces, as $name', (who) => {
  it('roots /proc/self/cgroup at / in a new cgroup namespace', async () => {
    const r = await nsrun(['--flags', 'cgroup', '--', 'cat', '/proc/self/cgroup'], who);
    expect(r.exitCode).toBe(0);
    for (const line of r.stdout.split('\n')) expect(line).toMatch(/:\/$/);
  });

  it('shifts CLOCK_BOOTTIME by --time-offset boottime (seen in /proc/uptime)', async () => {
    const day = 86400;
    const host = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const r = await nsrun(['--flags', 'time,ns,pid', '--time-offset', `boottime=${day}`, '--', 'cat', '/proc/uptime'], who);
    const inside = Number(r.stdout.split(' ')[0]);
    expect(inside).toBeGreaterThanOrEqual(host + day);
    expect(inside).toBeLessThan(host + day + 60);
  });

  it('shifts CLOCK_MONOTONIC by --time-offset monotonic', async () => {
    const hour = 3600;
    const host = process.hrtime.bigint() / 1_000_000_000n;
    const r = await nsrun(
      ['--flags', 'time', '--time-offset', `monotonic=${hour}`, '--', process.execPath, '-e', 'console.log(String(process.hrtime.bigint() / 1000000000n))'],
      who,
    );
    const inside = BigInt(r.stdout);
    expect(inside - host).toBeGreaterThanOrEqual(BigInt(hour));
    expect(inside - host).toBeLessThan(BigInt(hour + 60));
  });
});
