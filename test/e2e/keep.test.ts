// nsrun run --name keeps a sandbox's namespaces; exec --name joins them again, ps lists them,
// rm releases them and leaves nothing behind: no mount, no process, no file.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, identities, nsrun, root as repo, waitFor, type Identity } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-keep-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Listed {
  name: string;
  namespaces: Record<string, number>;
  holder: number;
  createdAt: string;
  dir: string;
  paths: Record<string, string>;
  running: boolean;
}

async function listed(who: Identity): Promise<Listed[]> {
  const r = await nsrun(['ps', '--json'], who);
  expect(r.exitCode).toBe(0);
  return (JSON.parse(r.stdout) as { sandboxes: Listed[] }).sandboxes;
}

async function find(name: string, who: Identity): Promise<Listed> {
  const sandbox = (await listed(who)).find((s) => s.name === name);
  if (sandbox === undefined) throw new Error(`sandbox ${name} is not listed`);
  return sandbox;
}

/** Host processes in the pid namespace with this inode, zombies (gone, waiting for their reaper) aside. */
function processesIn(pidNamespace: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => {
      try {
        return alive(p) && readlinkSync(`/proc/${p}/ns/pid`) === `pid:[${pidNamespace}]`;
      } catch {
        return false;
      }
    });
}

const mountinfo = (): string => readFileSync('/proc/self/mountinfo', 'utf8');

describe.each(identities)('kept sandboxes, as $name', (who) => {
  const name = `keep-${who.uid}-${process.pid}`;
  const made: string[] = [];
  afterAll(async () => {
    for (const n of made) await nsrun(['rm', n], who);
  });

  it('run --name, exec --name, ps and rm: a second command sees the state the first left; rm leaves nothing', async () => {
    made.push(name);
    const first = await nsrun(
      ['run', '--name', name, '--flags', 'uts,ipc,pid,ns,net,user', '--hostname', 'kept-box', '--', 'sh', '-c',
        'mount -t tmpfs kept /mnt && echo left > /mnt/kept && ipcmk -Q >/dev/null && hostname && pwd'],
      who,
    );
    // the first command starts where nsrun was started, as with nsrun run
    expect(first).toMatchObject({ exitCode: 0, stdout: `kept-box\n${process.cwd()}`, stderr: '' });

    const sandbox = await find(name, who);
    expect(sandbox.running).toBe(true);
    expect(Object.keys(sandbox.namespaces)).toEqual(['uts', 'ipc', 'pid', 'mnt', 'net', 'user']);
    for (const [type, inode] of Object.entries(sandbox.namespaces)) expect(readlinkSync(`/proc/${sandbox.holder}/ns/${type}`)).toBe(`${type}:[${inode}]`);
    expect(existsSync(`${sandbox.dir}/sandbox.json`)).toBe(true);

    const second = await nsrun(['exec', '--name', name, '--', 'sh', '-c', 'hostname; cat /mnt/kept; ipcs -q | grep -c ^0x; pwd; echo $$'], who);
    expect(second.exitCode).toBe(0);
    const [hostname, file, queues, cwd, pid] = second.stdout.split('\n');
    // a later one in the holder's directory, /, which pins nothing
    expect([hostname, file, queues, cwd]).toEqual(['kept-box', 'left', '1', '/']);
    expect(readlinkSync(`/proc/${sandbox.holder}/cwd`)).toBe('/');
    expect(Number(pid)).toBeGreaterThan(1); // the holder is PID 1

    // a process left running in the sandbox goes with it
    const background = await nsrun(['exec', '--name', name, '--', 'sh', '-c', 'sleep 1000 >/dev/null 2>&1 &'], who);
    expect(background.exitCode).toBe(0);
    const pidNamespace = sandbox.namespaces['pid'] ?? 0;
    expect(processesIn(pidNamespace).length).toBe(2);

    const table = await nsrun(['ps'], who);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME +NAMESPACES +HOLDER +NETWORK +PATH +CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${name} +uts,ipc,pid,mnt,net,user +${sandbox.holder} +- +${sandbox.dir} `, 'm'));

    const removed = await nsrun(['rm', name], who);
    expect(removed).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    made.pop();
    expect(alive(sandbox.holder)).toBe(false);
    expect(processesIn(pidNamespace)).toEqual([]);
    expect(existsSync(sandbox.dir)).toBe(false);
    expect(mountinfo()).not.toContain(sandbox.dir);
    expect((await listed(who)).map((s) => s.name)).not.toContain(name);

    const after = await nsrun(['exec', '--name', name, '--', 'true'], who);
    expect(after).toMatchObject({ exitCode: 2, stderr: `nsrun: no sandbox named '${name}' (see nsrun ps)` });
  });

  it('passes the first command\'s exit status through and keeps the namespaces whatever it was', async () => {
    const n = `${name}-status`;
    made.push(n);
    const r = await nsrun(['run', '--name', n, '--flags', 'uts,user', '--', 'sh', '-c', 'exit 3'], who);
    expect(r.exitCode).toBe(3);
    expect((await find(n, who)).running).toBe(true);
    const again = await nsrun(['run', '--name', n, '--flags', 'uts,user', '--', 'true'], who);
    expect(again).toMatchObject({ exitCode: 2, stderr: `nsrun: a sandbox named '${n}' exists already (see nsrun ps)` });
  });

  it('shows a holder killed behind its back as gone: exec --name says so, rm clears what is left', async () => {
    const n = `${name}-gone`;
    made.push(n);
    expect((await nsrun(['run', '--name', n, '--flags', 'uts,user', '--', 'true'], who)).exitCode).toBe(0);
    const sandbox = await find(n, who);
    process.kill(sandbox.holder, 'SIGKILL');
    await waitFor(() => !alive(sandbox.holder));
    expect((await find(n, who)).running).toBe(false);
    expect((await nsrun(['ps'], who)).stdout).toMatch(new RegExp(`^${n} +uts,user +${sandbox.holder} \\(gone\\) `, 'm'));
    const r = await nsrun(['exec', '--name', n, '--', 'true'], who);
    expect(r).toMatchObject({ exitCode: 125, stderr: `nsrun: the holder ${sandbox.holder} of sandbox '${n}' is gone (hint: nsrun rm ${n} removes what is left)` });
    expect((await nsrun(['rm', n], who)).exitCode).toBe(0);
    made.pop();
    expect(existsSync(sandbox.dir)).toBe(false);
    expect(mountinfo()).not.toContain(sandbox.dir);
  });

  it('run --name sets the sandbox up as nsrun run does: --rootfs, --read-only, --bind, --ro-bind, --tmpfs and --dev reach its command and every exec --name', async () => {
    const n = `${name}-fs`;
    const rootfs = join(scratch, `rootfs-${who.uid}`);
    execFileSync(join(repo, 'scripts/mkrootfs.sh'), [rootfs], { stdio: 'ignore' });
    const shared = join(scratch, `shared-${who.uid}`);
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    writeFileSync(join(shared, 'host-file'), 'from the host\n');
    const options = ['--rootfs', rootfs, '--read-only', '--bind', `${shared}:/mnt`, '--ro-bind', `${shared}:/root`, '--tmpfs', '/tmp', '--dev', '--flags', 'all'];
    // what every command sees: the rootfs's marker, the binds, a read-only root, the tmpfs, /dev, and no host path
    const probe = `cat /etc/nsrun-rootfs; cat /mnt/host-file; pwd; test -e ${scratch} || echo no-host; touch /x 2>/dev/null || echo ro-root; ` +
      'touch /root/x 2>/dev/null || echo ro-bind; echo $1 > /mnt/$1; echo t > /tmp/$1 && ls /tmp; test -c /dev/null && test -d /dev/pts && echo dev';
    made.push(n);
    const first = await nsrun(['run', '--name', n, ...options, '--', '/bin/sh', '-c', probe, 'sh', 'first'], who);
    const expected = (tmp: string): string =>
      ['a root filesystem for nsrun, made by scripts/mkrootfs.sh from busybox-static', 'from the host', '/', 'no-host', 'ro-root', 'ro-bind', tmp, 'dev'].join('\n');
    expect(first).toMatchObject({ exitCode: 0, stdout: expected('first'), stderr: '' });
    const second = await nsrun(['exec', '--name', n, '--', '/bin/sh', '-c', probe, 'sh', 'second'], who);
    // the same tmpfs: the first command's file is still there
    expect(second).toMatchObject({ exitCode: 0, stdout: expected('first\nsecond'), stderr: '' });
    expect(readFileSync(join(shared, 'first'), 'utf8')).toBe('first\n');
    expect(readFileSync(join(shared, 'second'), 'utf8')).toBe('second\n');
    expect(existsSync(join(rootfs, 'x'))).toBe(false);
  });

  it("the holder has no environment: the sandbox cannot read nsrun's at /proc/1/environ", async () => {
    const n = `${name}-env`;
    made.push(n);
    const env = { ...process.env, NSRUN_SECRET_TOKEN: 'hunter2' };
    const first = await nsrun(['run', '--name', n, '--clear-env', '--flags', 'pid,ns,user', '--', 'sh', '-c', 'wc -c < /proc/1/environ; env | wc -l'], who, { env });
    expect(first).toMatchObject({ exitCode: 0, stderr: '' });
    expect(first.stdout.split('\n').map((l) => l.trim())).toEqual(['0', '1']); // env lists PWD, which sh sets
    const holder = (await find(n, who)).holder;
    expect(readFileSync(`/proc/${holder}/environ`, 'utf8')).toBe('');
  });

  it("every exec --name is held to the sandbox's limits: its --uid, --gid, --cap-drop and no_new_privs", async () => {
    const n = `${name}-limits`;
    made.push(n);
    const probe = ['sh', '-c', 'id -u; id -g; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status | cut -f2'];
    // as root a host uid other than 0 (no user namespace), unprivileged root inside one
    const [identity, id] = who.uid === 0 ? [['--flags', 'pid,ns', '--uid', '1000', '--gid', '1000'], '1000'] : [['--flags', 'pid,ns,user'], '0'];
    const first = await nsrun(['run', '--name', n, ...identity, '--cap-drop', 'all', '--cap-add', 'CHOWN', '--', ...probe], who);
    const held = [id, id, '0000000000000001', '0000000000000001', '1'].join('\n');
    expect(first).toMatchObject({ exitCode: 0, stdout: held, stderr: '' });
    expect(await nsrun(['exec', '--name', n, '--', ...probe], who)).toMatchObject({ exitCode: 0, stdout: held, stderr: '' });
    // --cap-drop narrows them further; --cap-add cannot widen them
    const narrowed = await nsrun(['exec', '--name', n, '--cap-drop', 'CHOWN', '--', ...probe], who);
    expect(narrowed.stdout).toBe([id, id, '0000000000000000', '0000000000000000', '1'].join('\n'));
    const widened = await nsrun(['exec', '--name', n, '--cap-add', 'SYS_ADMIN', '--', 'true'], who);
    expect(widened).toMatchObject({
      exitCode: 2,
      stderr: `nsrun: --cap-add SYS_ADMIN: not among the capabilities of sandbox '${n}'; exec can only narrow them`,
    });
  });

  it.each(['', '-leading-dash', 'has space', 'slash/inside', '..', 'x'.repeat(65)])('refuses the name %j with exit 2', async (bad) => {
    const r = await nsrun(['run', `--name=${bad}`, '--', 'true'], who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^nsrun: invalid sandbox name .*: expected a letter or digit/);
  });

  it('exits 2 for rm of a name that does not exist, and changes nothing', async () => {
    // only this file's sandboxes: others may come and go meanwhile
    const ours = async (): Promise<Listed[]> => (await listed(who)).filter((s) => s.name.startsWith(name));
    const n = `${name}-kept`;
    made.push(n);
    expect((await nsrun(['run', '--name', n, '--flags', 'uts,user', '--', 'true'], who)).exitCode).toBe(0);
    const before = await ours();
    const r = await nsrun(['rm', `${name}-none`], who);
    expect(r).toMatchObject({ exitCode: 2, stderr: `nsrun: no sandbox named '${name}-none' (see nsrun ps)` });
    expect(await ours()).toEqual(before);
  });
});

describe('kept sandboxes as root', () => {
  it('as root (bind mounts need the host mount namespace): each namespace is bind-mounted under /run/nsrun/NAME, on a private /run/nsrun', async () => {
    const name = `keep-mounts-${process.pid}`;
    const r = await nsrun(['run', '--name', name, '--flags', 'uts,ipc,net', '--', 'true']);
    expect(r.exitCode).toBe(0);
    try {
      const sandbox = await find(name, identities[0] as Identity);
      const lines = mountinfo().split('\n');
      const top = lines.find((l) => l.split(' ')[4] === '/run/nsrun');
      expect(top?.split(' - ')[0]).not.toMatch(/shared:/);
      for (const type of ['net', 'uts', 'ipc']) {
        const path = `/run/nsrun/${name}/${type}`;
        expect(sandbox.paths[type]).toBe(path);
        const line = lines.find((l) => l.split(' ')[4] === path);
        expect(line?.split(' ')[3]).toBe(`${type}:[${sandbox.namespaces[type]}]`);
      }
    } finally {
      expect((await nsrun(['rm', name])).exitCode).toBe(0);
    }
    expect(mountinfo()).not.toContain(`/run/nsrun/${name}`);
    expect(existsSync(`/run/nsrun/${name}`)).toBe(false);
  });
});

describe('kept sandboxes as root in a mount namespace of its own', () => {
  it('run --name after unshare -m, once namespaces older than it have ended meanwhile, keeps the sandbox (Linux 6.18 may refuse to bind its mnt)', () => {
    const name = `keep-unshared-${process.pid}`;
    // namespaces made before the outer mount namespace and ended after it: the kernel may then
    // give the sandbox's mount namespace an id it takes for older than the outer one's (about
    // one try in three here), so four tries
    const inner = `sleep 0.7
      "$NSRUN" run --name ${name} --flags uts,ipc,pid,ns,net -- hostname kept; echo "run $?"
      "$NSRUN" exec --name ${name} -- hostname
      "$NSRUN" rm ${name}; echo "rm $?"`;
    const once = `for i in 1 2 3 4; do unshare --mount --uts --ipc --net --pid --fork sleep 0.5 & done; sleep 0.1
      unshare --mount --propagation private sh -c "$INNER"; wait`;
    const r = execFileSync('sh', ['-c', `for try in 1 2 3 4; do ${once}; done`], { encoding: 'utf8', env: { ...process.env, NSRUN: join(repo, 'bin/nsrun'), INNER: inner } });
    expect(r.trim().split('\n')).toEqual(Array.from({ length: 4 }, () => ['run 0', 'kept', 'rm 0']).flat());
    expect(existsSync(`/run/nsrun/${name}`)).toBe(false);
  });
});

describe('kept sandboxes started at once as root', () => {
  it('many run --name at once on an unbound state root bind it onto itself exactly once', async () => {
    const count = 8;
    const names = Array.from({ length: count }, (_, i) => `keep-race-${process.pid}-${i}`);
    // a mount namespace of the test's own with an empty /run (the machine's /run/nsrun, maybe bound, unmounted there only): the machine's is not touched
    const script = [
      'umount -R /run/nsrun 2>/dev/null',
      'mount -t tmpfs nsrun-race /run',
      ...names.map((n) => `"$0" run --name ${n} --flags uts -- true &`),
      'wait',
      'grep -c " /run/nsrun " /proc/self/mountinfo',
      ...names.map((n) => `"$0" rm ${n}`),
      'ls -A /run/nsrun',
    ].join('\n');
    const r = execFileSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, join(repo, 'bin/nsrun')], { encoding: 'utf8' });
    expect(r).toBe('1\n.lock\n');
  });
});
