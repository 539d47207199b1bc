// Every option of `nsrun run` (the table of src/cli/spec.ts) on every path that runs a command:
// nsrun run, nsrun run --init, the library's run(), nsrun run --name then exec --name, and
// exec --target into a sandbox started with the option. Each cell checks what the option
// does inside, or that the path refuses it with exit 2 (never that it is dropped).
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_OPTIONS } from '../../src/cli/spec.js';
import type { NsrunOptions } from '../../src/options.js';
import { identities, nsrun, root as repo, sandboxSleep, type Identity, type Outcome, type Running } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-matrix-'));
chmodSync(scratch, 0o755);
const rootfs = join(scratch, 'rootfs');
execFileSync(join(repo, 'scripts/mkrootfs.sh'), [rootfs], { stdio: 'ignore' });
const shared = join(scratch, 'shared');
mkdirSync(shared);
chmodSync(shared, 0o777);
writeFileSync(join(shared, 'host-file'), 'from the host\n');
const fdFile = join(scratch, 'fd3');
writeFileSync(fdFile, 'fd-three\n');
chmodSync(fdFile, 0o644);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const MARKER = 'a root filesystem for nsrun, made by scripts/mkrootfs.sh from busybox-static';
/** Every capability of this kernel, as /proc/PID/status shows a set. */
const ALL_CAPS = ((1n << BigInt(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')) + 1)) - 1n).toString(16).padStart(16, '0');
/** The capabilities root keeps when it joins, as with nsenter: those of this process's bounding set, or every one in a new user namespace. */
const joinedCaps = (who: Identity): string =>
  who.uid === 0 ? (/\nCapBnd:\t([0-9a-f]+)\n/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 'unknown') : ALL_CAPS;
/** exec's refusal of an option of nsrun run: one line naming it, and why. */
const REFUSED = /^nsrun: exec cannot take --[a-z-]+: \S.*$/;
/** In nsrun's environment, never the sandbox's unless passed on. */
const CALLER_VARIABLE = 'NSRUN_MATRIX_CALLER';
const host = (type: string): string => readlinkSync(`/proc/self/ns/${type}`);

/** What a path must show: the exit code (0 unless said), and stdout and stderr (when said). */
interface Seen {
  readonly exitCode?: number;
  readonly stdout?: string | RegExp;
  readonly stderr?: string | RegExp;
}

/** What exec shows of an option given to the sandbox it joins. */
type Joined =
  /** as the sandbox's own command: the option is the sandbox's (its namespaces, or its recorded limits) */
  | 'same'
  /** it is the command's only; exec shows `default`, and `own` (exec's own option) gives the effect */
  | { readonly default: Seen; readonly own: readonly string[] }
  /** it is the command's only and exec has no such option: exec refuses it */
  | { readonly default: Seen; readonly refused: readonly string[] }
  /** otherwise */
  | { readonly seen: Seen };

interface Cell {
  readonly option: string;
  /** The options, as the command line gives them. */
  readonly args: readonly string[];
  /** The same as library options; a string says why the library has no such option. */
  readonly api: NsrunOptions | string;
  /** A shell script run inside, whose output shows the option's effect. */
  readonly probe: string;
  readonly seen: Seen;
  /** What exec --name into a sandbox kept with the option shows. */
  readonly name: Joined;
  /** What exec --target into a sandbox started with the option shows. */
  readonly target: Joined;
  /** The option makes no sandbox to join: the paths that join one check that it made none. */
  readonly runsNothing?: true;
  /** Pass fd 3 (a file holding `fd-three`) to nsrun. */
  readonly fd3?: true;
}

/** The cells of one identity. */
function cells(who: Identity): Cell[] {
  const root = who.uid === 0;
  const caps = "grep -E '^CapEff:' /proc/self/status | cut -f2";
  const nnp = "grep -E '^NoNewPrivs:' /proc/self/status | cut -f2";
  const caller = `echo \${${CALLER_VARIABLE}-unset}`;
  // as root a host uid without a user namespace; unprivileged there is no other uid to switch to
  const identity = (option: '--uid' | '--gid', probe: string): Cell => {
    const api = option === '--uid' ? { uid: 1000 } : { gid: 1000 };
    return root
      ? { option: option.slice(2), args: ['--flags', 'uts,pid,ns', option, '1000'], api: { flags: 'uts,pid,ns', ...api }, probe, seen: { stdout: '1000' }, name: 'same', target: { seen: { stdout: '0' } } }
      : {
          option: option.slice(2),
          args: [option, '1000'],
          api,
          probe,
          seen: { exitCode: 125, stderr: new RegExp(`^nsrun: cannot switch to ${option.slice(2)} 1000: invalid argument`) },
          name: 'same',
          target: 'same',
        };
  };
  return [
    {
      option: 'flags',
      args: ['--flags', 'uts,pid,user'],
      api: { flags: 'uts,pid,user' },
      probe: `[ "$(readlink /proc/self/ns/uts)" != "${host('uts')}" ] && echo uts-new; [ "$(readlink /proc/self/ns/net)" = "${host('net')}" ] && echo net-host`,
      seen: { stdout: 'uts-new\nnet-host' },
      name: 'same',
      target: 'same',
    },
    { option: 'map', args: ['--flags', 'uts,pid,user', '--map', 'current'], api: { flags: 'uts,pid,user', map: 'current' }, probe: 'id -u', seen: { stdout: String(who.uid) }, name: 'same', target: 'same' },
    {
      option: 'uid-map',
      args: ['--flags', 'uts,pid,user', '--uid-map', `7:${who.uid}:1`],
      api: { flags: 'uts,pid,user', uidMap: [`7:${who.uid}:1`] },
      probe: 'id -u',
      seen: { stdout: '7' },
      name: 'same',
      target: 'same',
    },
    {
      option: 'gid-map',
      args: ['--flags', 'uts,pid,user', '--gid-map', `7:${who.uid}:1`],
      api: { flags: 'uts,pid,user', gidMap: [`7:${who.uid}:1`] },
      probe: 'id -g',
      seen: { stdout: '7' },
      name: 'same',
      target: 'same',
    },
    identity('--uid', 'id -u'),
    identity('--gid', 'id -g'),
    {
      option: 'propagation',
      args: ['--propagation', 'shared'],
      api: { propagation: 'shared' },
      probe: 'awk \'$5 == "/" { print $7; exit }\' /proc/self/mountinfo',
      seen: { stdout: /^shared:\d+$/ },
      name: 'same',
      target: 'same',
    },
    {
      option: 'no-proc',
      args: ['--no-proc'],
      api: { proc: false },
      probe: `test -d /proc/${process.pid} && echo host-proc`,
      seen: { stdout: 'host-proc' },
      name: 'same',
      target: 'same',
    },
    { option: 'hostname', args: ['--hostname', 'matrix-box'], api: { hostname: 'matrix-box' }, probe: 'hostname', seen: { stdout: 'matrix-box' }, name: 'same', target: 'same' },
    {
      option: 'domainname',
      args: ['--domainname', 'matrix-domain'],
      api: { domainname: 'matrix-domain' },
      probe: 'cat /proc/sys/kernel/domainname',
      seen: { stdout: 'matrix-domain' },
      name: 'same',
      target: 'same',
    },
    {
      option: 'time-offset',
      args: ['--time-offset', 'boottime=300000000'],
      api: { timeOffset: { boottime: 300000000 } },
      probe: 'cut -d. -f1 /proc/uptime',
      seen: { stdout: /^3\d{8}$/ },
      name: 'same',
      target: 'same',
    },
    {
      option: 'cwd',
      args: ['--cwd', '/tmp'],
      api: { cwd: '/tmp' },
      probe: 'pwd',
      seen: { stdout: '/tmp' },
      // a later command starts in the holder's directory, /
      name: { default: { stdout: '/' }, own: ['--cwd', '/tmp'] },
      // and in the target's, which was started in /tmp
      target: 'same',
    },
    {
      option: 'env',
      args: ['--env', 'NSRUN_MATRIX_ENV=set'],
      api: { env: { NSRUN_MATRIX_ENV: 'set' } },
      probe: 'echo ${NSRUN_MATRIX_ENV-unset}',
      seen: { stdout: 'set' },
      name: { default: { stdout: 'unset' }, own: ['--env', 'NSRUN_MATRIX_ENV=set'] },
      target: { default: { stdout: 'unset' }, own: ['--env', 'NSRUN_MATRIX_ENV=set'] },
    },
    {
      option: 'clear-env',
      args: ['--clear-env'],
      api: { clearEnv: true },
      probe: caller,
      seen: { stdout: 'unset' },
      name: { default: { stdout: 'caller' }, own: ['--clear-env'] },
      target: { default: { stdout: 'caller' }, own: ['--clear-env'] },
    },
    {
      option: 'init',
      args: ['--init'],
      api: { init: true },
      probe: '[ $$ != 1 ] && echo not-pid-1; cat /proc/1/comm',
      // PID 1 is init, or in a kept sandbox its holder, which reaps orphans as init does
      seen: { stdout: 'not-pid-1\nnsrun-helper' },
      name: { default: { stdout: 'not-pid-1\nnsrun-helper' }, refused: ['--init'] },
      target: { default: { stdout: 'not-pid-1\nnsrun-helper' }, refused: ['--init'] },
    },
    {
      option: 'preserve-fds',
      args: ['--preserve-fds', '1'],
      api: { preserveFds: 1 },
      probe: 'cat <&3',
      seen: { stdout: 'fd-three' },
      name: { default: { exitCode: 2, stderr: /Bad file descriptor|bad file descriptor/ }, refused: ['--preserve-fds', '1'] },
      target: { default: { exitCode: 2, stderr: /Bad file descriptor|bad file descriptor/ }, refused: ['--preserve-fds', '1'] },
      fd3: true,
    },
    {
      option: 'allow-new-privs',
      args: ['--allow-new-privs'],
      api: { allowNewPrivs: true },
      probe: nnp,
      seen: { stdout: '0' },
      name: 'same',
      // a process nsrun knows nothing of: nsrun's hardening
      target: { seen: { stdout: '1' } },
    },
    {
      option: 'cap-drop',
      args: ['--cap-drop', 'all'],
      api: { capDrop: ['all'] },
      probe: caps,
      seen: { stdout: '0000000000000000' },
      name: 'same',
      // a process nsrun knows nothing of: the capabilities the join gives, as with nsenter
      target: { seen: { stdout: joinedCaps(who) } },
    },
    {
      option: 'cap-add',
      args: ['--cap-drop', 'all', '--cap-add', 'NET_RAW'],
      api: { capDrop: ['all'], capAdd: ['NET_RAW'] },
      probe: caps,
      seen: { stdout: '0000000000002000' },
      name: 'same',
      target: { seen: { stdout: joinedCaps(who) } },
    },
    { option: 'rootfs', args: ['--rootfs', rootfs], api: { rootfs }, probe: 'cat /etc/nsrun-rootfs', seen: { stdout: MARKER }, name: 'same', target: 'same' },
    {
      option: 'bind',
      args: ['--bind', `${shared}:/mnt`],
      api: { mounts: [{ type: 'bind', source: shared, destination: '/mnt' }] },
      probe: 'cat /mnt/host-file',
      seen: { stdout: 'from the host' },
      name: 'same',
      target: 'same',
    },
    {
      option: 'ro-bind',
      args: ['--ro-bind', `${shared}:/mnt`],
      api: { mounts: [{ type: 'bind', source: shared, destination: '/mnt', readOnly: true }] },
      probe: 'cat /mnt/host-file; touch /mnt/written || echo read-only',
      seen: { stdout: 'from the host\nread-only', stderr: /Read-only file system$/ },
      name: 'same',
      target: 'same',
    },
    {
      option: 'tmpfs',
      args: ['--tmpfs', '/mnt'],
      api: { mounts: [{ type: 'tmpfs', destination: '/mnt' }] },
      probe: "grep -c ' /mnt .* - tmpfs ' /proc/self/mountinfo",
      seen: { stdout: '1' },
      name: 'same',
      target: 'same',
    },
    {
      option: 'dev',
      args: ['--dev'],
      api: { mounts: [{ type: 'dev', destination: '/dev' }] },
      probe: '[ "$(ls /dev | wc -l)" -lt 20 ] && test -c /dev/null && test -d /dev/pts && echo minimal-dev',
      seen: { stdout: 'minimal-dev' },
      name: 'same',
      target: 'same',
    },
    {
      option: 'read-only',
      args: ['--rootfs', rootfs, '--read-only'],
      api: { rootfs, readOnly: true },
      probe: 'touch /written || echo read-only',
      seen: { stdout: 'read-only', stderr: /Read-only file system$/ },
      name: 'same',
      target: 'same',
    },
    {
      option: 'status-fd',
      args: ['--status-fd', '-'],
      api: 'the library reports the same through spawn().ready and the result',
      probe: 'true',
      seen: { stdout: '', stderr: /^\{"child-pid":\d+,"namespaces":\{.*\}\}\n\{"exit-code":0\}$/ },
      name: { default: { stdout: '', stderr: '' }, refused: ['--status-fd', '-'] },
      target: { default: { stdout: '', stderr: '' }, refused: ['--status-fd', '-'] },
    },
    {
      option: 'dry-run',
      args: ['--dry-run'],
      api: 'the library has normalizeOptions() for that',
      probe: 'echo ran',
      seen: { stdout: /^\{\n[\s\S]*"command": \[[\s\S]*\n\}$/ },
      name: { seen: {} },
      target: { seen: {} },
      runsNothing: true,
    },
    {
      option: 'help',
      args: ['--help'],
      api: 'a command-line option',
      probe: 'echo ran',
      seen: { stdout: /^nsrun \[run\] \[options\]/ },
      name: { seen: {} },
      target: { seen: {} },
      runsNothing: true,
    },
    {
      option: 'version',
      args: ['--version'],
      api: 'a command-line option',
      probe: 'echo ran',
      seen: { stdout: /^nsrun \d+\.\d+\.\d+$/ },
      name: { seen: {} },
      target: { seen: {} },
      runsNothing: true,
    },
  ];
}

/** Options whose cells are their own tests below, and why. */
const OWN_TESTS: Readonly<Record<string, string>> = {
  'stop-timeout': 'needs a signal sent once the command runs',
  name: 'is a path of the matrix: run --name, then exec --name',
  // the matrix runs in this machine's network, which no test may reach out of or change
  network: 'runs in an outer network namespace of its own (network.test.ts; a network of nsrun network create: bridge.test.ts)',
  publish: 'runs in an outer network namespace of its own (network.test.ts)',
  'host-loopback': 'runs in an outer network namespace of its own (network.test.ts)',
};

function expectSeen(r: Outcome, seen: Seen, what: string): void {
  const match = (value: string, wanted: string | RegExp | undefined): void => {
    if (wanted instanceof RegExp) expect(value, what).toMatch(wanted);
    else if (wanted !== undefined) expect(value, what).toBe(wanted);
  };
  expect(r.exitCode, `${what}: ${r.stderr}`).toBe(seen.exitCode ?? 0);
  match(r.stdout, seen.stdout);
  match(r.stderr, seen.stderr ?? (seen.exitCode === undefined ? '' : undefined));
}

/** Each path's command line for a cell (the command last). */
const command = (cell: Cell): string[] => ['--', 'sh', '-c', cell.probe];
const env = { ...process.env, [CALLER_VARIABLE]: 'caller' };

/** `who`, with fd 3 open on the file holding `fd-three` (for --preserve-fds). */
const withFd3 = (who: Identity): Identity => ({ ...who, prefix: ['sh', '-c', `exec "$@" 3<'${fdFile}'`, 'sh', ...who.prefix] });

/** Runs nsrun as `who`, with fd 3 when asked. */
const nsrunWithFd = (args: readonly string[], who: Identity, fd3: boolean | undefined): Running => nsrun(args, fd3 === true ? withFd3(who) : who, { env });

/** The host pid of the `sleep` a background sandbox runs, once it says it runs. */
async function sleeper(running: Running): Promise<number> {
  await new Promise<void>((resolve) => running.stdout?.once('data', () => resolve()));
  return sandboxSleep(running);
}

/** Checks what exec shows of a cell, with `exec` running exec's options and the cell's probe. */
async function expectJoined(joined: Joined, cell: Cell, exec: (args: readonly string[]) => Promise<Outcome>, path: string): Promise<void> {
  if (joined === 'same') return expectSeen(await exec([]), cell.seen, path);
  if ('seen' in joined) return expectSeen(await exec([]), joined.seen, path);
  expectSeen(await exec([]), joined.default, `${path}, without exec's option`);
  if ('own' in joined) return expectSeen(await exec(joined.own), cell.seen, `${path} ${joined.own.join(' ')}`);
  expectSeen(await exec(joined.refused), { exitCode: 2, stderr: REFUSED }, `${path} ${joined.refused.join(' ')}`);
}

/** A library run of every cell at once, in one Node process run as `who`, as JSON outcomes by option. */
async function apiOutcomes(who: Identity, all: readonly Cell[]): Promise<Record<string, Outcome>> {
  const cases = all.flatMap((cell) => (typeof cell.api === 'string' ? [] : [{ option: cell.option, command: command(cell).slice(1), options: cell.api }]));
  const script = `
    const { run } = await import(process.argv[1]);
    const out = {};
    for (const c of JSON.parse(process.argv[2])) {
      try {
        const r = await run(c.command, { ...c.options, reject: false });
        // a command that never ran resolves too, its cause the error the CLI prints
        out[c.option] = r.failed && r.step !== 'command'
          ? { exitCode: r.exitCode, stdout: '', stderr: 'nsrun: ' + r.cause.message }
          : { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        out[c.option] = { exitCode: e.exitCode, stdout: '', stderr: 'nsrun: ' + e.message };
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  const [file, ...args] = [...withFd3(who).prefix, process.execPath, '--input-type=module', '-e', script, `${repo}dist/index.js`, JSON.stringify(cases)];
  const r = await execa(file as string, args, { reject: false, env, stdin: 'ignore' });
  expect(r.stderr).toBe('');
  return JSON.parse(String(r.stdout)) as Record<string, Outcome>;
}

it('has a cell for every option of nsrun run', () => {
  const covered = [...cells(identities[0] as Identity).map((c) => c.option), ...Object.keys(OWN_TESTS)];
  expect(covered.sort()).toEqual(RUN_OPTIONS.map((o) => o.name).sort());
});

describe.each(identities)('every option on every path, as $name', (who) => {
  const all = cells(who);
  let api: Record<string, Outcome> = {};
  beforeAll(async () => {
    api = await apiOutcomes(who, all);
  }, 60_000);
  const names: string[] = [];
  // released together, by one rm, which must find each of them
  afterAll(async () => {
    expect(await nsrun(['rm', ...names], who)).toMatchObject({ exitCode: 0, stderr: '' });
  });

  const named = (list: readonly Cell[]): (readonly [string, Cell])[] => list.map((cell) => [cell.option, cell] as const);

  it.concurrent.each(named(all))('--%s: nsrun run', async (_, cell) => {
    expectSeen(await nsrunWithFd(['run', ...cell.args, ...command(cell)], who, cell.fd3), cell.seen, 'run');
  });

  it.concurrent.each(named(all))('--%s: nsrun run --init', async (_, cell) => {
    expectSeen(await nsrunWithFd(['run', '--init', ...cell.args, ...command(cell)], who, cell.fd3), cell.seen, 'run --init');
  });

  it.each(named(all.filter((c) => typeof c.api !== 'string')))("--%s: the library's run()", (_, cell) => {
    expectSeen(api[cell.option] ?? { exitCode: undefined, stdout: '', stderr: 'no outcome' }, cell.seen, 'run()');
  });

  it.concurrent.each(named(all))('--%s: run --name, then exec --name', async (_, cell) => {
    const n = `matrix-${who.uid}-${process.pid}-${cell.option}`;
    const first = await nsrunWithFd(['run', '--name', n, ...cell.args, ...command(cell)], who, cell.fd3);
    if (cell.runsNothing !== true) names.push(n);
    expectSeen(first, cell.seen, 'run --name');
    const exec = (args: readonly string[]): Promise<Outcome> => nsrun(['exec', '--name', n, ...args, ...command(cell)], who, { env });
    if (cell.runsNothing === true) {
      // nothing was kept to join
      expectSeen(await exec([]), { exitCode: 2, stderr: `nsrun: no sandbox named '${n}' (see nsrun ps)` }, 'exec --name');
      return;
    }
    await expectJoined(cell.name, cell, exec, 'exec --name');
  });

  it.concurrent.each(named(all))('--%s: exec --target into a sandbox started with it', async (_, cell) => {
    const sandbox = nsrunWithFd(['run', ...cell.args, '--', 'sh', '-c', 'echo ready; exec sleep 1000'], who, cell.fd3);
    if (cell.runsNothing === true || cell.seen.exitCode !== undefined) {
      // no sandbox to join: it ends at once, as nsrun run does
      const r = await sandbox;
      expect(r.exitCode).toBe(cell.seen.exitCode ?? 0);
      return;
    }
    try {
      const pid = await sleeper(sandbox);
      const exec = (args: readonly string[]): Promise<Outcome> => nsrun(['exec', '--target', String(pid), ...args, ...command(cell)], who, { env });
      await expectJoined(cell.target, cell, exec, 'exec --target');
    } finally {
      sandbox.kill('SIGKILL');
      await sandbox;
    }
  });
});

/** The options of nsrun run that exec has too. */
const EXEC_OPTIONS = ['flags', 'cwd', 'env', 'clear-env', 'cap-drop', 'cap-add', 'name', 'help'];

it.concurrent.each(RUN_OPTIONS.filter((o) => !EXEC_OPTIONS.includes(o.name)).map((o) => [o.name, o] as const))('exec refuses --%s, naming it and why', async (_, option) => {
  const value = option.type === 'boolean' ? [] : ['1'];
  for (const path of [['--name', 'matrix-none'], ['--target', '1']]) {
    const r = await nsrun(['exec', ...path, `--${option.name}`, ...value, '--', 'true']);
    expect(r).toMatchObject({ exitCode: 2, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`^nsrun: exec cannot take --${option.name}: \\S.*$`));
  }
});

describe.each(identities)('--stop-timeout on every path, as $name', (who) => {
  // the command ignores SIGTERM: once it is relayed, --stop-timeout 0 kills it at once (the default waits 10 s)
  const stubborn = ['--', 'sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'];

  /** Sends SIGTERM to nsrun once the command runs, and returns the outcome. */
  async function terminated(running: Running): Promise<Outcome> {
    await new Promise<void>((resolve) => running.stdout?.once('data', () => resolve()));
    running.kill('SIGTERM');
    return running;
  }

  it.concurrent.each([
    ['nsrun run', []],
    ['nsrun run --init', ['--init']],
  ])('%s', async (_, extra) => {
    const r = await terminated(nsrun(['run', ...extra, '--stop-timeout', '0', ...stubborn], who));
    expect(r.exitCode).toBe(137);
  }, 8000);

  it("the library's run(), stopped by its timeout", async () => {
    const script = `
      const { run } = await import(process.argv[1]);
      const r = await run(['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'], { stopTimeout: 0, timeout: 200, reject: false });
      process.stdout.write(JSON.stringify({ exitCode: r.exitCode, timedOut: r.timedOut }));`;
    const [file, ...args] = [...who.prefix, process.execPath, '--input-type=module', '-e', script, `${repo}dist/index.js`];
    const r = await execa(file as string, args, { reject: false });
    expect(JSON.parse(String(r.stdout))).toEqual({ exitCode: 137, timedOut: true });
  }, 8000);

  it('run --name: its command; exec has no --stop-timeout and refuses it', async () => {
    const n = `matrix-${who.uid}-${process.pid}-stop`;
    try {
      const r = await terminated(nsrun(['run', '--name', n, '--stop-timeout', '0', ...stubborn], who));
      expect(r.exitCode).toBe(137);
      for (const path of [['--name', n], ['--target', '1']]) {
        const refused = await nsrun(['exec', ...path, '--stop-timeout', '0', '--', 'true'], who);
        expect(refused).toMatchObject({ exitCode: 2, stderr: 'nsrun: exec cannot take --stop-timeout: a signal reaches the command at once, as nsenter passes it on' });
      }
    } finally {
      await nsrun(['rm', n], who);
    }
  }, 8000);
});
