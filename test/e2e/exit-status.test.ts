// nsrun exits as the command did: its code, 128+n for signal n, or its own 2/125/126/127.
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, identities, nsrun, nsrunBin, waitFor } from './harness.js';

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

describe.each(identities)('the end of nsrun, as $name', (who) => {
  it('comes once all of its own output is written, to a reader slower than it', async () => {
    // 800 kB of config on stdout, far more than a pipe holds, read a second after nsrun wrote it
    const env = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`NSRUN_TEST_${i}`, `${i}`.repeat(100_000)]));
    const r = await execa(
      'sh',
      ['-c', '{ "$@"; echo "nsrun exited $?" >&2; } | { sleep 1; cat; }', 'sh', ...who.prefix, nsrunBin, '--dry-run', '--flags', 'uts', '--', 'true'],
      { env, reject: false },
    );
    expect(r.stderr).toBe('nsrun exited 0');
    const config = JSON.parse(r.stdout) as { env: string[] };
    for (const [name, value] of Object.entries(env)) expect(config.env).toContain(`${name}=${value}`);
  });
});

/** What fd 4 of nsrun's helper, a child of pid, points to, once it has one (fd 3 is preserved, see SPAWNED). */
async function helperChannel(pid: number | undefined): Promise<string> {
  let target: string | undefined;
  const link = (path: string): string | undefined => {
    try {
      return readlinkSync(path);
    } catch {
      return undefined; // not there yet, or gone
    }
  };
  await waitFor(() => {
    const helper = descendants(pid ?? -1).find((p) => link(`/proc/${p}/exe`)?.endsWith('/nsrun-helper'));
    target = helper === undefined ? undefined : link(`/proc/${helper}/fd/4`);
    return target !== undefined;
  });
  return target ?? '';
}

// nsrun spawns the helper, and has a status channel, on every node when it passes fds on (see
// handOver): the command gets a pipe as fd 3, and the channel follows it
const SPAWNED = ['--preserve-fds', '1'];
const spawnedStdio = (): Options['stdio'] => ['ignore', 'pipe', 'pipe', 'pipe'];

describe.each(identities)('the status channel, as $name', (who) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  function tmpDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nsrun-status-'));
    chmodSync(dir, 0o777);
    dirs.push(dir);
    return dir;
  }

  it('is a file without a name in $TMPDIR, of which nothing is left', async () => {
    const dir = tmpDir();
    const running = nsrun([...SPAWNED, '--flags', 'uts', '--', 'sh', '-c', 'sleep 0.5; exit 7'], who, { env: { TMPDIR: dir }, stdio: spawnedStdio() });
    expect(await helperChannel(running.pid)).toMatch(new RegExp(`^${dir}/#\\d+ \\(deleted\\)$`));
    expect(await running).toEqual({ exitCode: 7, stdout: '', stderr: '' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is a socket where $TMPDIR cannot hold one, and tells the same', async () => {
    const env = { TMPDIR: join(tmpDir(), 'missing') };
    const running = nsrun([...SPAWNED, '--flags', 'uts', '--', 'sh', '-c', 'sleep 0.5; kill -TERM $$'], who, { env, stdio: spawnedStdio() });
    expect(await helperChannel(running.pid)).toMatch(/^socket:\[\d+\]$/);
    expect((await running).exitCode).toBe(128 + constants.signals.SIGTERM);
    for (const TMPDIR of [env.TMPDIR, tmpDir()]) {
      const r = await nsrun([...SPAWNED, '--flags', 'uts', '--cwd', '/nonexistent', '--', 'true'], who, { env: { TMPDIR }, stdio: spawnedStdio() });
      expect(r).toEqual({ exitCode: 125, stdout: '', stderr: 'nsrun: cannot enter /nonexistent: no such file or directory' });
    }
  });
});
