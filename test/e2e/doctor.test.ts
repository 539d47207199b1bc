// nsrun doctor: what this machine allows, each namespace type actually tried.
import { execa } from 'execa';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor.js';
import { NAMESPACES } from '../../src/namespaces.js';
import { asUid, helperBin, identities, nsrun, nsrunBin, root, testUserId } from './harness.js';

describe.each(identities)('nsrun doctor, as $name', (who) => {
  it('--json reports every namespace type as available here, and exits 0', async () => {
    const r = await nsrun(['doctor', '--json'], who);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(report.uid).toBe(who.uid);
    expect(report.namespaces).toEqual(Object.fromEntries(NAMESPACES.map((k) => [k.name, { available: true }])));
    expect(report.defaultRun).toMatchObject({ available: true });
    expect(report.defaultRun.namespaces.includes('user')).toBe(who.uid !== 0);
    expect(report.helper).toMatchObject({ found: true, elf: { architecture: arch(), interpreter: false, gnuAbiTag: false }, libc: 'musl' });
    expect(report.helper.bytes).toBe(statSync(helperBin).size);
    // a static musl helper waiting for its command is resident in well under a MB; glibc's is about 870 kB
    expect(report.helper.residentKb).toBeGreaterThan(0);
    expect(report.helper.residentKb).toBeLessThan(600);
    expect(['v1', 'v2', 'hybrid']).toContain(report.cgroup);
    expect(report.userNamespaceSysctls['user.max_user_namespaces']).toBeGreaterThan(0);
    expect(report.idMapping.newuidmap.privilege).toBe('setuid');
    for (const check of report.checks) {
      if (check.status !== 'ok') expect(check.fix, check.name).toMatch(/\S/);
    }
  });

  it('prints a checklist without colour when stdout is not a terminal', async () => {
    const r = await nsrun(['doctor'], who);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    for (const kind of NAMESPACES) expect(r.stdout).toMatch(new RegExp(`^ok +${kind.title} +created`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ok +helper +.*\\(static, ${arch()}, musl: \\d+ kB, \\d+ kB resident per running sandbox\\)$`, 'm'));
    expect(r.stdout).toMatch(/nsrun run works here\.$/);
  });

  it('warns of a helper linked with glibc, with what it costs and how to link it with musl', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nsrun-glibc-helper-'));
    try {
      await execa('make', ['-s', '-C', `${root}helper`, `OUT=${out}`, 'CC=gcc']);
      chmodSync(out, 0o755);
      const r = await nsrun(['doctor'], who, { env: { NSRUN_HELPER: join(out, 'nsrun-helper') } });
      expect(r.stdout).toMatch(/^warning +helper +.*\(static, .*, glibc: \d+ kB, \d+ kB resident per running sandbox\)\n +fix: .*install musl-tools/m);
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each([
    [{}, true],
    [{ NO_COLOR: '1' }, false],
  ])('on a terminal, with env %j, colours its checklist: %s', async (env, colours) => {
    // script(1) gives nsrun a pseudo-terminal as stdout
    const [file, ...args] = [...who.prefix, 'script', '-qec', `${nsrunBin} doctor`, '/dev/null'];
    const r = await execa(file as string, args, { reject: false, env: { NO_COLOR: '', ...env } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/nsrun run works here/);
    expect(r.stdout.includes('\x1b[32mok')).toBe(colours);
  });

  it('reports the user namespace problem and its fix where max_user_namespaces is 0', async () => {
    // /proc/sys/user/* belongs to the user namespace: set the limit to 0 in a new one and ask there
    const script = `echo 0 > /proc/sys/user/max_user_namespaces && exec ${process.execPath} ${nsrunBin} doctor --json`;
    const [file, ...args] = [...who.prefix, 'unshare', '--user', '--map-root-user', 'sh', '-c', script];
    const r = await execa(file as string, args, { reject: false });
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.namespaces.user).toEqual({
      available: false,
      error: 'cannot create the namespaces user: no space left on device (the limit user.max_user_namespaces is 0)',
      fix: 'sysctl -w user.max_user_namespaces=15000',
    });
    expect(report.checks).toContainEqual({
      name: 'user.max_user_namespaces',
      status: 'warning',
      detail: '0: no user namespace may be created',
      fix: 'sysctl -w user.max_user_namespaces=15000',
    });
    expect(report.checks).toContainEqual(expect.objectContaining({ name: 'user namespace', status: 'problem' }));
    // root of that namespace needs no new user namespace for the default run
    expect(report.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it('exits 125 and names the fix when the helper is missing', async () => {
    const r = await nsrun(['doctor'], who, { env: { NSRUN_HELPER: '/nonexistent/nsrun-helper' } });
    expect(r.exitCode).toBe(125);
    expect(r.stdout).toMatch(/^problem +helper +\/nonexistent\/nsrun-helper is missing or not executable\n +fix: NSRUN_HELPER names it: /m);
    expect(r.stdout).toMatch(/cannot work here/);
  });

  it('refuses an argument with exit 2', async () => {
    const r = await nsrun(['doctor', 'extra'], who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("nsrun: nsrun doctor takes no arguments, got 'extra' (see nsrun doctor --help)");
  });
});

describe('nsrun doctor, as the test user with subordinate ranges (nsrun-test)', () => {
  it('reports its /etc/subuid and /etc/subgid ranges as ok', async () => {
    const uid = testUserId();
    expect(uid).toBeDefined();
    const r = await nsrun(['doctor', '--json'], asUid(uid ?? -1));
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.idMapping.subuid?.count).toBeGreaterThan(0);
    expect(report.idMapping.subgid?.count).toBeGreaterThan(0);
    expect(report.checks.filter((c) => c.name.startsWith('/etc/sub')).map((c) => c.status)).toEqual(['ok', 'ok']);
  });
});
