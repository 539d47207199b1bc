// Every option of `nsrun run`, seen from inside the sandbox.
import { mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asUid, identities, mountChanges, nsrun, nsrunInOwnMounts, testUserId, TEST_USER } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-options-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(identities)('options, as $name', (who) => {
  it('`run` may be named or left out', async () => {
    const a = await nsrun(['run', '--flags', 'uts', '--hostname', 'named', '--', 'hostname'], who);
    const b = await nsrun(['--flags', 'uts', '--hostname', 'implied', 'hostname'], who);
    expect([a.stdout, b.stdout]).toEqual(['named', 'implied']);
  });

  it('uses the default set uts,ipc,pid,ns,net,cgroup (plus user when unprivileged)', async () => {
    const r = await nsrun(['--dry-run', '--', 'true'], who);
    const config = JSON.parse(r.stdout) as { namespaces: string[] };
    const expected = ['uts', 'ipc', 'pid', 'mnt', 'net', 'cgroup', ...(who.uid === 0 ? [] : ['user'])];
    expect([...config.namespaces].sort()).toEqual(expected.sort());
  });

  it('--flags all creates all eight namespaces', async () => {
    const r = await nsrun(['--dry-run', '--flags', 'all', '--', 'true'], who);
    expect((JSON.parse(r.stdout) as { namespaces: string[] }).namespaces).toHaveLength(8);
  });

  it('--flags accepts mnt and mount for ns', async () => {
    for (const word of ['ns', 'mnt', 'mount']) {
      const r = await nsrun(['--dry-run', '--flags', word, '--', 'true'], who);
      expect((JSON.parse(r.stdout) as { namespaces: string[] }).namespaces).toContain('mnt');
    }
  });

  it('--domainname sets the NIS domain name', async () => {
    const r = await nsrun(['--flags', 'uts', '--domainname', 'example.test', '--', 'cat', '/proc/sys/kernel/domainname'], who);
    expect(r.stdout).toBe('example.test');
  });

  it('--cwd enters a directory', async () => {
    const r = await nsrun(['--cwd', scratch, '--', 'pwd'], who);
    expect(r.stdout).toBe(scratch);
  });

  it('--env sets variables, --clear-env starts from nothing', async () => {
    const a = await nsrun(['--env', 'GREETING=hello', '--', 'sh', '-c', 'echo $GREETING; echo ${HOME:+home-set}'], who, { env: { HOME: '/root' } });
    expect(a.stdout).toBe('hello\nhome-set');
    const b = await nsrun(['--clear-env', '--env', 'ONLY=1', '--', '/usr/bin/env'], who);
    expect(b.stdout).toBe('ONLY=1');
  });

  it('finds the command on PATH as a shell would', async () => {
    const r = await nsrun(['--env', `PATH=/nonexistent:/usr/bin:/bin`, '--', 'id', '-u'], who);
    expect(r.stdout).toBe('0');
  });

  it('--map current keeps the caller id inside', async () => {
    const r = await nsrun(['--flags', 'user', '--map', 'current', '--', 'id', '-u'], who);
    expect(r.stdout).toBe(String(who.uid));
  });

  it('--no-proc keeps the host /proc (the host processes stay visible)', async () => {
    const r = await nsrun(['--flags', 'pid,ns', '--no-proc', '--', 'sh', '-c', `test -d /proc/${process.pid} && echo host-proc`], who);
    expect(r.stdout).toBe('host-proc');
  });

  it('mounts /proc nosuid,nodev,noexec', async () => {
    const r = await nsrun(['--flags', 'pid,ns', '--', 'grep', ' /proc proc ', '/proc/self/mounts'], who);
    expect(r.stdout).toMatch(/\bnosuid\b/);
    expect(r.stdout).toMatch(/\bnodev\b/);
    expect(r.stdout).toMatch(/\bnoexec\b/);
  });

  // on a host whose / is shared, as systemd makes it; a user namespace's mount namespace receives
  // propagation but sends none (mount_namespaces(7)), as unshare(1)'s does
  it.each([
    ['private', false],
    ['slave', false],
    ['shared', who.uid === 0],
    ['unchanged', who.uid === 0],
  ])('--propagation %s: a mount inside reaches a shared host: %s', async (mode, reaches) => {
    const r = await nsrunInOwnMounts(['--flags', 'ns,pid', '--propagation', mode, '--', 'sh', '-c', `mount -t tmpfs none ${scratch} && grep -c ${scratch} /proc/self/mounts`], who);
    expect(r.stdout).toBe('1');
    const changes = mountChanges(r);
    expect(changes).toEqual(reaches ? [expect.stringMatching(new RegExp(`^\\+ .* ${scratch} .* - tmpfs none `))] : []);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(scratch);
  });

  it('--dry-run prints the config the helper would get and runs nothing', async () => {
    const r = await nsrun(['--dry-run', '--flags', 'uts', '--hostname', 'dry', '--', 'touch', join(scratch, 'dry-run-ran')], who);
    expect(r.exitCode).toBe(0);
    const config = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(config).toMatchObject({ version: 1, hostname: 'dry', command: ['touch', join(scratch, 'dry-run-ran')] });
    expect(() => readFileSync(join(scratch, 'dry-run-ran'))).toThrow();
  });
});

describe(`--map auto (as ${TEST_USER}, who has /etc/subuid and /etc/subgid ranges)`, () => {
  const uid = testUserId();
  it.skipIf(uid === undefined)('maps a whole subordinate range through newuidmap/newgidmap', async () => {
    const who = asUid(uid as number);
    const r = await nsrun(['--flags', 'user', '--map', 'auto', '--', 'sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map'], who);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual([0, uid, 1]);
    expect(lines[1]?.[0]).toBe(1);
    expect(lines[1]?.[2]).toBeGreaterThanOrEqual(65536);
  });

  it.skipIf(uid === undefined)('lets a mapped id other than 0 own files inside', async () => {
    const who = asUid(uid as number);
    const r = await nsrun(['--flags', 'user,ns', '--map', 'auto', '--', 'sh', '-c', 'mount -t tmpfs none /mnt && touch /mnt/f && chown 1000:1000 /mnt/f && stat -c %u:%g /mnt/f'], who);
    expect(r.stdout).toBe('1000:1000');
  });
});
