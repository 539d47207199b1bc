/**
 * Kept sandboxes (`nsrun run --name`, `nsrun ps`, `nsrun rm`): namespaces that outlive their
 * command, held by a holder process and, as root, bind-mounted under /run/nsrun/NAME.
 */
import { closeSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { HelperConfig } from './config.js';
import { EXIT, fromHelperError, NsrunError, usageError } from './errors.js';
import { helperPath } from './handover.js';
import { COMMIT_FD, runHelperOnce } from './helper-once.js';
import { NAMESPACES, sortNamespaces, type NamespaceName } from './namespaces.js';
import { processContext, type SystemContext } from './system.js';

/**
 * Runs a program (mount, umount) and waits for it; child_process is loaded on first use, since
 * `nsrun -- cmd` imports this module (for --join and --network of a kept sandbox) and never runs one.
 */
async function run(file: string, args: readonly string[]): Promise<void> {
  const { execFile } = process.getBuiltinModule('node:child_process');
  await promisify(execFile)(file, args);
}

/** What a sandbox name may be: a letter or digit, then up to 63 letters, digits, `_`, `.` or `-`. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The metadata file in a kept sandbox's directory. */
const METADATA = 'sandbox.json';

/** The state root's lock file (a sandbox name cannot start with a dot). */
const LOCK = '.lock';

/**
 * What every command in a kept sandbox is held to, its first and each `exec --name` into it
 * alike: its ids inside, the capabilities it keeps (absent: those of its uid) and no_new_privs.
 */
export type SandboxLimits = Pick<HelperConfig, 'uid' | 'gid' | 'capabilities' | 'no-new-privs'>;

/** A kept sandbox, as recorded in its directory. */
export interface KeptSandbox {
  readonly name: string;
  /** The inode of each namespace it keeps. */
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  /** The host pid of the process that holds them. */
  readonly holder: number;
  /** The holder's start time (clock ticks after boot, from /proc/PID/stat), which a reused pid does not have. */
  readonly holderStart: string;
  /** When it was made (ISO 8601). */
  readonly createdAt: string;
  /** Its directory (metadata, and as root the bind-mounted namespace files). */
  readonly dir: string;
  /** As root: the file each namespace is bind-mounted on. */
  readonly paths: Partial<Record<NamespaceName, string>>;
  /** The limits of its commands; absent in a record of an older nsrun, whose commands had none. */
  readonly limits?: SandboxLimits;
  /** With `--network pasta|slirp4netns|auto`: the backend that runs, of the holder's lifetime. */
  readonly network?: KeptBackend;
}

/** A kept sandbox's user-mode network backend: which one, its host pid and start time (as the holder's). */
export interface KeptBackend {
  readonly backend: string;
  readonly pid: number;
  readonly start: string;
}

/** A kept sandbox and whether its holder still runs. */
export interface SandboxStatus extends KeptSandbox {
  readonly running: boolean;
}

/** Validates a sandbox name. */
export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw usageError(`invalid sandbox name '${name}': expected a letter or digit, then up to 63 letters, digits, '_', '.' or '-'`);
  }
  return name;
}

function setupError(message: string, hint?: string, cause?: unknown): NsrunError {
  return new NsrunError(message, { step: 'keep', exitCode: EXIT.setup, hint, cause });
}

/** Whether `dir` is a directory of uid's. */
function ownedDirectory(dir: string, uid: number): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid;
  } catch {
    return false;
  }
}

/**
 * Where kept sandboxes are recorded: /run/nsrun as root; otherwise `$XDG_RUNTIME_DIR/nsrun`
 * when that is a directory of the caller's, else `/tmp/nsrun-UID` (made 0700, and refused
 * unless it is a directory of the caller's that no one else may enter).
 */
export function stateRoot(system: SystemContext = processContext()): string {
  if (system.euid === 0) return '/run/nsrun';
  const runtime = system.env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && runtime.startsWith('/') && ownedDirectory(runtime, system.euid)) return join(runtime, 'nsrun');
  return `/tmp/nsrun-${system.euid}`;
}

/** The state root, refused unless it is a directory of the caller's that others cannot tamper with; undefined when it does not exist yet. */
export function trustedStateRoot(system: SystemContext): string | undefined {
  const dir = stateRoot(system);
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory() || st.uid !== system.euid || (system.euid !== 0 && (st.mode & 0o077) !== 0)) {
    throw setupError(`refusing ${dir}: not a directory of uid ${system.euid} closed to others`, `remove it, or set XDG_RUNTIME_DIR`);
  }
  return dir;
}

/** Makes the state root (0700 for a user) and checks it. */
export function ensureStateRoot(system: SystemContext): string {
  const dir = stateRoot(system);
  try {
    mkdirSync(dir, { recursive: true, mode: system.euid === 0 ? 0o755 : 0o700 });
  } catch (error) {
    throw setupError(`cannot make ${dir}: ${(error as Error).message}`, undefined, error);
  }
  return trustedStateRoot(system) ?? dir;
}

/** Reads a sandbox's metadata; undefined when there is none or it is not a sandbox record. */
function readSandbox(dir: string): KeptSandbox | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(dir, METADATA), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Readonly<Record<string, unknown>>;
  const namespaces = record['namespaces'];
  const valid = Number.isInteger(record['holder']) && typeof record['name'] === 'string' && typeof namespaces === 'object' && namespaces !== null;
  return valid ? (value as KeptSandbox) : undefined;
}

/** The inode of a namespace file's target, or undefined when it cannot be read. */
export function namespaceInode(path: string): number | undefined {
  try {
    const match = /\[(\d+)\]$/.exec(readlinkSync(path));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** The state and start time of a process, from /proc/PID/stat; undefined once it is reaped. */
export function processStat(pid: number): { state: string; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** Whether a record names its holder fully: a pid, its start time and at least one namespace inode. */
function wellFormed(sandbox: KeptSandbox): boolean {
  const inodes = Object.values(sandbox.namespaces);
  return sandbox.holder > 0 && typeof sandbox.holderStart === 'string' && inodes.length > 0 && inodes.every((inode) => Number.isInteger(inode) && inode > 0);
}

/**
 * Whether the recorded holder still runs (not a zombie): the pid has the recorded start time,
 * so it was not reused, and holds every recorded namespace. A record that does not name all of
 * that is never taken for its holder.
 */
function holderRuns(sandbox: KeptSandbox): boolean {
  if (!wellFormed(sandbox)) return false;
  const stat = processStat(sandbox.holder);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X' || stat.start !== sandbox.holderStart) return false;
  return Object.entries(sandbox.namespaces).every(([name, inode]) => namespaceInode(`/proc/${sandbox.holder}/ns/${name}`) === inode);
}

/** Every kept sandbox of the caller, by name. */
export function listSandboxes(system: SystemContext = processContext()): SandboxStatus[] {
  const dir = trustedStateRoot(system);
  if (dir === undefined) return [];
  const names = readdirSync(dir).filter((name) => NAME_PATTERN.test(name));
  return names.sort().flatMap((name) => {
    const sandbox = readSandbox(join(dir, name));
    return sandbox === undefined ? [] : [{ ...sandbox, running: holderRuns(sandbox) }];
  });
}

/** The kept sandbox `name`; a usage error if there is none, a setup error if its holder is gone. */
export function findSandbox(name: string, system: SystemContext = processContext()): KeptSandbox {
  validateName(name);
  const root = trustedStateRoot(system);
  const sandbox = root === undefined ? undefined : readSandbox(join(root, name));
  if (sandbox === undefined) throw usageError(`no sandbox named '${name}' (see nsrun ps)`);
  if (!holderRuns(sandbox)) {
    throw setupError(`the holder ${sandbox.holder} of sandbox '${name}' is gone`, `nsrun rm ${name} removes what is left`);
  }
  return sandbox;
}

/** The mount points of this process's mount namespace, from its mountinfo. */
function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '');
}

/**
 * Runs `step` holding the state root's lock: an exclusive flock on its `.lock` file, taken by the
 * helper on this process's open file (so it is released when the file is closed, or this process
 * dies), for what must not interleave with another nsrun's: a check and the change it decides.
 */
export async function withStateLock<T>(system: SystemContext, step: () => T | Promise<T>): Promise<T> {
  const fd = openSync(join(ensureStateRoot(system), LOCK), 'a', 0o600);
  try {
    const output = await runHelperOnce({ version: 1, 'lock-fd': COMMIT_FD }, undefined, undefined, fd);
    const failure = output.lines.find((line) => 'error' in line);
    if (failure !== undefined) throw fromHelperError(failure['error'], { config: { version: 1, command: [], namespaces: [], env: [] }, system });
    if (output.exitCode !== 0) throw setupError(`the helper exited with status ${output.exitCode ?? 'unknown'} without taking the lock of ${stateRoot(system)}`);
    return await step();
  } finally {
    closeSync(fd);
  }
}

/**
 * As root: makes /run/nsrun a private mount of its own (as ip netns does /run/netns), so bind
 * mounts there reach no other namespace; under the state lock, so that two nsrun that start at
 * once do not both find it unbound and stack two binds.
 */
async function makePrivateMount(dir: string, system: SystemContext): Promise<void> {
  await withStateLock(system, async () => {
    if (!mountPoints().includes(dir)) await run('mount', ['--bind', dir, dir]);
    await run('mount', ['--make-private', dir]);
  });
}

/**
 * Binds each namespace file of the holder onto a file in `dir`. The kernel refuses (EINVAL) to
 * bind a mount namespace it does not take for newer than this process's own, lest mounts loop;
 * Linux 6.18 can take a new one for older when nsrun runs in a mount namespace of its own (after
 * `unshare -m`) and another has ended meanwhile. That one is then left unbound: the holder keeps
 * it all the same, and exec joins it through the holder.
 */
async function bindNamespaces(dir: string, holder: number, names: readonly NamespaceName[]): Promise<Partial<Record<NamespaceName, string>>> {
  const paths: Partial<Record<NamespaceName, string>> = {};
  for (const name of names) {
    const file = join(dir, name);
    writeFileSync(file, '', { flag: 'wx', mode: 0o444 });
    try {
      await run('mount', ['--bind', `/proc/${holder}/ns/${name}`, file]);
    } catch (error) {
      if (name !== 'mnt') throw error;
      rmSync(file, { force: true });
      continue;
    }
    paths[name] = file;
  }
  return paths;
}

/** The mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return mountPoints()
    .filter((point) => point.startsWith(`${dir}/`))
    .reverse();
}

/** A namespace this process holds open, so that its inode names no other one while it does. */
interface Pin {
  readonly kind: NamespaceName;
  readonly inode: number;
  readonly fd: number;
}

/** Opens a namespace file (nsfs: on the device of every namespace file); undefined unless it is one (of inode `inode`, when given). */
function pin(kind: NamespaceName, path: string, inode?: number): Pin | undefined {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  const { dev, ino } = fstatSync(fd);
  if (dev === statSync(`/proc/self/ns/${kind}`).dev && (inode === undefined || ino === inode)) return { kind, inode: ino, fd };
  closeSync(fd);
  return undefined;
}

function unpin(pins: readonly Pin[]): void {
  for (const p of pins) closeSync(p.fd);
}

/**
 * Holds the sandbox's namespaces open, while rm looks for their processes: the recorded
 * holder's, when it is still the holder; else, as root, those bind-mounted in its directory.
 * Empty when neither is there (an unprivileged sandbox whose holder is gone).
 */
function pinNamespaces(dir: string, sandbox: KeptSandbox | undefined): Pin[] {
  if (sandbox !== undefined && holderRuns(sandbox)) {
    const recorded = Object.entries(sandbox.namespaces) as [NamespaceName, number][];
    const pins = recorded.flatMap(([kind, inode]) => pin(kind, `/proc/${sandbox.holder}/ns/${kind}`, inode) ?? []);
    if (pins.length === recorded.length && holderRuns(sandbox)) return pins; // opened from the holder itself
    unpin(pins);
  }
  const mounted = new Set(mountsUnder(dir));
  return NAMESPACES.flatMap(({ name }) => (mounted.has(join(dir, name)) ? (pin(name, join(dir, name)) ?? []) : []));
}

/** Host pids of the live processes in any of the pinned namespaces, found by inode as lsns finds them. */
function members(pins: readonly Pin[]): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && pins.some((p) => namespaceInode(`/proc/${pid}/ns/${p.kind}`) === p.inode))
    .filter((pid) => !['Z', 'X', undefined].includes(processStat(pid)?.state));
}

/** The helper's file, as /proc/PID/exe names it; undefined when it cannot be resolved. */
function helperFile(): string | undefined {
  try {
    return realpathSync(helperPath());
  } catch {
    return undefined;
  }
}

/** Whether pid runs the helper: the holder, or the helper of an exec, which reports its command's end once that is killed. */
function runsHelper(pid: number, helper: string | undefined): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === helper;
  } catch {
    return false;
  }
}

/**
 * Kills every process of the sandbox (its holder, the command, what joined it, also without a
 * pid namespace) and waits until none is left: a pid namespace's init becomes a zombie only
 * after every other process of the namespace is gone. The helpers of `nsrun exec` (and of the
 * command of `run --name`) get a second to report their command's end before they are killed.
 */
async function stopMembers(name: string, pins: readonly Pin[], holder: number | undefined): Promise<void> {
  const start = Date.now();
  const helper = helperFile();
  for (let left = members(pins); left.length > 0; left = members(pins)) {
    if (Date.now() > start + 10_000) throw setupError(`cannot stop process ${left.join(', ')} of sandbox '${name}'`, 'stop them yourself, then run nsrun rm again');
    const patient = Date.now() < start + 1000;
    for (const pid of left.filter((p) => !patient || p === holder || !runsHelper(p, helper))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile; one that is not ours to kill is found again and reported
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Releases everything of a sandbox directory: its processes, the bind mounts, the files. A
 * damaged record whose namespaces cannot be found otherwise is refused: its pid may be anyone's.
 */
async function release(name: string, dir: string, sandbox: KeptSandbox | undefined): Promise<void> {
  const pins = pinNamespaces(dir, sandbox);
  if (pins.length === 0 && sandbox !== undefined && !wellFormed(sandbox)) {
    throw setupError(
      `the record of sandbox '${name}' is damaged: its holder cannot be told from another process, so nothing was stopped`,
      `find its processes with lsns and stop them, then remove ${dir}`,
    );
  }
  try {
    await stopMembers(name, pins, sandbox?.holder);
  } finally {
    unpin(pins);
  }
  await stopBackend(name, sandbox?.network);
  for (const point of mountsUnder(dir)) await run('umount', [point]);
  rmSync(dir, { recursive: true, force: true });
}

/** The backend of a holder's ready line (`network`: backend and pid), with its start time; undefined without one. */
function keptBackend(network: unknown): KeptBackend | undefined {
  if (typeof network !== 'object' || network === null) return undefined;
  const { backend, pid } = network as Readonly<Record<string, unknown>>;
  const start = typeof pid === 'number' ? processStat(pid)?.start : undefined;
  return typeof backend === 'string' && typeof pid === 'number' && start !== undefined ? { backend, pid, start } : undefined;
}

/** Whether the recorded backend still runs (not a zombie, its pid not reused). */
export function backendRuns(backend: KeptBackend): boolean {
  const stat = processStat(backend.pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X' && stat.start === backend.start;
}

/**
 * Waits until the sandbox's backend is gone: its keeper (the helper that started it) ends it
 * once the holder is gone; one still there after a second, its keeper killed too, is killed here.
 */
async function stopBackend(name: string, backend: KeptBackend | undefined): Promise<void> {
  const start = Date.now();
  while (backend !== undefined && backendRuns(backend)) {
    if (Date.now() > start + 10_000) throw setupError(`cannot stop the ${backend.backend} process ${backend.pid} of sandbox '${name}'`, 'stop it yourself, then run nsrun rm again');
    if (Date.now() > start + 1000) {
      try {
        process.kill(backend.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Writes a sandbox's metadata, whole: a reader sees the old record or the new one. */
function writeRecord(sandbox: KeptSandbox): void {
  const temporary = join(sandbox.dir, `.${METADATA}`);
  writeFileSync(temporary, `${JSON.stringify(sandbox, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, join(sandbox.dir, METADATA));
}

/** Where a member of a kept sandbox's config goes (see PLACES). */
type Place = 'holder' | 'command' | 'limit' | 'init' | 'runner';

/**
 * Where each member of a sandbox's config goes, so that none is lost on the way: `holder`, the
 * process that makes the namespaces and sets them up once (id maps, mounts, root, names);
 * `command`, each command that joins it; `limit`, each command too, and recorded for every
 * `exec --name` into it; `init`, what the holder is, PID 1 reaping orphans, the command never
 * being PID 1; `runner`, set by whatever runs the helper. A member without a place does not compile.
 */
const PLACES: Readonly<Record<keyof HelperConfig, Place>> = {
  version: 'runner',
  'parent-pid': 'runner',
  explain: 'runner',
  join: 'runner',
  namespaces: 'holder',
  'uid-map': 'holder',
  'gid-map': 'holder',
  newuidmap: 'holder',
  newgidmap: 'holder',
  setgroups: 'holder',
  propagation: 'holder',
  'mount-proc': 'holder',
  'mount-sys': 'holder',
  hostname: 'holder',
  domainname: 'holder',
  'time-offsets': 'holder',
  rootfs: 'holder',
  'read-only': 'holder',
  mounts: 'holder',
  network: 'holder',
  'network-fallback': 'holder',
  'join-network': 'holder',
  bridge: 'holder',
  'remove-bridge': 'runner',
  'lock-fd': 'runner',
  veth: 'holder',
  init: 'init',
  command: 'command',
  cwd: 'command',
  env: 'command',
  'preserve-fds': 'command',
  'stop-timeout': 'command',
  'ignored-signals': 'command',
  uid: 'limit',
  gid: 'limit',
  capabilities: 'limit',
  'no-new-privs': 'limit',
};

/** The members of `config` whose place is one of `places`. */
function membersFor(config: HelperConfig, ...places: readonly Place[]): Partial<HelperConfig> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => places.includes(PLACES[key as keyof HelperConfig])));
}

/** The members of a sandbox's config that create and set up its namespaces: the holder's part. */
function holderConfig(config: HelperConfig): object {
  return { version: 1, ...membersFor(config, 'holder'), keep: true };
}

/** The limits of a sandbox's commands, recorded for every exec --name into it. */
function limitsOf(config: HelperConfig): SandboxLimits {
  return membersFor(config, 'limit');
}

/**
 * The config that runs the sandbox's command by joining the holder: the command's part and the
 * limits. The holder sits in its /, so the command starts in `config.cwd`, else in `cwd` (the
 * caller's) as with `nsrun run`, but in the root of a `rootfs`, as with `nsrun run --rootfs`.
 */
export function commandConfig(config: HelperConfig, sandbox: KeptSandbox, cwd: string): HelperConfig {
  const names = sortNamespaces(Object.keys(sandbox.namespaces) as NamespaceName[]);
  const start = config.cwd ?? (config.rootfs === undefined ? cwd : undefined);
  const { command, env } = config;
  return { ...membersFor(config, 'command', 'limit'), version: 1, command, env, namespaces: [], cwd: start, join: { pid: sandbox.holder, namespaces: names } };
}

/**
 * Makes the kept sandbox `name` from a normalised config: claims its directory (a usage
 * error if the name is taken), starts the holder in new namespaces set up as `config` asks,
 * as root bind-mounts the namespace files, and records it. The command is not run: join the
 * holder with `commandConfig`.
 */
export async function createSandbox(name: string, config: HelperConfig, system: SystemContext = processContext()): Promise<KeptSandbox> {
  validateName(name);
  const root = ensureStateRoot(system);
  const dir = join(root, name);
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw usageError(`a sandbox named '${name}' exists already (see nsrun ps)`);
    throw setupError(`cannot make ${dir}: ${(error as Error).message}`, undefined, error);
  }
  return holdNamespaces(name, dir, config, system);
}

/**
 * Starts the holder of the kept namespaces `name` in the directory `dir` (made, empty), set up
 * as `config` asks, and records it there: a kept sandbox, or the hub of a rootless network.
 * On failure nothing is left but the directory's removal to do, which this does.
 */
export async function holdNamespaces(name: string, dir: string, config: HelperConfig, system: SystemContext = processContext()): Promise<KeptSandbox> {
  let sandbox: KeptSandbox | undefined;
  try {
    // recorded before the holder may outlive this process (commit-fd): until then it dies with it
    const record = (ready: Readonly<Record<string, unknown>>): void => {
      const holder = Number(ready['child-pid']);
      const inodes = (ready['namespaces'] ?? {}) as Readonly<Record<string, number>>;
      const namespaces = Object.fromEntries(config.namespaces.map((k) => [k, inodes[k] ?? 0]));
      const holderStart = processStat(holder)?.start;
      if (holderStart === undefined) throw setupError(`the holder ${holder} of sandbox '${name}' ended as it started`);
      sandbox = { name, namespaces, holder, holderStart, createdAt: new Date().toISOString(), dir, paths: {}, limits: limitsOf(config), network: keptBackend(ready['network']) };
      writeRecord(sandbox);
    };
    const output = await runHelperOnce({ ...holderConfig(config), 'commit-fd': COMMIT_FD }, undefined, record);
    const failure = output.lines.find((line) => 'error' in line);
    if (failure !== undefined) throw fromHelperError(failure['error'], { config, system });
    if (sandbox === undefined || output.exitCode !== 0 || !holderRuns(sandbox)) {
      throw setupError(`the helper exited with status ${output.exitCode ?? 'unknown'} without starting the holder`);
    }
    if (system.euid === 0) {
      await makePrivateMount(dirname(dir), system);
      sandbox = { ...sandbox, paths: await bindNamespaces(dir, sandbox.holder, config.namespaces) };
      writeRecord(sandbox);
    }
    return sandbox;
  } catch (error) {
    await release(name, dir, sandbox);
    if (error instanceof NsrunError) throw error;
    throw setupError(`cannot keep the namespaces of sandbox '${name}': ${(error as Error).message.split('\n')[0] ?? ''}`, undefined, error);
  }
}

/** The kept namespaces recorded in `dir`, when their holder still runs. */
export function runningHolder(dir: string): KeptSandbox | undefined {
  const sandbox = readSandbox(dir);
  return sandbox !== undefined && holderRuns(sandbox) ? sandbox : undefined;
}

/** Releases the kept namespaces recorded in `dir` (a network's hub): their processes, mounts and files. */
export async function releaseHeld(name: string, dir: string): Promise<void> {
  await release(name, dir, readSandbox(dir));
}

/**
 * Removes the kept sandbox `name`: kills its holder, unmounts its namespace files, deletes its
 * directory (also one whose record is unreadable, so that nothing is left).
 */
export async function removeSandbox(name: string, system: SystemContext = processContext()): Promise<void> {
  validateName(name);
  const root = trustedStateRoot(system);
  const dir = root === undefined ? undefined : join(root, name);
  if (dir === undefined || !existsSync(dir)) throw usageError(`no sandbox named '${name}' (see nsrun ps)`);
  await release(name, dir, readSandbox(dir));
}
