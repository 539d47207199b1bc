/**
 * Inspection of the machine's namespaces, read from /proc: `nsrun ls` (as lsns), `nsrun inspect`
 * (the comparison of /proc/PID/ns links), `nsrun limits`, and the hierarchy that the helper's
 * ioctl_ns queries tell (`nsrun ls --tree`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { EXIT, invalidValue, NsrunError, usageError } from './errors.js';
import { runHelperOnce } from './helper-once.js';
import { listSandboxes, namespaceInode, type KeptSandbox } from './keep.js';
import { NAMESPACES, sysctlPath, type NamespaceName } from './namespaces.js';
import { processContext, type SystemContext } from './system.js';

/**
 * The inode of each initial namespace, the one the kernel makes at boot: PROC_*_INIT_INO of
 * include/linux/proc_ns.h (enum init_ns_ino in linux/nsfs.h), fixed since Linux 3.8 for ipc, uts,
 * user and pid, since their introduction for cgroup (4.6) and time (5.6), and since 6.18 for net
 * and mnt. Every other namespace is numbered from 0xF0000000 up (PROC_DYNAMIC_FIRST), so no other
 * can have these inodes, whichever namespaces the reader is in.
 */
export const INITIAL_INODES: Readonly<Record<NamespaceName, number>> = {
  ipc: 0xefffffff,
  uts: 0xeffffffe,
  user: 0xeffffffd,
  pid: 0xeffffffc,
  cgroup: 0xeffffffb,
  time: 0xeffffffa,
  net: 0xeffffff9,
  mnt: 0xeffffff8,
};

/** PF_KTHREAD, the flag of a kernel thread in /proc/PID/stat. */
const KERNEL_THREAD = 0x00200000;

/** One namespace, as a row of `nsrun ls`: lsns's columns, then nsrun's own. */
export interface NamespaceRow {
  /** Its inode. */
  readonly ns: number;
  readonly type: NamespaceName;
  /** How many of the processes the caller may inspect are in it. */
  readonly nprocs: number;
  /** The lowest of their pids. */
  readonly pid: number;
  /** The owner of that process, by name (its uid when it has none). */
  readonly user: string;
  /** Its command line (its name in brackets for a kernel thread). */
  readonly command: string;
  /** The owner's uid. */
  readonly uid: number;
  /** Whether it is an initial namespace of the kernel (the host's). */
  readonly initial: boolean;
  /** The kept sandbox it belongs to (`nsrun run --name`), if any. */
  readonly name: string | null;
}

/** What `listNamespaces` lists. */
export interface ListOptions {
  /**
   * Only namespaces of this type.
   * @default every type
   */
  readonly type?: NamespaceName;
}

/**
 * A namespace with those it relates to under `--tree`. A namespace no process is in, which the
 * tree shows because it is the parent or owner of one (as lsns does), has `nprocs` 0 and null
 * `pid`, `command` and, but for a user namespace (whose creator's uid the kernel tells), `user`
 * and `uid`.
 */
export interface NamespaceNode extends Omit<NamespaceRow, 'pid' | 'user' | 'command' | 'uid'> {
  readonly pid: number | null;
  readonly user: string | null;
  readonly command: string | null;
  readonly uid: number | null;
  /** The inode of its parent (`parent`) or of its owning user namespace (`owner`); null when the kernel does not tell. */
  readonly parentNs: number | null;
  readonly children: readonly NamespaceNode[];
}

/** How `--tree` relates namespaces: pid and user namespaces to their parent, or each namespace to the user namespace that owns it. */
export type TreeRelation = 'parent' | 'owner';

/** Each namespace type in the order nsrun lists them. */
const TYPES: readonly NamespaceName[] = NAMESPACES.map((k) => k.name);

/** Validates a namespace type name (`--type`). */
export function validateType(value: string): NamespaceName {
  const type = TYPES.find((t) => t === value);
  if (type === undefined) throw invalidValue('--type', value, `expected one of ${TYPES.join(', ')}`);
  return type;
}

/** The pids of /proc, ascending. */
function processIds(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .sort((a, b) => a - b);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** User names by uid, from /etc/passwd. */
function userNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of (readText('/etc/passwd') ?? '').split('\n')) {
    const [name, , uid] = line.split(':');
    if (name !== undefined && uid !== undefined && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  return names;
}

/** A process's command line with spaces for NULs, or its name when it has none (a kernel thread), as lsns shows it. */
function commandOf(pid: number): string {
  const cmdline = readText(`/proc/${pid}/cmdline`) ?? '';
  if (cmdline !== '') return cmdline.replace(/\0$/, '').replaceAll('\0', ' ');
  return (readText(`/proc/${pid}/comm`) ?? '').trim();
}

/**
 * The namespace of kthreadd (pid 2), which kernel threads share with the boot (init_nsproxy);
 * undefined where pid 2 is no kernel thread (/proc shows another pid namespace than the initial
 * one, where no kernel thread is) or its links cannot be read (without root).
 */
function kernelThreadNamespace(type: NamespaceName): number | undefined {
  const stat = readText('/proc/2/stat') ?? '';
  const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
  return Number.isInteger(flags) && (flags & KERNEL_THREAD) !== 0 ? namespaceInode(`/proc/2/ns/${type}`) : undefined;
}

/**
 * Whether `inode` is an initial namespace (the host's): the type's fixed inode, or for mnt and
 * net, whose initial inode is fixed only since Linux 6.18, the kernel threads' namespace.
 */
function isInitial(type: NamespaceName, inode: number): boolean {
  if (inode === INITIAL_INODES[type]) return true;
  return (type === 'mnt' || type === 'net') && inode === kernelThreadNamespace(type);
}

/** The uids named by the directories under `dir` that match `pattern` (its first group). */
function uidsIn(dir: string, pattern: RegExp): number[] {
  try {
    return readdirSync(dir).flatMap((entry) => {
      const uid = pattern.exec(entry)?.[1];
      return uid === undefined ? [] : [Number(uid)];
    });
  } catch {
    return [];
  }
}

/** The uid of a process, or undefined once it is gone. */
function processOwner(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/**
 * The running kept sandboxes the caller may name: its own, and as root every other user's, from
 * the state dirs that user's nsrun uses (`/tmp/nsrun-UID`, and `$XDG_RUNTIME_DIR/nsrun` for the
 * runtime dir `/run/user/UID`). listSandboxes takes a dir only when it is that uid's, closed to
 * others, and a sandbox only when its holder holds the namespaces it records; another user's
 * holder must also run as that user, so no record can name someone else's namespaces. A dir
 * refused names nothing: the names are a column of the listing, which goes on without them.
 */
function keptSandboxes(system: SystemContext): KeptSandbox[] {
  const running = (context: SystemContext): KeptSandbox[] => {
    try {
      return listSandboxes(context).filter((s) => s.running);
    } catch {
      return []; // a dir that is not that user's, or open to others (inside a sandbox: the host's /run/nsrun)
    }
  };
  const own = running(system);
  if (system.euid !== 0) return own;
  const uids = new Set([...uidsIn('/tmp', /^nsrun-(\d+)$/), ...uidsIn('/run/user', /^(\d+)$/)].filter((uid) => uid !== 0));
  const dirs = new Set(own.map((s) => s.dir));
  const others = [...uids].flatMap((uid) =>
    [{ XDG_RUNTIME_DIR: `/run/user/${uid}` }, {}].flatMap((env) => running({ ...system, euid: uid, env }).filter((s) => processOwner(s.holder) === uid)),
  );
  return [...own, ...others.filter((s) => !dirs.has(s.dir) && dirs.add(s.dir))];
}

/** The kept sandbox of each namespace (by `type:inode`). */
function keptNames(system: SystemContext): Map<string, string> {
  const names = new Map<string, string>();
  for (const sandbox of keptSandboxes(system)) {
    for (const [type, inode] of Object.entries(sandbox.namespaces)) names.set(`${type}:${inode}`, sandbox.name);
  }
  return names;
}

/**
 * Every namespace the caller can see a process in, one row each, ordered by inode as lsns
 * orders them. Processes whose namespace links the caller may not read (another user's, for
 * an unprivileged caller) are left out, as lsns leaves them out; a process that exits
 * meanwhile is skipped.
 */
export async function listNamespaces(options: ListOptions = {}, system: SystemContext = processContext()): Promise<NamespaceRow[]> {
  const types = options.type === undefined ? TYPES : [options.type];
  const found = new Map<string, { type: NamespaceName; ns: number; pids: number[] }>();
  for (const pid of processIds()) {
    for (const type of types) {
      const ns = namespaceInode(`/proc/${pid}/ns/${type}`);
      if (ns === undefined) continue;
      const key = `${type}:${ns}`;
      const entry = found.get(key) ?? { type, ns, pids: [] };
      entry.pids.push(pid);
      found.set(key, entry);
    }
  }
  const names = userNames();
  const kept = keptNames(system);
  const rows: NamespaceRow[] = [];
  for (const [key, { type, ns, pids }] of found) {
    const pid = pids[0] ?? 0;
    let uid: number;
    try {
      uid = statSync(`/proc/${pid}`).uid;
    } catch {
      continue; // it exited meanwhile
    }
    rows.push({
      ns,
      type,
      nprocs: pids.length,
      pid,
      user: names.get(uid) ?? String(uid),
      command: commandOf(pid),
      uid,
      initial: isInitial(type, ns),
      name: kept.get(key) ?? null,
    });
  }
  return rows.sort((a, b) => a.ns - b.ns);
}

/** What the helper's query says of one namespace. */
interface Relations {
  readonly type: NamespaceName;
  readonly ns: number;
  readonly parent: number | null;
  readonly owner: number | null;
  /** A user namespace's creator (NS_GET_OWNER_UID). */
  readonly ownerUid: number | null;
}

/**
 * Asks the helper for the parent and owner of each row's namespace (ioctl_ns NS_GET_PARENT,
 * NS_GET_USERNS), and of every namespace above them up to the top the caller may see, by `type:inode`.
 */
async function relationsOf(rows: readonly NamespaceRow[]): Promise<Map<string, Relations>> {
  const relations = new Map<string, Relations>();
  if (rows.length === 0) return relations;
  const output = await runHelperOnce({ version: 1, query: rows.map((r) => `/proc/${r.pid}/ns/${r.type}`) });
  const failure = output.lines.find((line) => 'error' in line);
  if (failure !== undefined || output.exitCode !== 0) {
    throw new NsrunError('the helper cannot query the namespaces', { step: 'helper', exitCode: EXIT.setup, hint: 'nsrun and its helper may be out of step; run `make`' });
  }
  const inode = (v: unknown): number | null => (Number.isInteger(v) ? Number(v) : null);
  for (const line of output.lines) {
    const type = TYPES.find((t) => t === line['type']);
    const ns = inode(line['ns']);
    if (type === undefined || ns === null) continue; // a process that exited before the query
    relations.set(`${type}:${ns}`, { type, ns, parent: inode(line['parent']), owner: inode(line['owner']), ownerUid: inode(line['owner-uid']) });
  }
  return relations;
}

/** A namespace that no process is in, shown as the parent or owner of one (lsns's NPROCS 0). */
function emptyNamespace(rel: Relations, names: ReadonlyMap<number, string>, kept: ReadonlyMap<string, string>): Omit<NamespaceNode, 'parentNs' | 'children'> {
  return {
    ns: rel.ns,
    type: rel.type,
    nprocs: 0,
    pid: null,
    user: rel.ownerUid === null ? null : (names.get(rel.ownerUid) ?? String(rel.ownerUid)),
    command: null,
    uid: rel.ownerUid,
    initial: isInitial(rel.type, rel.ns),
    name: kept.get(`${rel.type}:${rel.ns}`) ?? null,
  };
}

/**
 * The namespaces as trees: with `parent`, pid and user namespaces under their parents
 * (NS_GET_PARENT); with `owner`, every namespace under the user namespace that owns it and
 * user namespaces under their parents (NS_GET_USERNS). Every namespace on the way up is shown,
 * with 0 processes where no process is in it, as lsns shows it; the top is the first namespace
 * whose parent the kernel does not tell the caller (the initial one, or inside a sandbox the
 * sandbox's own).
 */
export async function namespaceTree(relation: TreeRelation, options: ListOptions = {}, system: SystemContext = processContext()): Promise<NamespaceNode[]> {
  const hierarchical: readonly NamespaceName[] = ['pid', 'user'];
  // under `owner` the user namespaces are the skeleton of the tree, whatever the type shown
  const isShown = (type: NamespaceName): boolean =>
    relation === 'owner'
      ? options.type === undefined || type === options.type || type === 'user'
      : hierarchical.includes(type) && (options.type === undefined || type === options.type);
  const withProcesses = (await listNamespaces({}, system)).filter((r) => isShown(r.type));
  const relations = await relationsOf(withProcesses);
  const present = new Set(withProcesses.map((r) => `${r.type}:${r.ns}`));
  const names = userNames();
  const kept = keptNames(system);
  const empty = [...relations.entries()].filter(([key, rel]) => !present.has(key) && isShown(rel.type)).map(([, rel]) => emptyNamespace(rel, names, kept));
  const shown = [...withProcesses, ...empty].sort((a, b) => a.ns - b.ns);
  for (const r of empty) present.add(`${r.type}:${r.ns}`);
  const parentOf = (r: Pick<NamespaceRow, 'type' | 'ns'>): string | undefined => {
    const rel = relations.get(`${r.type}:${r.ns}`);
    const up = relation === 'owner' && r.type !== 'user' ? rel?.owner : rel?.parent;
    return up === null || up === undefined ? undefined : `${relation === 'owner' ? 'user' : r.type}:${up}`;
  };
  const build = (r: (typeof shown)[number]): NamespaceNode => {
    const key = `${r.type}:${r.ns}`;
    const up = parentOf(r);
    return {
      ...r,
      parentNs: up === undefined ? null : Number(up.split(':')[1]),
      children: shown.filter((c) => parentOf(c) === key).map(build),
    };
  };
  return shown.filter((r) => {
    const up = parentOf(r);
    return up === undefined || !present.has(up);
  }).map(build);
}

/** One process's namespace of one type, as `nsrun inspect` compares them. */
export interface ProcessNamespace {
  readonly pid: number;
  /** Its inode; null when the caller may not read it. */
  readonly ns: number | null;
  /** Whether it is an initial namespace (the host's); null when unreadable. */
  readonly initial: boolean | null;
}

/** The comparison of one namespace type across the processes inspected. */
export interface TypeComparison {
  readonly type: NamespaceName;
  readonly processes: readonly ProcessNamespace[];
  /** With one process: the caller's own namespace (/proc/self/ns), which `shared` compares it with. */
  readonly caller?: { readonly ns: number | null; readonly initial: boolean | null };
  /** Whether every process (with one, the process and the caller) is in the same namespace; null when one cannot be read. */
  readonly shared: boolean | null;
}

/**
 * For each namespace type, the namespace each of `pids` is in, whether they all share it, and
 * whether it is the host's initial one: the seeds' comparison of `ls -l /proc/PID/ns`. One
 * process is compared with the caller (`caller`), as `ls -l /proc/PID/ns /proc/self/ns` would.
 * A process that does not exist is a usage error; one the caller may not inspect shows null.
 */
export async function inspect(pids: readonly number[]): Promise<TypeComparison[]> {
  if (pids.length === 0) throw usageError('inspect needs at least one process id');
  for (const pid of pids) {
    try {
      statSync(`/proc/${pid}`);
    } catch {
      throw usageError(`no such process ${pid}`);
    }
  }
  const namespaceOf = (path: string, type: NamespaceName): { ns: number | null; initial: boolean | null } => {
    const ns = namespaceInode(path) ?? null;
    return { ns, initial: ns === null ? null : isInitial(type, ns) };
  };
  return TYPES.map((type) => {
    const processes = pids.map((pid) => ({ pid, ...namespaceOf(`/proc/${pid}/ns/${type}`, type) }));
    const caller = pids.length === 1 ? namespaceOf(`/proc/self/ns/${type}`, type) : undefined;
    const compared = caller === undefined ? processes : [...processes, caller];
    const first = compared[0]?.ns ?? null;
    const shared = compared.some((p) => p.ns === null) ? null : compared.every((p) => p.ns === first);
    return caller === undefined ? { type, processes, shared } : { type, processes, caller, shared };
  });
}

/** One namespace type's limit and use. */
export interface NamespaceLimit {
  readonly type: NamespaceName;
  /** The sysctl, such as `user.max_user_namespaces`. */
  readonly sysctl: string;
  /** Its value: how many namespaces of the type each user may create in each user namespace; null when unreadable. */
  readonly max: number | null;
  /** How many namespaces of the type the caller can see a process in now. */
  readonly count: number;
}

/** Each `/proc/sys/user/max_<type>_namespaces` with how many namespaces of that type exist now (as far as the caller can see). */
export async function namespaceLimits(system: SystemContext = processContext()): Promise<NamespaceLimit[]> {
  const rows = await listNamespaces({}, system);
  return NAMESPACES.map((kind) => {
    const value = system.readFile(sysctlPath(kind.limit))?.trim();
    return {
      type: kind.name,
      sysctl: kind.limit,
      max: value !== undefined && /^\d+$/.test(value) ? Number(value) : null,
      count: rows.filter((r) => r.type === kind.name).length,
    };
  });
}
