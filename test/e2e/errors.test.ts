// The errors users really hit: each detected, explained in one line, with its exit code.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { asNobody, asRoot, hostNames, identities, mountChanges, nsrun, nsrunBin, nsrunInOwnMounts } from './harness.js';

function oneLine(stderr: string): string {
  expect(stderr.split('\n')).toHaveLength(1);
  return stderr;
}

describe('errors', () => {
  it('names the namespace limit behind ENOSPC (max_user_namespaces = 0)', async () => {
    // /proc/sys/user/* is per user namespace: set the limit to 0 inside one, then run nsrun there
    const r = await execa(
      'unshare',
      ['--user', '--map-root-user', 'sh', '-c', `echo 0 > /proc/sys/user/max_user_namespaces && exec ${process.execPath} ${nsrunBin} --flags user,uts -- true`],
      { reject: false },
    );
    expect(r.exitCode).toBe(125);
    expect(oneLine(r.stderr)).toMatch(/^nsrun: .*user\.max_user_namespaces.* 0\b/);
  });

  it('says the user namespace id maps were refused (unprivileged mapping of root)', async () => {
    const r = await nsrun(['--flags', 'user', '--uid-map', '0:0:1', '--', 'true'], asNobody);
    expect(r.exitCode).toBe(125);
    expect(oneLine(r.stderr)).toMatch(/^nsrun: .*uid_map.*(permission|not permitted)/i);
  });

  it('says which is missing for --map auto: the subordinate range', async () => {
    const r = await nsrun(['--map', 'auto', '--', 'true'], asNobody);
    expect(r.exitCode).toBe(125);
    expect(oneLine(r.stderr)).toMatch(/\/etc\/subuid/);
  });

  it('says which is missing for --map auto: newuidmap', async () => {
    const r = await execa('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, nsrunBin, '--map', 'auto', '--', '/bin/true'], {
      reject: false,
      env: { PATH: '/nonexistent' },
      extendEnv: false,
    });
    expect(r.exitCode).toBe(125);
    expect(oneLine(r.stderr)).toMatch(/newuidmap/);
  });

  it('explains why /proc cannot be mounted (a /proc partly covered, as in a container)', async () => {
    const r = await execa(
      'unshare',
      ['--user', '--map-root-user', '--mount', 'sh', '-c', `mount -t tmpfs none /proc/sys && exec ${process.execPath} ${nsrunBin} --flags user,pid,ns -- true`],
      { reject: false },
    );
    expect(r.exitCode).toBe(125);
    expect(oneLine(r.stderr)).toMatch(/^nsrun: .*\/proc.*--no-proc/);
  });

  it('tells the user that NSRUN_HELPER names the missing helper', async () => {
    const r = await nsrun(['--', 'true'], asRoot, { env: { NSRUN_HELPER: '/nonexistent/nsrun-helper' } });
    expect(r.exitCode).toBe(125);
    expect(oneLine(r.stderr)).toMatch(/nonexistent\/nsrun-helper.*\(hint: NSRUN_HELPER names it: .*unset it/);
  });

  it('refuses an unknown option in one line with exit 2', async () => {
    const r = await nsrun(['--bogus-option', '--', 'true']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--bogus-option/);
  });

  it.each([
    [['--map', 'sideways', '--', 'true'], /--map.*sideways/],
    [['--uid-map', '0:x:1', '--', 'true'], /--uid-map.*0:x:1/],
    [['--propagation', 'weird', '--', 'true'], /--propagation.*weird/],
    [['--time-offset', 'realtime=5', '--', 'true'], /--time-offset.*realtime/],
    [['--env', '=x', '--', 'true'], /--env/],
    [['--flags', 'uts'], /command/],
    [['--flags', 'uts', '--hostname', 'x'.repeat(65), '--', 'true'], /--hostname/],
  ])('refuses bad input %j with exit 2 and a line naming it', async (args, message) => {
    const before = hostNames();
    const r = await nsrunInOwnMounts(args);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(mountChanges(r)).toEqual([]);
    expect(hostNames()).toEqual(before);
  });
});

describe.each(identities)('file descriptors, as $name', (who) => {
  it('lets no fd of nsrun, the helper or the caller reach the command', async () => {
    const r = await nsrun(['--', 'sh', '-c', 'ls /proc/$$/fd'], who, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    expect(r.stdout.split('\n')).toEqual(['0', '1', '2']);
  });

  it('keeps fds 3..N+2 with --preserve-fds N', async () => {
    const r = await nsrun(['--preserve-fds', '1', '--', 'sh', '-c', 'ls /proc/$$/fd'], who, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    expect(r.stdout.split('\n')).toEqual(['0', '1', '2', '3']);
  });
});
