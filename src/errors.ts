/** nsrun's one error class, the helper's error records turned into it, and the one message format. */
import { getSystemErrorMap } from 'node:util';
import { LIMITS, type HelperConfig } from './config.js';
import { insideIds, isMapped } from './idmaps.js';
import { isMountStep, MOUNT_STEP_FAILURES, MOUNT_STEPS, mountHint } from './mount-errors.js';
import { NAMESPACES, sysctlPath } from './namespaces.js';
import { osConstants, type SystemContext } from './system.js';

/** The setup steps the helper reports (docs/contract.md). */
export const HELPER_STEPS = [
  'arguments',
  'config',
  'signals',
  'clone',
  'id-maps',
  'time-namespace',
  'propagation',
  'mount-proc',
  'mount-sys',
  'hostname',
  'domainname',
  'loopback',
  'no-new-privs',
  'terminal-guard',
  'capabilities',
  'identity',
  'cwd',
  'fds',
  'init',
  'exec',
  'join',
  'keep',
  'network',
  'resolv-conf',
  'bridge',
  'veth',
  ...MOUNT_STEPS,
] as const;

/** A step the helper reports. */
export type HelperStep = (typeof HELPER_STEPS)[number];

/**
 * Where nsrun failed: a bad command line or option (`usage`), starting the helper (`helper`), a
 * helper step, or the command itself, which failed once running (`command`, library only).
 */
export type NsrunStep = 'usage' | 'helper' | 'command' | HelperStep;

/** The exit codes nsrun reserves (docs/signals.md). */
export const EXIT = { usage: 2, setup: 125, cannotExecute: 126, notFound: 127 } as const;

/** What an NsrunError carries besides its message. */
export interface NsrunErrorDetails {
  readonly step: NsrunStep;
  readonly exitCode: number;
  readonly syscall?: string | undefined;
  readonly errno?: number | undefined;
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

/** Every failure nsrun reports: a bad option, a helper that cannot start, or a setup step that failed. */
export class NsrunError extends Error {
  override readonly name: string = 'NsrunError';
  /** Where it failed. */
  readonly step: NsrunStep;
  /** The system call that failed, when one did. */
  readonly syscall: string | undefined;
  /** Its errno. */
  readonly errno: number | undefined;
  /** Its errno's symbolic name, such as `EPERM`. */
  readonly code: string | undefined;
  /** The object of the failure: a path, a limit. */
  readonly detail: string | undefined;
  /** What nsrun exits with: 2 usage, 125 setup, 126 cannot execute, 127 not found. */
  readonly exitCode: number;
  /** What the user can do about it, when nsrun can tell. */
  readonly hint: string | undefined;

  /** `message` says what failed and why, without the `nsrun:` prefix; it and the hint are kept on one line. */
  constructor(message: string, details: NsrunErrorDetails) {
    super(oneLine(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.step = details.step;
    this.syscall = details.syscall;
    this.errno = details.errno;
    this.code = details.code;
    this.detail = details.detail;
    this.exitCode = details.exitCode;
    this.hint = details.hint === undefined ? undefined : oneLine(details.hint);
  }
}

/** `text` with its control characters escaped (`\\n`, `\\x1b`): a value shown in a message cannot break its line or drive a terminal. */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** A bad command line or option value: nsrun exits with 2 and runs nothing. */
export function usageError(message: string, hint?: string): NsrunError {
  return new NsrunError(message, { step: 'usage', exitCode: EXIT.usage, hint });
}

/** A usage error for an option value: names the option, the value it got and what it accepts. */
export function invalidValue(option: string, value: unknown, accepts: string): NsrunError {
  const shown = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return usageError(`invalid ${option} ${shown}: ${accepts}`);
}

/** The one line nsrun prints for a failure: `nsrun: <what failed>: <why> (hint: ...)`. */
export function formatMessage(error: unknown): string {
  if (!(error instanceof NsrunError)) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return `nsrun: internal error: ${text}`;
  }
  return `nsrun: ${error.message}${error.hint === undefined ? '' : ` (hint: ${error.hint})`}`;
}

/** The symbolic name of an errno, such as `EPERM`. */
function errnoName(errno: number): string | undefined {
  return Object.entries(osConstants().errno).find(([, n]) => n === errno)?.[0];
}

/** The errno's description in lower case ("operation not permitted"); libuv's table lacks ENOEXEC. */
function describeErrno(errno: number): string {
  const description = getSystemErrorMap().get(-errno)?.[1];
  if (description !== undefined) return description;
  const name = errnoName(errno);
  return name === 'ENOEXEC' ? 'exec format error' : (name ?? `error ${errno}`);
}

/** An error record of the status stream, its members checked. */
interface HelperErrorRecord {
  readonly step: HelperStep | undefined;
  readonly rawStep: string;
  readonly syscall: string | undefined;
  readonly errno: number | undefined;
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly exitCode: number | undefined;
}

function member(record: object, key: string): unknown {
  return (record as Readonly<Record<string, unknown>>)[key];
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readRecord(record: unknown): HelperErrorRecord {
  const object = typeof record === 'object' && record !== null ? record : {};
  const rawStep = nonEmptyString(member(object, 'step')) ?? 'unknown';
  const errnoValue = member(object, 'errno');
  const errno = Number.isInteger(errnoValue) && Number(errnoValue) > 0 ? Number(errnoValue) : undefined;
  const exitCode = member(object, 'exit-code');
  return {
    step: HELPER_STEPS.find((s) => s === rawStep),
    rawStep,
    syscall: nonEmptyString(member(object, 'syscall')),
    errno,
    code: errno === undefined ? undefined : errnoName(errno),
    detail: nonEmptyString(member(object, 'detail')),
    exitCode: Number.isInteger(exitCode) ? Number(exitCode) : undefined,
  };
}

/** What the helper was asked to do, and the system it ran on: the material of hints. */
export interface ErrorContext {
  readonly config: HelperConfig;
  readonly system: SystemContext;
}

/** Says what a step failed to do, from the config it was given and the record's detail. */
const STEP_FAILURES: Readonly<Record<HelperStep, (config: HelperConfig, detail: string | undefined) => string>> = {
  arguments: () => 'the helper was started with bad arguments',
  config: () => 'the helper rejected the config',
  signals: () => 'the helper cannot set up its signal handling',
  clone: (config) => `cannot create the namespaces ${config.namespaces.join(', ')}`,
  'id-maps': (_, detail) =>
    detail !== undefined && /(_map|setgroups)$/.test(detail)
      ? `cannot write ${detail}`
      : `cannot write uid_map and gid_map${detail === undefined ? '' : ` of ${detail}`}`,
  'time-namespace': () => 'cannot set the clock offsets of the time namespace',
  propagation: (config) => `cannot make the mounts under / ${config.propagation ?? 'private'}`,
  'mount-proc': () => 'cannot mount a new /proc',
  'mount-sys': () => 'cannot mount a new /sys',
  hostname: (config) => `cannot set the hostname to '${config.hostname ?? ''}'`,
  domainname: (config) => `cannot set the domain name to '${config.domainname ?? ''}'`,
  loopback: () => 'cannot bring up the loopback interface',
  'no-new-privs': () => 'cannot set no_new_privs',
  'terminal-guard': () => 'cannot install the seccomp filter that guards the terminal',
  capabilities: () => 'cannot limit the capabilities of the command',
  identity: (config) => {
    const ids = (['uid', 'gid'] as const).flatMap((kind) => (config[kind] === undefined ? [] : [`${kind} ${config[kind]}`]));
    return ids.length === 0 ? 'cannot set the identity of the command' : `cannot switch to ${ids.join(' and ')}`;
  },
  cwd: (config, detail) => `cannot enter ${detail ?? config.cwd ?? 'the working directory'}`,
  fds: () => 'cannot close the file descriptors the command must not inherit',
  init: () => 'cannot start the command under --init',
  exec: (config, detail) => detail ?? config.command[0] ?? 'the command',
  join: (config, detail) => {
    const file = /^\/proc\/\d+\/(?:ns\/)?(\w+)$/.exec(detail ?? '')?.[1];
    const what = file === undefined ? 'the namespaces' : ['root', 'cwd'].includes(file) ? `the ${file === 'cwd' ? 'working directory' : 'root'}` : `the ${file} namespace`;
    return `cannot join ${what} of process ${config.join?.pid ?? '?'}`;
  },
  keep: () => 'cannot detach the holder of the kept namespaces',
  network: (config) => {
    const tried = [config.network, config['network-fallback']].flatMap((n) => (n === undefined ? [] : [n.backend]));
    const backends = tried.length === 0 ? 'its backend' : tried.join(', nor through ');
    return `cannot connect the sandbox's network through ${backends}`;
  },
  'resolv-conf': () => "cannot mount the sandbox's /etc/resolv.conf",
  bridge: (_, detail) => `cannot set up the bridge ${detail ?? ''} of the network`,
  veth: (_, detail) => `cannot attach the sandbox to the network${detail === undefined ? '' : ` (${detail})`}`,
  ...MOUNT_STEP_FAILURES,
};

/** Why a step failed, when the errno alone does not say it well. */
function reasonOf(record: HelperErrorRecord, config: HelperConfig): string | undefined {
  if (record.step === 'exec') {
    if (record.code === 'ENOENT') return config.rootfs === undefined ? 'command not found' : `command not found in the root filesystem ${config.rootfs}`;
    return record.errno === undefined ? 'cannot execute' : `cannot execute: ${describeErrno(record.errno)}`;
  }
  if (record.step === 'config' || record.step === 'arguments') return record.detail;
  if (record.step === 'network') return networkReason(record);
  return record.errno === undefined ? record.detail : describeErrno(record.errno);
}

function readSysctl(system: SystemContext, sysctl: string): string | undefined {
  return system.readFile(sysctlPath(sysctl))?.trim();
}

/** Why the kernel refused a user namespace, read from the sysctls that can forbid one. */
function userNamespaceRefusal(context: ErrorContext): string | undefined {
  const { system } = context;
  if (system.euid !== 0 && readSysctl(system, 'kernel.unprivileged_userns_clone') === '0') {
    return (
      'unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0 ' +
      '(sysctl -w kernel.unprivileged_userns_clone=1 allows them)'
    );
  }
  if (system.euid !== 0 && readSysctl(system, 'kernel.apparmor_restrict_unprivileged_userns') === '1') {
    return (
      'AppArmor restricts unprivileged user namespaces: kernel.apparmor_restrict_unprivileged_userns is 1 ' +
      '(an AppArmor profile for the helper that allows userns, or setting it to 0, lifts this)'
    );
  }
  if (readSysctl(system, 'user.max_user_namespaces') === '0') {
    return 'the limit user.max_user_namespaces is 0 (sysctl -w user.max_user_namespaces=15000 raises it)';
  }
  return undefined;
}

/** Which of the limits of the requested namespace kinds are reached or zero. */
function namespaceLimits(context: ErrorContext): string | undefined {
  const limits = NAMESPACES.filter((k) => context.config.namespaces.includes(k.name)).map((k) => ({
    sysctl: k.limit,
    value: readSysctl(context.system, k.limit),
  }));
  const zero = limits.filter((l) => l.value === '0').map((l) => l.sysctl);
  if (zero.length === 1) return `the limit ${zero.join('')} is 0`;
  if (zero.length > 1) return `the limits ${zero.join(', ')} are 0`;
  const known = limits.filter((l) => l.value !== undefined).map((l) => `${l.sysctl} = ${l.value}`);
  return known.length === 0 ? undefined : `one of these limits is reached: ${known.join(', ')}`;
}

/** Whether an unprivileged caller asked for more than its own id, which only newuidmap/newgidmap may map. */
function mapsNeedPrivilege(context: ErrorContext): boolean {
  const { config, system } = context;
  const ownOnly = (map: HelperConfig['uid-map'], id: number): boolean =>
    map === undefined || (map.length === 1 && map[0]?.[1] === id && map[0][2] === 1);
  return (
    system.euid !== 0 &&
    ((config.newuidmap === undefined && !ownOnly(config['uid-map'], system.euid)) ||
      (config.newgidmap === undefined && !ownOnly(config['gid-map'], system.egid)))
  );
}

/** Which of `uid` and `gid` the maps of the new user namespace leave out, if any. */
function unmappedIdentity(config: HelperConfig): string | undefined {
  const unmapped = (['uid', 'gid'] as const).flatMap((kind) => {
    const id = config[kind];
    const map = config[`${kind}-map`];
    return id === undefined || map === undefined || isMapped(map, id)
      ? []
      : [`${kind} ${id} is not mapped in the new user namespace, whose ${kind} map covers ${insideIds(map)}`];
  });
  return unmapped.length === 0 ? undefined : unmapped.join('; ');
}

/** Why the kernel refused a time namespace (ENOSPC: its limit) or its offsets (ERANGE: a clock out of range). */
function timeNamespaceHint(code: string | undefined, context: ErrorContext): string | undefined {
  if (code === 'ENOSPC') {
    const value = readSysctl(context.system, 'user.max_time_namespaces');
    const limit = sysctlPath('user.max_time_namespaces');
    return value === '0' ? `the limit ${limit} is 0; a higher number written there allows them` : `the limit ${limit} (${value ?? '?'}) is reached`;
  }
  if (code === 'ERANGE') {
    const uptime = context.system.readFile('/proc/uptime')?.split(' ')[0];
    const monotonic = Number(process.hrtime.bigint() / 1_000_000_000n);
    const boottime = uptime === undefined ? '?' : String(Math.floor(Number(uptime)));
    return (
      `a clock with its offset must stay from 0 to ${LIMITS.timeOffsetSeconds} seconds; ` +
      `monotonic is at ${monotonic} and boottime at ${boottime} seconds now`
    );
  }
  return undefined;
}

/** Why the network backend failed: what it said, else how it ended. */
function networkReason(record: HelperErrorRecord): string {
  if (record.detail !== undefined) return record.detail;
  if (record.code === 'ETIMEDOUT') return 'it did not configure the network within 10 seconds';
  if (record.code === 'ECHILD') return 'it ended without saying why';
  return record.errno === undefined ? 'it failed' : describeErrno(record.errno);
}

/** What the user can do about a failed network backend, from what it said. */
function networkHint(detail: string | undefined, context: ErrorContext): string | undefined {
  if (detail === undefined) return undefined;
  if (/tun/i.test(detail)) {
    return (
      `the backend must open /dev/net/tun, which uid ${context.system.euid} may not; most distributions make it 0666 ` +
      '(chmod 0666 /dev/net/tun), or run nsrun as root'
    );
  }
  if (/in use|bind/i.test(detail)) {
    // pasta names the option it could not carry out, '-t 127.0.0.1/8080:80'; the helper slirp4netns's port, 'host port 8080/tcp'
    const pasta = /'-([tu]) (?:[^/' ]*\/)?([\d-]+)/.exec(detail);
    const slirp = /host port (\d+\/(?:tcp|udp))/.exec(detail);
    const ports =
      pasta !== null ? `host port ${pasta[2] ?? ''}/${pasta[1] === 'u' ? 'udp' : 'tcp'}`
      : slirp !== null ? `host port ${slirp[1] ?? ''}`
      : 'a published host port';
    return `${ports} is already taken in nsrun's network namespace; publish another one`;
  }
  return undefined;
}

/** What the user can do about a failed step, computed from the config and the system. */
function hintFor(record: HelperErrorRecord, context: ErrorContext): string | undefined {
  const { config } = context;
  const refused = record.code === 'EPERM' || record.code === 'EACCES';
  const hasUser = config.namespaces.includes('user');
  switch (record.step) {
    case 'clone':
      if (record.code === 'ENOSPC') return namespaceLimits(context);
      if (refused && hasUser) {
        return (
          userNamespaceRefusal(context) ??
          'the kernel refused a new user namespace; a seccomp filter (as in many containers) or a security module may forbid it'
        );
      }
      if (refused) return 'creating namespaces needs CAP_SYS_ADMIN; add user to --flags to create them in a new user namespace';
      return undefined;
    case 'id-maps':
      if (!refused) return undefined;
      if (mapsNeedPrivilege(context)) {
        return 'without privileges a map may only map your own id with count 1; --map auto maps subordinate ids through newuidmap/newgidmap';
      }
      if (config.newuidmap !== undefined || config.newgidmap !== undefined) {
        return 'newuidmap/newgidmap refused the maps; check your ranges in /etc/subuid and /etc/subgid';
      }
      return userNamespaceRefusal(context);
    case 'identity':
      return unmappedIdentity(config);
    case 'cwd':
      return config.cwd === undefined ? "it is nsrun's working directory, entered by its path after the mounts; --cwd DIR names one inside" : undefined;
    case 'time-namespace':
      return timeNamespaceHint(record.code, context);
    case 'mount-proc':
      if (!refused && record.code !== 'EINVAL') return undefined;
      if (!config.namespaces.includes('pid')) return 'a new /proc needs a new PID namespace; add pid to --flags, or pass --no-proc';
      return (
        'a new /proc needs a PID namespace owned by the new user namespace, and the kernel refuses it ' +
        'while parts of the current /proc are hidden (as in many containers); pass --no-proc'
      );
    case 'network':
      return networkHint(record.detail, context);
    case 'join':
      if (refused) return "joining another user's process needs root; an unprivileged user may join only the sandboxes it made";
      return undefined;
    case 'bridge':
      return record.code === 'EEXIST' ? 'a link of that name exists already in this network namespace' : undefined;
    case 'veth':
      return record.code === 'ENODEV' ? "the network's bridge is not in this network namespace (see nsrun network ls)" : undefined;
    case 'config':
    case 'arguments':
      return 'nsrun and its helper may be out of step; run `make`';
    default:
      return isMountStep(record.step) ? mountHint(record.step, record.code, config, record.detail) : undefined;
  }
}

function exitCodeOf(record: HelperErrorRecord): number {
  if (record.exitCode !== undefined) return record.exitCode;
  if (record.step !== 'exec') return EXIT.setup;
  return record.code === 'ENOENT' ? EXIT.notFound : EXIT.cannotExecute;
}

/** Builds the error for the `error` record of the helper's status stream. */
export function fromHelperError(record: unknown, context: ErrorContext): NsrunError {
  const checked = readRecord(record);
  const what =
    checked.step === undefined
      ? `the helper failed at step '${checked.rawStep}'`
      : STEP_FAILURES[checked.step](context.config, checked.detail);
  const reason = reasonOf(checked, context.config);
  return new NsrunError(reason === undefined ? what : `${what}: ${reason}`, {
    step: checked.step ?? 'helper',
    exitCode: exitCodeOf(checked),
    syscall: checked.syscall,
    errno: checked.errno,
    code: checked.code,
    detail: checked.detail,
    hint: hintFor(checked, context),
  });
}
