/**
 * Kept sandboxes (`nsrun run --name`, `nsrun ps`, `nsrun rm`): namespaces that outlive their
 * command, held by a holder process and, as root, bind-mounted under /run/nsrun/NAME.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HelperConfig } from './config.js';
import { EXIT, fromHelperError, NsrunError, usageError } from './errors.js';
import { runHelperOnce } from './helper-once.js';
import { sortNamespaces, type NamespaceName } from './namespaces.js';
import { processContext, type SystemContext } from './system.js';

const run = promisify(execFile);

/** What a sandbox name may be: a letter or digit, then up to 63 letters, digits, `_`, `.` or `-`. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The metadata file in a kept sandbox's directory. */
const METADATA = 'sandbox.json';

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
  /** When it was made (ISO 8601). */
  readonly createdAt: string;
  /** Its directory (metadata, and as root the bind-mounted namespace files). */
  readonly dir: string;
  /** As root: the file each namespace is bind-mounted on. */
  readonly paths: Partial<Record<NamespaceName, string>>;
  /** The limits of its commands; absent in a record of an older nsrun, whose commands had none. */
  readonly limits?: SandboxLimits;
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
function trustedStateRoot(system: SystemContext): string | undefined {
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
function ensureStateRoot(system: SystemContext): string {
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
function processStat(pid: number): { state: string; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** Whether the holder still runs (not a zombie) and still holds the recorded namespaces (a reused pid does not). */
function holderRuns(sandbox: KeptSandbox): boolean {
  const stat = processStat(sandbox.holder);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
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

/** As root: makes /run/nsrun a private mount of its own (as ip netns does /run/netns), so bind mounts there reach no other namespace. */
async function makePrivateMount(dir: string): Promise<void> {
  if (!mountPoints().includes(dir)) await run('mount', ['--bind', dir, dir]);
  await run('mount', ['--make-private', dir]);
}

/** Binds each namespace file of the holder onto a file in `dir`. */
async function bindNamespaces(dir: string, holder: number, names: readonly NamespaceName[]): Promise<Partial<Record<NamespaceName, string>>> {
  const paths: Partial<Record<NamespaceName, string>> = {};
  for (const name of names) {
    const file = join(dir, name);
    writeFileSync(file, '', { flag: 'wx', mode: 0o444 });
    await run('mount', ['--bind', `/proc/${holder}/ns/${name}`, file]);
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

/**
 * Kills the holder if it is still the recorded one, and waits until it has exited: a pid
 * namespace's init becomes a zombie only after every other process of the namespace is gone.
 */
async function stopHolder(sandbox: KeptSandbox): Promise<void> {
  if (!holderRuns(sandbox)) return;
  const before = processStat(sandbox.holder);
  process.kill(sandbox.holder, 'SIGKILL');
  for (;;) {
    const now = processStat(sandbox.holder);
    if (now === undefined || now.start !== before?.start || now.state === 'Z' || now.state === 'X') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Releases everything of a sandbox directory: the holder, the bind mounts, the files. */
async function release(dir: string, sandbox: KeptSandbox | undefined): Promise<void> {
  if (sandbox !== undefined) await stopHolder(sandbox);
  for (const point of mountsUnder(dir)) await run('umount', [point]);
  rmSync(dir, { recursive: true, force: true });
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
  let sandbox: KeptSandbox | undefined;
  try {
    const output = await runHelperOnce(holderConfig(config));
    const failure = output.lines.find((line) => 'error' in line);
    if (failure !== undefined) throw fromHelperError(failure['error'], { config, system });
    const ready = output.lines.find((line) => Number.isInteger(line['child-pid']));
    if (ready === undefined) throw setupError(`the helper exited with status ${output.exitCode ?? 'unknown'} without starting the holder`);
    const holder = Number(ready['child-pid']);
    const inodes = (ready['namespaces'] ?? {}) as Readonly<Record<string, number>>;
    const namespaces = Object.fromEntries(config.namespaces.map((k) => [k, inodes[k] ?? 0]));
    sandbox = { name, namespaces, holder, createdAt: new Date().toISOString(), dir, paths: {}, limits: limitsOf(config) };
    // recorded at once, so that rm finds the holder even if nsrun dies before the bind mounts
    writeRecord(sandbox);
    if (system.euid === 0) {
      await makePrivateMount(root);
      sandbox = { ...sandbox, paths: await bindNamespaces(dir, holder, config.namespaces) };
      writeRecord(sandbox);
    }
    return sandbox;
  } catch (error) {
    await release(dir, sandbox);
    if (error instanceof NsrunError) throw error;
    throw setupError(`cannot keep the namespaces of sandbox '${name}': ${(error as Error).message.split('\n')[0] ?? ''}`, undefined, error);
  }
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
  await release(dir, readSandbox(dir));
}
