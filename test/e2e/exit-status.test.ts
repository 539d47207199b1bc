// nsrun exits as the command did: its code, 128+n for signal n, or its own 2/125/126/127.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { identities, nsrun } from './harness.js';

const codes = Array.from({ length: 256 }, (_, i) => i);
const deaths = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGABRT', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM'] as const;

describe.each(identities)('exit status, as $name', (who) => {
  it('passes every exit code 0..255 through', async () => {
    const seen: number[] = [];
    for (let i = 0; i < codes.length; i += 16) {
      const batch = codes.slice(i, i + 16);
      const results = await Promise.all(batch.map((c) => nsrun(['--flags', 'uts,pid,ns', '--', 'sh', '-c', `exit ${c}`], who)));
      seen.push(...results.map((r) => r.exitCode ?? -1));
    }
    expect(seen).toEqual(codes);
  }, 180_000); // 256 sandboxes: minutes on a loaded machine

  it.each(deaths)('gives 128+n when the command dies of %s', async (name) => {
    // without a pid namespace: a namespace's PID 1 cannot kill itself with a default-action signal
    const r = await nsrun(['--flags', 'uts', '--', 'sh', '-c', `kill -${name.slice(3)} $$`], who);
    expect(r.exitCode).toBe(128 + constants.signals[name]);
    expect(r.stderr).toBe('');
  });

  it('exits 127 with one line naming a command that is not found', async () => {
    const r = await nsrun(['--', 'nsrun-no-such-command'], who);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toBe('nsrun: nsrun-no-such-command: command not found');
  });

  it('exits 126 with one line naming a command that cannot be executed', async () => {
    const r = await nsrun(['--', '/etc/passwd'], who);
    expect(r.exitCode).toBe(126);
    expect(r.stderr).toMatch(/^nsrun: \/etc\/passwd: cannot execute: permission denied/);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('exits 2 with one line naming an unknown namespace and the valid ones', async () => {
    const r = await nsrun(['--flags', 'uts,bogus', '--', 'true'], who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
    expect(r.stderr).toMatch(/uts.*ipc.*pid.*ns.*net.*user.*cgroup.*time/);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('exits 125 with one line when the sandbox cannot be set up (an unmapped --uid)', async () => {
    const r = await nsrun(['--flags', 'user,uts', '--uid', '4242', '--', 'true'], who);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^nsrun: .*4242/);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });
});
