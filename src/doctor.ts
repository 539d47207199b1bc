/**
 * `nsrun doctor`: what this machine allows, found out before anything fails. Each namespace type is
 * actually created, in a throwaway sandbox running `true`; each problem comes with its fix.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statfsSync, statSync } from 'node:fs';
import { arch, release } from 'node:os';
import { readElf, type ElfInfo } from './elf.js';
import { NsrunError } from './errors.js';
import { helperHint, helperPath } from './handover.js';
import { runHelper, startHelper } from './helper.js';
import { findMapProgram, subordinateRange, type SubordinateRange } from './idmaps.js';
import { NAMESPACES, sysctlPath, type NamespaceName } from './namespaces.js';
import { BACKEND_PACKAGES, BACKENDS, findProgram, tunUsable, type Backend } from './network.js';
import { DEFAULTS, normalizeOptions, type NsrunOptions } from './options.js';
import { processContext, type SystemContext } from './system.js';

/** How a check came out: `warning` is something only some options need. */
export type CheckStatus = 'ok' | 'warning' | 'problem';

/** One line of the checklist. */
export interface DoctorCheck {
  /** What was checked, such as `uts namespace` or `user.max_user_namespaces`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do about a warning or a problem. */
  readonly fix?: string | undefined;
}

/** Whether a sandbox could be created, and if not, what nsrun said. */
export interface Attempt {
  readonly available: boolean;
  /** The one-line message of the failure, without `nsrun: `, with its hint. */
  readonly error?: string | undefined;
  /** What to do about it, when nsrun can tell. */
  readonly fix?: string | undefined;
}

/** newuidmap or newgidmap. */
export interface MapProgram {
  /** Its path on PATH, if found. */
  readonly path: string | null;
  /** How it gets the privilege to write maps: setuid root, file capabilities, or not at all. */
  readonly privilege: 'setuid' | 'capabilities' | 'none' | null;
}

/** The cgroup hierarchy mounted on /sys/fs/cgroup. */
export type CgroupVersion = 'v1' | 'v2' | 'hybrid' | 'none';

/** What `nsrun doctor` found. */
export interface DoctorReport {
  /** Whether what the default `nsrun run` needs works here (nsrun doctor exits 0 when it does, else 125). */
  readonly ok: boolean;
  /** The effective uid the checks ran as. */
  readonly uid: number;
  /** The kernel release, such as `6.8.0-45-generic`. */
  readonly kernel: string;
  readonly helper: {
    readonly path: string;
    readonly found: boolean;
    /** Its ELF facts, when it is an ELF executable. */
    readonly elf: ElfInfo | null;
    /** The C library linked into it: `glibc` when it carries glibc's ABI note, else `musl` (what musl-gcc builds). */
    readonly libc: 'musl' | 'glibc' | null;
    /** Its size on disk, in bytes. */
    readonly bytes: number | null;
    /** Its resident memory while it waits for a command, in kB: what each running sandbox costs; null when none could start. */
    readonly residentKb: number | null;
  };
  /** Each namespace type, created alone (with a user namespace when not root). */
  readonly namespaces: Readonly<Record<NamespaceName, Attempt>>;
  /** The namespaces of `nsrun run` without --flags, created together. */
  readonly defaultRun: Attempt & { readonly namespaces: readonly NamespaceName[] };
  /** The sysctls that limit user namespaces; null when this kernel has none such. */
  readonly userNamespaceSysctls: {
    readonly 'kernel.unprivileged_userns_clone': number | null;
    readonly 'kernel.apparmor_restrict_unprivileged_userns': number | null;
    readonly 'user.max_user_namespaces': number | null;
  };
  /** What `--map auto` needs. */
  readonly idMapping: {
    readonly newuidmap: MapProgram;
    readonly newgidmap: MapProgram;
    readonly subuid: SubordinateRange | null;
    readonly subgid: SubordinateRange | null;
  };
  readonly cgroup: CgroupVersion;
  /** What `--network` needs: the backends, /dev/net/tun, the lowest port an unprivileged user may bind. */
  readonly network: {
    /** Each backend: its path (null: not installed) and whether a sandbox of this user runs with it. */
    readonly backends: Readonly<Record<Backend, { readonly path: string | null } & Attempt>>;
    /** Whether this user may open /dev/net/tun, which both backends need. */
    readonly tun: boolean;
    /** net.ipv4.ip_unprivileged_port_start: published host ports below it need root. */
    readonly unprivilegedPortStart: number | null;
  };
  /** The checklist, one line per check, in the order nsrun doctor prints it. */
  readonly checks: readonly DoctorCheck[];
}

function readSysctl(system: SystemContext, name: string): number | null {
  const text = system.readFile(sysctlPath(name))?.trim();
  return text === undefined || !/^-?\d+$/.test(text) ? null : Number(text);
}

/** The fix of a failed attempt: how to raise a namespace limit that is 0 (ENOSPC), else the error's hint. */
function fixOf(error: NsrunError, names: readonly NamespaceName[], system: SystemContext): string | undefined {
  const zero = NAMESPACES.filter((kind) => names.includes(kind.name) && readSysctl(system, kind.limit) === 0);
  return error.code === 'ENOSPC' && zero.length > 0 ? zero.map((kind) => `sysctl -w ${kind.limit}=15000`).join('; ') : error.hint;
}

/** Tries a sandbox with these options (its namespaces, and user when not root), running `true` with no output. */
async function attempt(options: NsrunOptions, system: SystemContext, helper: string): Promise<Attempt> {
  let names: readonly NamespaceName[] = [];
  try {
    const config = normalizeOptions(['true'], options, system);
    names = config.namespaces;
    const result = await runHelper(config, { helper, stdio: ['ignore', 'ignore', 'ignore'], relaySignals: false });
    return result.exitCode === 0 ? { available: true } : { available: false, error: `true exited with status ${result.exitCode}` };
  } catch (error) {
    if (!(error instanceof NsrunError)) throw error;
    const message = error.hint === undefined ? error.message : `${error.message} (${error.hint})`;
    return { available: false, error: message, fix: fixOf(error, names, system) };
  }
}

/** Whether `path` has file capabilities that include CAP_SETUID/CAP_SETGID, asked of getcap(8) when it is there. */
function hasFileCapabilities(path: string): boolean {
  try {
    return /cap_set[ug]id/.test(execFileSync('getcap', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return false;
  }
}

/** The set-user-ID bit of st_mode. */
const S_ISUID = 0o4000;

function mapProgram(program: 'newuidmap' | 'newgidmap', system: SystemContext): MapProgram {
  let path: string;
  try {
    path = findMapProgram(program, system);
  } catch {
    return { path: null, privilege: null };
  }
  const stat = statSync(path);
  if ((stat.mode & S_ISUID) !== 0 && stat.uid === 0) return { path, privilege: 'setuid' };
  return { path, privilege: hasFileCapabilities(path) ? 'capabilities' : 'none' };
}

/** The caller's subordinate range, or how to add one. */
function range(kind: 'uid' | 'gid', system: SystemContext): { readonly found: SubordinateRange | null; readonly fix?: string | undefined } {
  try {
    return { found: subordinateRange(kind, system) };
  } catch (error) {
    if (!(error instanceof NsrunError)) throw error;
    return { found: null, fix: error.hint };
  }
}

/** Magic numbers of statfs(2) (linux/magic.h). */
const CGROUP2_SUPER_MAGIC = 0x63677270;
const CGROUP_SUPER_MAGIC = 0x27e0eb;
const TMPFS_MAGIC = 0x01021994;

function filesystemType(path: string): number | undefined {
  try {
    return statfsSync(path).type;
  } catch {
    return undefined;
  }
}

/** v2 when /sys/fs/cgroup is cgroup2; hybrid when v1 controllers sit beside a cgroup2 `unified`; v1 otherwise. */
function cgroupVersion(): CgroupVersion {
  const top = filesystemType('/sys/fs/cgroup');
  if (top === CGROUP2_SUPER_MAGIC) return 'v2';
  if (top === CGROUP_SUPER_MAGIC) return 'v1';
  if (top !== TMPFS_MAGIC) return 'none';
  return filesystemType('/sys/fs/cgroup/unified') === CGROUP2_SUPER_MAGIC ? 'hybrid' : 'v1';
}

async function helperFacts(path: string, system: SystemContext): Promise<DoctorReport['helper']> {
  try {
    accessSync(path, constants.X_OK);
    const elf = readElf(path) ?? null;
    const libc = elf === null ? null : elf.gnuAbiTag ? 'glibc' : 'musl';
    return { path, found: statSync(path).isFile(), elf, libc, bytes: statSync(path).size, residentKb: await residentWhileWaiting(path, system) };
  } catch {
    return { path, found: false, elf: null, libc: null, bytes: null, residentKb: null };
  }
}

/** VmRSS of the helper while its command, `sleep`, runs in a new UTS namespace; null when that sandbox cannot start. */
function residentWhileWaiting(helper: string, system: SystemContext): Promise<number | null> {
  const config = normalizeOptions(['sleep', '60'], { flags: ['uts'] }, system);
  let resident: number | null = null;
  return new Promise((resolve) => {
    const sandbox = startHelper(config, {
      helper,
      stdio: ['ignore', 'ignore', 'ignore'],
      relaySignals: false,
      onReady: () => {
        resident = residentKb(sandbox.child.pid);
        sandbox.stop();
      },
    });
    sandbox.result.then(
      () => resolve(resident),
      () => resolve(null),
    );
  });
}

/** VmRSS of a process, in kB; null when it is gone. */
function residentKb(pid: number | undefined): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb);
  } catch {
    return null;
  }
}

/** A size in kB, as doctor prints it. */
const kB = (bytes: number): string => `${Math.round(bytes / 1024)} kB`;

/** The kernel release's major and minor numbers. */
function kernelVersion(text: string): [number, number] {
  const [major = 0, minor = 0] = (/^(\d+)\.(\d+)/.exec(text) ?? []).slice(1).map(Number);
  return [major, minor];
}

/** The oldest kernel nsrun is made for (README). */
const KERNEL_MINIMUM: readonly [number, number] = [5, 11];

/** The checklist drawn from the facts. */
function checklist(report: Omit<DoctorReport, 'checks' | 'ok'>, arch: string, rangeFixes: Readonly<Record<'uid' | 'gid', string | undefined>>): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const add = (name: string, status: CheckStatus, detail: string, fix?: string): void => {
    checks.push({ name, status, detail, ...(fix === undefined ? {} : { fix }) });
  };
  const [major, minor] = kernelVersion(report.kernel);
  const recent = major > KERNEL_MINIMUM[0] || (major === KERNEL_MINIMUM[0] && minor >= KERNEL_MINIMUM[1]);
  add('kernel', recent ? 'ok' : 'warning', `Linux ${report.kernel}`, recent ? undefined : `nsrun is made for Linux ${KERNEL_MINIMUM.join('.')} or later; upgrade the kernel`);

  const { helper } = report;
  const rebuild = helperHint();
  if (!helper.found) add('helper', 'problem', `${helper.path} is missing or not executable`, rebuild);
  else if (helper.elf === null) add('helper', 'problem', `${helper.path} is not an ELF executable`, rebuild);
  else if (helper.elf.architecture !== arch) add('helper', 'problem', `${helper.path} is built for ${helper.elf.architecture}, this machine is ${arch}`, rebuild);
  else if (helper.elf.interpreter) add('helper', 'warning', `${helper.path} is dynamically linked`, `build it static: ${rebuild}`);
  else {
    const resident = helper.residentKb === null ? '' : `, ${helper.residentKb} kB resident per running sandbox`;
    const detail = `${helper.path} (static, ${helper.elf.architecture}, ${helper.libc}: ${kB(helper.bytes ?? 0)}${resident})`;
    if (helper.libc === 'musl') add('helper', 'ok', detail);
    else add('helper', 'warning', detail, 'link it with musl, about 7 times smaller and a fifth of the memory: install musl-tools (apt-get install musl-tools), then run make');
  }

  const privileged = report.uid === 0;
  const sysctls = report.userNamespaceSysctls;
  // A sysctl at 0 refuses user namespaces: a problem for an unprivileged user, a warning for root.
  const refusedAtZero = (name: keyof typeof sysctls, meaning: string, fix: string): void => {
    const value = sysctls[name];
    if (value === null) return;
    const zero = value === 0;
    add(name, zero ? (privileged ? 'warning' : 'problem') : 'ok', zero ? `0: ${meaning}` : String(value), zero ? fix : undefined);
  };
  refusedAtZero('kernel.unprivileged_userns_clone', 'only privileged users may create user namespaces', 'sysctl -w kernel.unprivileged_userns_clone=1');
  const apparmor = sysctls['kernel.apparmor_restrict_unprivileged_userns'];
  if (apparmor !== null) {
    const restricted = apparmor === 1 && !privileged;
    const allowed = report.namespaces.user.available;
    add(
      'kernel.apparmor_restrict_unprivileged_userns',
      restricted && !allowed ? 'problem' : 'ok',
      restricted ? `1: AppArmor restricts unprivileged user namespaces${allowed ? ', yet they can be created here' : ''}` : String(apparmor),
      restricted && !allowed ? 'an AppArmor profile for the helper that allows userns, or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' : undefined,
    );
  }
  refusedAtZero('user.max_user_namespaces', 'no user namespace may be created', 'sysctl -w user.max_user_namespaces=15000');

  for (const kind of NAMESPACES) {
    const tried = report.namespaces[kind.name];
    const alone = privileged || kind.name === 'user' ? '' : ' (in a new user namespace)';
    add(kind.title, tried.available ? 'ok' : 'problem', tried.available ? `created${alone}` : (tried.error ?? 'cannot be created'), tried.available ? undefined : tried.fix);
  }
  const run = report.defaultRun;
  add(
    'nsrun run',
    run.available ? 'ok' : 'problem',
    `${run.available ? 'works' : (run.error ?? 'fails')} (namespaces ${run.namespaces.join(', ')})`,
    run.available ? undefined : (run.fix ?? 'choose fewer namespaces with --flags'),
  );

  const mapping = report.idMapping;
  for (const [program, found] of [['newuidmap', mapping.newuidmap], ['newgidmap', mapping.newgidmap]] as const) {
    if (found.path === null) add(program, 'warning', 'not found on PATH (needed by --map auto without root)', 'install the uidmap package');
    else if (found.privilege === 'none') add(program, 'warning', `${found.path} is neither setuid root nor has file capabilities`, `chmod u+s ${found.path} (as root), or setcap cap_setuid,cap_setgid+ep ${found.path}`);
    else add(program, 'ok', `${found.path} (${found.privilege === 'setuid' ? 'setuid root' : 'file capabilities'})`);
  }
  for (const [kind, found] of [['uid', mapping.subuid], ['gid', mapping.subgid]] as const) {
    const file = `/etc/sub${kind}`;
    if (found === null) add(file, 'warning', `no range for uid ${report.uid} (needed by --map auto)`, rangeFixes[kind]);
    else add(file, 'ok', `${found.count} ids from ${found.start}`);
  }
  const cgroups: Readonly<Record<CgroupVersion, string>> = {
    v2: 'cgroup v2 (unified)',
    hybrid: 'cgroup v1 controllers, with cgroup v2 on /sys/fs/cgroup/unified (hybrid)',
    v1: 'cgroup v1',
    none: 'no cgroup hierarchy on /sys/fs/cgroup',
  };
  add('cgroup', report.cgroup === 'none' ? 'warning' : 'ok', cgroups[report.cgroup], report.cgroup === 'none' ? 'mount cgroup2 on /sys/fs/cgroup' : undefined);

  const { network } = report;
  add(
    '/dev/net/tun',
    network.tun ? 'ok' : 'warning',
    network.tun ? `readable and writable by uid ${report.uid}` : `uid ${report.uid} cannot open it: --network pasta and slirp4netns fail`,
    network.tun ? undefined : 'chmod 0666 /dev/net/tun (as root; the mode most distributions ship)',
  );
  for (const backend of BACKENDS) {
    const found = network.backends[backend];
    if (found.path === null) add(backend, 'warning', `not installed (needed by --network ${backend})`, `install the ${BACKEND_PACKAGES[backend]} package`);
    else add(backend, found.available ? 'ok' : 'warning', found.available ? `${found.path} (works for uid ${report.uid})` : `${found.path}: ${found.error ?? 'fails'}`, found.fix);
  }
  const start = network.unprivilegedPortStart;
  if (start !== null) {
    add('net.ipv4.ip_unprivileged_port_start', 'ok', privileged || start === 0 ? String(start) : `${start}: without root, --publish takes host ports from ${start}`);
  }
  return checks;
}

/** Finds out what this machine allows nsrun, trying every namespace type. */
export async function doctor(options: { readonly helper?: string } = {}): Promise<DoctorReport> {
  const system = processContext();
  const helper = options.helper ?? helperPath();
  const defaultNamespaces = normalizeOptions(['true'], {}, system).namespaces;
  const [defaultRun, ...tried] = await Promise.all([
    attempt({ flags: DEFAULTS.flags }, system, helper),
    ...NAMESPACES.map((kind) => attempt({ flags: [kind.name] }, system, helper)),
  ]);
  const backends = await Promise.all(
    BACKENDS.map(async (backend) => {
      const path = findProgram(backend, system) ?? null;
      return { path, ...(path === null ? { available: false } : await attempt({ network: backend }, system, helper)) };
    }),
  );
  const namespaces = Object.fromEntries(NAMESPACES.map((kind, i) => [kind.name, tried[i] ?? { available: false }])) as Record<NamespaceName, Attempt>;
  const subuid = range('uid', system);
  const subgid = range('gid', system);
  const facts = {
    uid: system.euid,
    kernel: release(),
    helper: await helperFacts(helper, system),
    namespaces,
    defaultRun: { ...(defaultRun ?? { available: false }), namespaces: defaultNamespaces },
    userNamespaceSysctls: {
      'kernel.unprivileged_userns_clone': readSysctl(system, 'kernel.unprivileged_userns_clone'),
      'kernel.apparmor_restrict_unprivileged_userns': readSysctl(system, 'kernel.apparmor_restrict_unprivileged_userns'),
      'user.max_user_namespaces': readSysctl(system, 'user.max_user_namespaces'),
    },
    idMapping: {
      newuidmap: mapProgram('newuidmap', system),
      newgidmap: mapProgram('newgidmap', system),
      subuid: subuid.found,
      subgid: subgid.found,
    },
    cgroup: cgroupVersion(),
    network: {
      backends: Object.fromEntries(BACKENDS.map((backend, i) => [backend, backends[i] ?? { path: null, available: false }])) as Record<Backend, { path: string | null } & Attempt>,
      tun: tunUsable(),
      unprivilegedPortStart: readSysctl(system, 'net.ipv4.ip_unprivileged_port_start'),
    },
  };
  return { ok: facts.defaultRun.available, ...facts, checks: checklist(facts, arch(), { uid: subuid.fix, gid: subgid.fix }) };
}
