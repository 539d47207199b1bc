// nsrun exec joins a sandbox started by nsrun run in the background: what the command sees
// there, its exit status, and every way a join can fail.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, asNobody, hostNamespaces, identities, nsrun, sandboxSleep, waitFor, type Identity, type Running } from './harness.js';

/** A process that has exited but not been reaped: its pid exists, its namespaces are gone. */
async function zombie(who: Identity): Promise<{ pid: number; stop: () => void }> {
  const [file, ...args] = [...who.prefix, 'sh', '-c', 'sleep 0 & echo $!; exec sleep 1000'];
  const parent = spawn(file ?? 'sh', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
  await waitFor(() => readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '));
  return { pid, stop: () => parent.kill('SIGKILL') };
}

describe.each(identities)('nsrun exec into a running sandbox, as $name', (who) => {
  let sandbox: Running;
  let pid: number;
  beforeAll(async () => {
    sandbox = nsrun(['--flags', 'uts,ipc,pid,ns,net,user', '--hostname', 'exec-box', '--', 'sleep', '1000'], who);
    pid = await sandboxSleep(sandbox);
  });
  afterAll(async () => {
    sandbox.kill('SIGTERM');
    await sandbox;
  });

  const exec = (args: readonly string[]): Running => nsrun(['exec', '--target', String(pid), ...args], who);

  it('sees the sandbox hostname', async () => {
    const r = await exec(['--', 'hostname']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'exec-box', stderr: '' });
  });

  it("is inside the sandbox's pid namespace: not PID 1, and ps sees the sandbox's processes only", async () => {
    const r = await exec(['--', 'sh', '-c', 'echo $$; ps -e -o pid=,comm=']);
    expect(r.exitCode).toBe(0);
    const [own, ...ps] = r.stdout.split('\n').map((l) => l.trim());
    expect(Number(own)).toBeGreaterThan(1);
    expect(ps).toContain('1 sleep');
    expect(ps).toContain(`${own} sh`);
    expect(ps).toHaveLength(3); // sleep, sh, ps
    expect(readlinkSync(`/proc/${pid}/ns/pid`)).not.toBe(readlinkSync('/proc/self/ns/pid'));
  });

  it("is inside the sandbox's mount namespace: a tmpfs file made by one exec is seen by the next, not by the host", async () => {
    const made = await exec(['--', 'sh', '-c', 'mount -t tmpfs exec-test /mnt && echo inside > /mnt/exec-test']);
    expect(made).toMatchObject({ exitCode: 0, stderr: '' });
    const seen = await exec(['--', 'cat', '/mnt/exec-test']);
    expect(seen).toMatchObject({ exitCode: 0, stdout: 'inside' });
    expect(existsSync('/mnt/exec-test')).toBe(false);
  });

  it("is uid 0 in the sandbox's user namespace, whose map is the sandbox's", async () => {
    const r = await exec(['--', 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
    expect(r.exitCode).toBe(0);
    const [uid, map] = r.stdout.split('\n');
    expect(uid).toBe('0');
    expect(map?.trim().split(/\s+/)).toEqual(['0', String(who.uid), '1']);
    expect(readlinkSync(`/proc/${pid}/ns/user`)).not.toBe(`user:[${hostNamespaces()['user']}]`);
  });

  it('enters only the namespaces --flags lists', async () => {
    const r = await exec(['--flags', 'user,uts', '--', 'sh', '-c', 'hostname; readlink /proc/self/ns/pid /proc/self/ns/net']);
    expect(r.exitCode).toBe(0);
    const host = hostNamespaces();
    expect(r.stdout.split('\n')).toEqual(['exec-box', `pid:[${host['pid']}]`, `net:[${host['net']}]`]);
  });

  it('runs in --cwd with --env added to the environment', async () => {
    const r = await exec(['--cwd', '/tmp', '--env', 'NSRUN_EXEC=yes', '--', 'sh', '-c', 'pwd; echo $NSRUN_EXEC']);
    expect(r).toMatchObject({ exitCode: 0, stdout: '/tmp\nyes' });
  });

  it('keeps the capabilities it gets there, as nsenter does, which --cap-drop and --cap-add narrow', async () => {
    const probe = ['--', 'sh', '-c', 'grep -E "^(CapEff|CapBnd|CapAmb):" /proc/self/status | cut -f2'];
    const all = (await exec(probe)).stdout.split('\n');
    expect(all[0]).toBe(all[1]); // the effective set is the whole bounding set
    expect(all[0]).toMatch(/^0+1f+$/);
    const narrowed = await exec(['--cap-drop', 'all', '--cap-add', 'NET_RAW,CHOWN', ...probe]);
    expect(narrowed).toMatchObject({ exitCode: 0, stdout: ['0000000000002001', '0000000000002001', '0000000000000000'].join('\n') });
    const dropped = await exec(['--cap-drop', 'NET_RAW', ...probe]);
    expect(BigInt(`0x${dropped.stdout.split('\n')[0] ?? ''}`)).toBe(BigInt(`0x${all[0] ?? ''}`) & ~(1n << 13n));
  });

  it('runs with only --env under --clear-env', async () => {
    const r = await exec(['--clear-env', '--env', 'ONLY=this', '--', '/usr/bin/env']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'ONLY=this' });
  });

  it.each([
    ['the exit code', ['sh', '-c', 'exit 7'], 7],
    ['128+n for a death by signal n', ['sh', '-c', 'kill -TERM $$'], 143],
    ['127 for a command not found', ['nsrun-no-such-command'], 127],
    ['126 for a command that cannot be executed', ['/etc/passwd'], 126],
  ])('exits with %s', async (_, command, code) => {
    const r = await exec(['--', ...command]);
    expect(r.exitCode).toBe(code);
    expect(r.stderr.split('\n').length).toBeLessThanOrEqual(1);
  });

  it('relays SIGTERM to the command, and exits 128+15 when it dies of it', async () => {
    const running = exec(['--', 'sleep', '1000']);
    const joined = await sandboxSleep(running);
    expect(readlinkSync(`/proc/${joined}/ns/pid`)).toBe(readlinkSync(`/proc/${pid}/ns/pid`));
    running.kill('SIGTERM');
    expect((await running).exitCode).toBe(143);
    expect(alive(joined)).toBe(false);
  });

  it('names a process that does not exist', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('close', resolve));
    expect(existsSync(`/proc/${gone.pid}`)).toBe(false);
    const r = await nsrun(['exec', '--target', String(gone.pid), '--', 'true'], who);
    expect(r).toMatchObject({ exitCode: 125, stderr: `nsrun: cannot join the namespaces of process ${gone.pid}: no such process` });
  });

  it('says no such process when the target has exited by the time it is joined (a zombie)', async () => {
    const z = await zombie(who);
    try {
      const r = await nsrun(['exec', '--target', String(z.pid), '--', 'true'], who);
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toMatch(new RegExp(`^nsrun: cannot join the \\w+ namespaces? of process ${z.pid}: no such process$`));
    } finally {
      z.stop();
    }
  });

  it.each([
    ['no target', ['exec', '--', 'true'], 'nsrun: exec needs one of --target PID and --name NAME (see nsrun exec --help)'],
    ['both a target and a name', ['exec', '--target', '1', '--name', 'x', '--', 'true'], 'nsrun: exec needs one of --target PID and --name NAME (see nsrun exec --help)'],
    ['a pid that is not a number', ['exec', '--target', '12ab', '--', 'true'], "nsrun: invalid --target '12ab': expected a process id, an integer from 1 to 2147483647"],
    ['a relative --cwd', ['exec', '--target', '1', '--cwd', 'tmp', '--', 'true'], "nsrun: invalid --cwd 'tmp': expected an absolute path inside the target"],
    ['no command', ['exec', '--target', '1'], 'nsrun: no command given (see nsrun exec --help)'],
    ['an unknown namespace', ['exec', '--target', '1', '--flags', 'bogus', '--', 'true'], /^nsrun: unknown namespace 'bogus' in --flags/],
  ])('exits 2 for %s', async (_, args, message) => {
    const r = await nsrun(args, who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message instanceof RegExp ? message : new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });
});

describe('nsrun exec refusals', () => {
  it("unprivileged (uid 65534): permission denied for another user's process, named with a hint", async () => {
    const r = await nsrun(['exec', '--target', String(process.pid), '--', 'true'], asNobody);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^nsrun: cannot join the \\w+ namespace of process ${process.pid}: permission denied \\(hint: .*needs root`));
  });

  it('as root: entering nothing new runs the command in place (every namespace of this process is nsrun\'s own)', async () => {
    const r = await nsrun(['exec', '--target', String(process.pid), '--', 'sh', '-c', 'readlink /proc/self/ns/mnt']);
    expect(r).toMatchObject({ exitCode: 0, stdout: `mnt:[${hostNamespaces()['mnt']}]` });
  });

  it('the help page has examples', async () => {
    const r = await nsrun(['exec', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/nsrun exec --target 4242 -- hostname/);
  });
});
