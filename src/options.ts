/** The options of a sandbox, shared by the API and the CLI, and their normalisation into the helper's config. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS, type HelperConfig, type IdMapLine, type JoinedNetwork, type MountEntry, type Propagation, type TimeOffsets } from './config.js';
import { invalidValue, usageError } from './errors.js';
import { chooseIdMaps, MAP_MODES, validateIdMap, type IdMaps, type MapMode } from './idmaps.js';
import { namespaceKind, parseFlags, sortNamespaces, type FlagWord, type NamespaceName } from './namespaces.js';
import { keptCapabilities, NEIGHBOUR_CAPABILITIES } from './capabilities.js';
import { validateMounts, validateRootfs, type MountSpec } from './mounts.js';
import { findSandbox } from './keep.js';
import { chooseNetwork, networkConfig, parsePublish, type NetworkChoice } from './network.js';
import { mapsThroughHub, memberHosts, resolveNetwork } from './bridge.js';
import { processContext, type SystemContext } from './system.js';

/** Every propagation, in the order help lists them. */
export const PROPAGATIONS: readonly Propagation[] = ['private', 'slave', 'shared', 'unchanged'];

/** The clocks a time namespace can offset. */
const CLOCKS = ['monotonic', 'boottime'] as const;

/** How a sandbox is set up. Every field is optional; strings are accepted where the command line gives strings. */
export interface NsrunOptions {
  /**
   * The namespaces to create: the words of `--flags` (`uts,ipc,pid,ns,net,user,cgroup,time`, `mnt`
   * and `mount` for `ns`, `all` alone), comma-separated or as an array. Without root, `user` is added
   * whenever another namespace is asked for, since creating it needs CAP_SYS_ADMIN; `time` is added
   * with `timeOffset`.
   * @default 'uts,ipc,pid,ns,net,cgroup'
   */
  readonly flags?: string | readonly FlagWord[];
  /**
   * How the caller's ids map into a new user namespace: `root` maps it to 0, `current` to itself,
   * `auto` adds its subordinate ids from /etc/subuid and /etc/subgid (through newuidmap/newgidmap
   * without root), `isolated` maps 0… to unprivileged host ids only (docs/security.md).
   * @default 'root'
   */
  readonly map?: MapMode;
  /**
   * The uid map, lines `INSIDE:OUTSIDE:COUNT` or triples; overrides `map` for uids.
   * @default the map of `map`
   */
  readonly uidMap?: readonly (IdMapLine | string)[];
  /**
   * The gid map, lines `INSIDE:OUTSIDE:COUNT` or triples; overrides `map` for gids.
   * @default the map of `map`
   */
  readonly gidMap?: readonly (IdMapLine | string)[];
  /**
   * The uid the command runs as (inside the user namespace when there is one).
   * @default unchanged
   */
  readonly uid?: number | string;
  /**
   * The gid the command runs as (inside the user namespace when there is one).
   * @default unchanged
   */
  readonly gid?: number | string;
  /**
   * The propagation of the mounts under / in the new mount namespace.
   * @default 'private'
   */
  readonly propagation?: Propagation;
  /**
   * Mount a new /proc when there are new PID and mount namespaces.
   * @default true
   */
  readonly proc?: boolean;
  /**
   * The hostname in the new UTS namespace.
   * @default the caller's
   */
  readonly hostname?: string;
  /**
   * The NIS domain name in the new UTS namespace.
   * @default the caller's
   */
  readonly domainname?: string;
  /**
   * Clock offsets in seconds for a new time namespace (added to the set), as an object or as
   * `monotonic=SECONDS,boottime=SECONDS`.
   * @default no time namespace
   */
  readonly timeOffset?: TimeOffsets | string;
  /**
   * The command's working directory, a path or a `file:` URL; a relative path is resolved against the caller's.
   * @default the caller's
   */
  readonly cwd?: string | URL;
  /**
   * Environment variables to set, as a record or as `KEY=VALUE` entries.
   * @default none
   */
  readonly env?: Readonly<Record<string, string>> | readonly string[];
  /**
   * Start the command with only the variables of `env`, not the caller's environment.
   * @default false
   */
  readonly clearEnv?: boolean;
  /**
   * Run a minimal init as PID 1 of the new PID namespace and the command as PID 2.
   * @default false
   */
  readonly init?: boolean;
  /**
   * Pass the caller's file descriptors 3 to N+2 to the command.
   * @default 0
   */
  readonly preserveFds?: number | string;
  /**
   * Seconds the command has to end after a SIGTERM, SIGINT, SIGHUP or SIGQUIT is relayed to it,
   * before the sandbox is killed (the whole PID namespace with one).
   * @default 10
   */
  readonly stopTimeout?: number | string;
  /**
   * Let the command gain privileges through exec (setuid programs, file capabilities); by
   * default no_new_privs is set.
   * @default false
   */
  readonly allowNewPrivs?: boolean;
  /**
   * Capabilities to drop, comma lists of names (`NET_RAW`, `CAP_SYS_ADMIN`) or `all`.
   * @default none: root inside keeps every capability of its user namespace
   */
  readonly capDrop?: readonly string[];
  /**
   * Capabilities to keep or give (to a command that runs as a uid other than 0, through the ambient set).
   * @default none
   */
  readonly capAdd?: readonly string[];
  /**
   * A directory that becomes the sandbox's / (entered with pivot_root; the host's root is detached);
   * a relative path is resolved against the caller's directory. Adds `ns`.
   * @default the host's /
   */
  readonly rootfs?: string;
  /**
   * Remount the new root itself read-only once everything is mounted on it (needs `rootfs`).
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Binds, tmpfs and a minimal /dev, applied in this order under the new root (or in the new mount
   * namespace on the host's tree, whose mount points must exist). Adds `ns`.
   * @default none
   */
  readonly mounts?: readonly MountSpec[];
  /**
   * The sandbox's network: `none` (a network namespace of its own with only `lo` up), `host` (no
   * network namespace), `pasta` or `slirp4netns` (its own namespace, connected through that
   * user-mode backend to the network nsrun runs in), `auto` (the best backend installed: pasta,
   * else slirp4netns, which also takes over should pasta fail), `sandbox:NAME` (the network
   * namespace of the sandbox kept as NAME), or the NAME of a network made with `nsrun network
   * create` (eth0 with the next free address of its subnet, a default route to its bridge, its
   * hosts file on /etc/hosts). Without it, `net` in `flags` decides between `none` and `host`.
   * @default 'none' (from the default flags)
   */
  readonly network?: string;
  /**
   * Ports of nsrun's network namespace forwarded into the sandbox, `[IP:]HOST_PORT:SANDBOX_PORT[/tcp|/udp]`
   * with ranges `N-M` (needs `network` pasta or auto).
   * @default none
   */
  readonly publish?: readonly string[];
  /**
   * Let the sandbox reach the loopback of nsrun's network namespace (its local services) through
   * the backend's gateway address; off by default, since it exposes them.
   * @default false
   */
  readonly hostLoopback?: boolean;
}

/** The values of the options whose default is a value, shared with the help text. */
export const DEFAULTS = { flags: 'uts,ipc,pid,ns,net,cgroup', map: 'root', propagation: 'private', stopTimeout: 10 } as const;

/** The byte length of a string as the kernel counts it. */
function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A usage error unless `option` (given) has the namespace it acts on. */
function requireNamespace(option: string, namespaces: readonly NamespaceName[], name: NamespaceName): void {
  if (!namespaces.includes(name)) {
    const kind = namespaceKind(name);
    throw usageError(`${option} needs a new ${kind.title}; add ${kind.words[0] ?? name} to --flags`);
  }
}

/** Validates `command`: 1 to 4096 strings without NUL, the first non-empty. */
function validateCommand(command: readonly string[]): string[] {
  if (command.length === 0 || command[0] === '') throw usageError('no command given (see nsrun --help)');
  if (command.length > LIMITS.commandArgs) {
    throw usageError(`the command has ${command.length} arguments, at most ${LIMITS.commandArgs} allowed`);
  }
  command.forEach((arg, i) => {
    if (typeof arg !== 'string' || arg.includes('\0') || bytes(arg) > LIMITS.argBytes) {
      throw invalidValue(`command argument ${i}`, arg, `expected a string of at most ${LIMITS.argBytes} bytes without NUL`);
    }
  });
  const name = command[0] ?? '';
  if (bytes(name) > LIMITS.pathBytes) {
    throw invalidValue('command name', name, `expected at most ${LIMITS.pathBytes} bytes`);
  }
  return [...command];
}

/** Validates `flags`, a `--flags` string or an array of its words, into contract names. */
function validateFlags(flags: NsrunOptions['flags']): NamespaceName[] {
  if (flags === undefined) return parseFlags(DEFAULTS.flags);
  if (typeof flags === 'string') return parseFlags(flags);
  // none: the command joins namespaces instead (nsrun exec); the API refuses an empty array first
  if (flags.length === 0) return [];
  for (const word of flags) {
    if (word.includes(',')) throw invalidValue('--flags', word, 'expected one namespace name per entry of the array');
  }
  return parseFlags(flags.join(','));
}

/** Validates a value that must be one of `choices` (`--map`, `--propagation`). */
export function validateChoice<T extends string>(option: string, value: unknown, choices: readonly T[]): T {
  const choice = choices.find((c) => c === value);
  if (choice === undefined) throw invalidValue(option, value, `expected one of ${choices.join(', ')}`);
  return choice;
}

/** The integer a number or a decimal string stands for, or NaN. */
function toInteger(value: unknown): number {
  const n = typeof value === 'string' && /^[-+]?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : NaN;
}

/** Validates an integer given as a number or a decimal string, within `min`..`max`. */
function validateInteger(option: string, value: number | string, min: number, max: number): number {
  const n = toInteger(value);
  if (!(n >= min && n <= max)) throw invalidValue(option, value, `expected an integer from ${min} to ${max}`);
  return n;
}

/** Validates `--uid` or `--gid`. */
function validateId(option: '--uid' | '--gid', value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : validateInteger(option, value, 0, LIMITS.maxId);
}

/** Validates `--hostname` or `--domainname`: 1 to 64 bytes without NUL, with a new UTS namespace. */
function validateUtsName(
  option: '--hostname' | '--domainname',
  value: string | undefined,
  namespaces: readonly NamespaceName[],
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.includes('\0') || bytes(value) > LIMITS.utsNameBytes) {
    throw invalidValue(option, value, `expected 1 to ${LIMITS.utsNameBytes} bytes without NUL`);
  }
  requireNamespace(option, namespaces, 'uts');
  return value;
}

/** Validates `--time-offset`, as an object or as `monotonic=SECONDS,boottime=SECONDS`. */
function validateTimeOffset(value: NsrunOptions['timeOffset']): TimeOffsets | undefined {
  if (value === undefined) return undefined;
  const limit = LIMITS.timeOffsetSeconds;
  const entries: [string, unknown][] =
    typeof value === 'string'
      ? value.split(',').map((part): [string, unknown] => {
          const eq = part.indexOf('=');
          return eq < 0 ? [part, undefined] : [part.slice(0, eq), part.slice(eq + 1)];
        })
      : Object.entries(value).filter(([, seconds]) => seconds !== undefined);
  const offsets: { monotonic?: number; boottime?: number } = {};
  for (const [clock, seconds] of entries) {
    const known = CLOCKS.find((c) => c === clock);
    const n = toInteger(seconds);
    if (known === undefined || !(n >= -limit && n <= limit)) {
      const accepts = `expected monotonic=SECONDS,boottime=SECONDS (either or both), integers from -${limit} to ${limit}`;
      throw invalidValue('--time-offset', value, accepts);
    }
    if (offsets[known] !== undefined) throw invalidValue('--time-offset', value, `${known} is given more than once`);
    offsets[known] = n;
  }
  if (entries.length === 0) throw invalidValue('--time-offset', value, 'expected an offset for monotonic, boottime or both');
  return offsets;
}

/** The path a `file:` URL names, or undefined for another URL or one that names no path. */
function urlPath(url: URL): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

/** Validates `--cwd`, a path or a `file:` URL, and resolves it against the caller's directory. */
function validateCwd(value: string | URL | undefined, base: string): string | undefined {
  if (value === undefined) return undefined;
  const path = value instanceof URL ? urlPath(value) : value;
  const cwd = typeof path === 'string' && path !== '' && !path.includes('\0') ? resolve(base, path) : undefined;
  if (cwd === undefined || bytes(cwd) > LIMITS.pathBytes) {
    const accepts = `expected a path of at most ${LIMITS.pathBytes} bytes without NUL`;
    if (value instanceof URL) throw invalidValue('--cwd', value.href, `${accepts}, or a file: URL of one`);
    throw invalidValue('--cwd', value, accepts);
  }
  return cwd;
}

/** Validates one `--env` entry (shown as the caller wrote it): a non-empty KEY without '=', a string VALUE, no NUL, at most 128 KiB. */
function validateEnvEntry(shown: unknown, key: string, value: unknown): string {
  const entry = `${key}=${String(value)}`;
  if (key === '' || key.includes('=') || typeof value !== 'string' || entry.includes('\0') || bytes(entry) > LIMITS.argBytes) {
    throw invalidValue('--env', shown, `expected KEY=VALUE with a non-empty KEY, no NUL, at most ${LIMITS.argBytes} bytes`);
  }
  return entry;
}

/** Builds the command's environment: the caller's (unless `clearEnv`) with `env` applied, as KEY=VALUE entries. */
function validateEnv(value: NsrunOptions['env'], clearEnv: boolean, base: SystemContext['env']): string[] {
  const env = new Map<string, string>();
  if (!clearEnv) {
    for (const [key, val] of Object.entries(base)) if (val !== undefined) env.set(key, `${key}=${val}`);
  }
  if (Array.isArray(value)) {
    for (const entry of value as readonly string[]) {
      const eq = typeof entry === 'string' ? entry.indexOf('=') : -1;
      if (eq < 0) throw invalidValue('--env', entry, 'expected KEY=VALUE');
      const key = entry.slice(0, eq);
      env.set(key, validateEnvEntry(entry, key, entry.slice(eq + 1)));
    }
  } else if (value !== undefined) {
    for (const [key, val] of Object.entries(value)) env.set(key, validateEnvEntry({ [key]: val }, key, val));
  }
  if (env.size > LIMITS.envEntries) {
    throw usageError(`the environment has ${env.size} variables, at most ${LIMITS.envEntries} allowed`);
  }
  return [...env.values()];
}

/** Validates `--preserve-fds`. */
function validatePreserveFds(value: number | string | undefined): number {
  return value === undefined ? 0 : validateInteger('--preserve-fds', value, 0, LIMITS.preservedFds);
}

/** The sandbox's own mounts must never reach the host: pivot_root refuses shared mounts, and a mount under a shared one propagates. */
function validateFilesystemPropagation(propagation: Propagation, rootfs: string | undefined, mounts: boolean, hosts: string | undefined): void {
  if (propagation === 'private' || propagation === 'slave') return;
  if (rootfs !== undefined || mounts) throw usageError(`--propagation ${propagation} cannot be used with --rootfs or mounts, which need private or slave`);
  if (hosts !== undefined) throw usageError(`--propagation ${propagation} cannot be used with --network ${hosts}, whose /etc/hosts is a mount: it needs private or slave`);
}

/** Validates `network` against `flags`: which network the sandbox gets and the namespaces it takes. */
function validateNetwork(
  options: NsrunOptions,
  requested: readonly NamespaceName[],
  system: SystemContext,
): { choice: NetworkChoice; namespaces: NamespaceName[]; joined?: JoinedNetwork; hosts?: MountEntry } {
  const fromFlags: NetworkChoice = { kind: requested.includes('net') ? 'none' : 'host' };
  const choice = options.network === undefined ? fromFlags : chooseNetwork(options.network, system);
  const names = new Set(requested);
  if (choice.kind === 'host' || choice.kind === 'sandbox') {
    if (options.flags !== undefined && requested.includes('net')) throw usageError(`--network ${options.network} cannot be used with net in --flags`);
    names.delete('net');
  }
  if (choice.kind === 'sandbox') {
    const holder = findSandbox(choice.name, system);
    // without root, only the sandbox's own user namespace may enter its network namespace: the new one lives in it too
    const user = system.euid !== 0 && holder.namespaces.user !== undefined;
    if (user) names.delete('user');
    // on a network, it resolves the names the sandbox does: its /etc/hosts
    const hosts = memberHosts(choice.name, system);
    if (hosts !== undefined) names.add('mnt');
    return { choice, namespaces: sortNamespaces(names), joined: { pid: holder.holder, user: user ? true : undefined }, ...(hosts === undefined ? {} : { hosts }) };
  }
  if (choice.kind !== 'host') {
    names.add('net');
  }
  if (choice.kind === 'backend' || choice.kind === 'bridge') names.add('mnt'); // the sandbox's own /etc/resolv.conf, or /etc/hosts
  return { choice, namespaces: sortNamespaces(names) };
}

/**
 * The namespaces to create: those asked for, `time` for offsets, `mnt` for mounts, `user` when
 * unprivileged unless the sandbox enters the user namespace of another (`inUserOf`).
 */
function impliedNamespaces(
  requested: readonly NamespaceName[],
  timeOffsets: TimeOffsets | undefined,
  euid: number,
  mounts = false,
  inUserOf = false,
): NamespaceName[] {
  const names = new Set(requested);
  if (timeOffsets !== undefined) names.add('time');
  if (mounts) names.add('mnt');
  if (euid !== 0 && !inUserOf && [...names].some((name) => name !== 'user')) names.add('user');
  return sortNamespaces(names);
}

/** Whether the command runs as uid 0: `uid`, else the id the caller maps to, else its own. */
function runsAsRoot(uid: number | undefined, maps: IdMaps | undefined, euid: number): boolean {
  if (uid !== undefined) return uid === 0;
  if (maps === undefined) return euid === 0;
  return (maps['uid-map'] ?? []).some(([inside, outside, count]) => inside === 0 && outside <= euid && euid < outside + count);
}

/** The id maps with a user namespace; without one, a usage error if maps were asked for. */
function idMapsFor(options: NsrunOptions, namespaces: readonly NamespaceName[], system: SystemContext): IdMaps | undefined {
  const mode = validateChoice('--map', options.map ?? DEFAULTS.map, MAP_MODES);
  if (namespaces.includes('user')) return chooseIdMaps({ mode, uidMap: options.uidMap, gidMap: options.gidMap }, system);
  if (options.uidMap !== undefined) validateIdMap('--uid-map', options.uidMap);
  if (options.gidMap !== undefined) validateIdMap('--gid-map', options.gidMap);
  for (const [option, value] of [['--map', options.map], ['--uid-map', options.uidMap], ['--gid-map', options.gidMap]] as const) {
    if (value !== undefined) requireNamespace(option, namespaces, 'user');
  }
  return undefined;
}

/**
 * Turns a command and its options into the helper's config (docs/contract.md), checking every
 * option: a bad value throws a usage error (exit 2) naming the option, the value and what it
 * accepts; a system that cannot provide the id maps throws a setup error (exit 125). With
 * `claim` false (a dry run, which runs nothing) `--network NAME` takes no address of the network.
 */
export function normalizeOptions(
  command: readonly string[],
  options: NsrunOptions = {},
  system: SystemContext = processContext(),
  claim = true,
): HelperConfig {
  const checkedCommand = validateCommand(command);
  const timeOffsets = validateTimeOffset(options.timeOffset);
  const rootfs = validateRootfs(options.rootfs, system.cwd);
  const mounts = validateMounts(options.mounts, system.cwd);
  const network = validateNetwork(options, validateFlags(options.flags), system);
  const namespaces = impliedNamespaces(
    network.namespaces,
    timeOffsets,
    system.euid,
    rootfs !== undefined || mounts !== undefined,
    network.joined?.user === true,
  );
  const has = (name: NamespaceName): boolean => namespaces.includes(name);
  const chosenMaps = idMapsFor(options, namespaces, system);
  const propagation = validateChoice('--propagation', options.propagation ?? DEFAULTS.propagation, PROPAGATIONS);
  if (options.propagation !== undefined) requireNamespace('--propagation', namespaces, 'mnt');
  if (options.init === true) requireNamespace('--init', namespaces, 'pid');
  // on a network of nsrun network create (its own, or a member's through sandbox:NAME): a bridge shared with others
  const hostsOf = network.choice.kind === 'bridge' || network.hosts !== undefined ? options.network : undefined;
  validateFilesystemPropagation(propagation, rootfs, mounts !== undefined, hostsOf);
  if (options.readOnly === true && rootfs === undefined) throw usageError('--read-only needs --rootfs DIR');
  const preserveFds = validatePreserveFds(options.preserveFds);
  // last of the checks: it claims an address of the network (unless a dry run)
  const bridge = network.choice.kind === 'bridge' ? network.choice.name : undefined;
  const attached = bridge === undefined ? undefined : resolveNetwork(bridge, claim, system);
  const hosts = attached?.hosts ?? network.hosts;
  const networkMounts = [...(hosts === undefined ? [] : [hosts]), ...(attached?.resolvConf === undefined ? [] : [attached.resolvConf])];
  const maps = attached?.throughHub === true && chosenMaps !== undefined ? mapsThroughHub(bridge ?? '', chosenMaps, system) : chosenMaps;
  // --map isolated leaves the caller's own id unmapped: the command becomes the range's first id
  const isolated = maps !== undefined && options.map === 'isolated';
  const uid = validateId('--uid', options.uid) ?? (isolated && options.uidMap === undefined ? 0 : undefined);
  return {
    version: 1,
    command: checkedCommand,
    namespaces,
    ...maps,
    uid,
    gid: validateId('--gid', options.gid) ?? (isolated && options.gidMap === undefined ? 0 : undefined),
    propagation: has('mnt') ? propagation : undefined,
    'mount-proc': (options.proc ?? true) && has('pid') && has('mnt') ? true : undefined,
    'mount-sys': has('net') && has('mnt') ? true : undefined,
    hostname: validateUtsName('--hostname', options.hostname, namespaces),
    domainname: validateUtsName('--domainname', options.domainname, namespaces),
    'time-offsets': timeOffsets,
    cwd: validateCwd(options.cwd, rootfs === undefined ? system.cwd : '/'),
    init: options.init === true ? true : undefined,
    'preserve-fds': preserveFds === 0 ? undefined : preserveFds,
    env: validateEnv(options.env, options.clearEnv ?? false, system.env),
    'stop-timeout': validateInteger('--stop-timeout', options.stopTimeout ?? DEFAULTS.stopTimeout, 0, LIMITS.stopTimeoutSeconds),
    'no-new-privs': options.allowNewPrivs === true ? undefined : true,
    capabilities: keptCapabilities(hostsOf === undefined ? options.capDrop : [NEIGHBOUR_CAPABILITIES, ...(options.capDrop ?? [])], options.capAdd, runsAsRoot(uid, chosenMaps, system.euid)), // the caller's maps: through a hub its id is 0 there
    'join-network': network.joined,
    ...networkConfig(network.choice, (options.publish ?? []).map(parsePublish), options.hostLoopback === true, system),
    veth: attached?.network,
    rootfs,
    'read-only': options.readOnly === true ? true : undefined,
    mounts: networkMounts.length === 0 ? mounts : [...(mounts ?? []), ...networkMounts],
  };
}
