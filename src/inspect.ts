/**
 * Inspection of the machine's namespaces, read from /proc: `nsrun ls` (as lsns), `nsrun inspect`
 * (the comparison of /proc/PID/ns links), `nsrun limits`, and the hierarchy that the helper's
 * ioctl_ns queries tell (`nsrun ls --tree`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { EXIT, invalidValue, NsrunError, usageError } from './errors.js';
import { runHelperOnce } from './helper-once.js';
import { listSandboxes, namespaceInode } from './keep.js';
import { NAMESPACES, sysctlPath, type NamespaceName } from './namespaces.js';
import { processContext, type SystemContext } from './system.js';

/**
 * The kernel numbers the namespaces it makes at boot below this inode, and every later one
 * from it up (PROC_DYNAMIC_FIRST in fs/proc/generic.c): an inode below it is an initial namespace.
 */
export const FIRST_DYNAMIC_INODE = 0xf0000000;

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

/** A namespace with those it relates to under `--tree`. */
export interface NamespaceNode extends NamespaceRow {
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

/** Whether `inode` is an initial namespace: numbered below the dynamic range, or pid 1's when it is readable. */
function isInitial(type: NamespaceName, inode: number): boolean {
  return inode < FIRST_DYNAMIC_INODE || namespaceInode(`/proc/1/ns/${type}`) === inode;
}

/** The kept sandbox of each namespace (by `type:inode`). */
function keptNames(system: SystemContext): Map<string, string> {
  const names = new Map<string, string>();
  for (const sandbox of listSandboxes(system)) {
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

/** What the helper's query says of one namespace file. */
interface Relations {
  readonly parent: number | null;
  readonly owner: number | null;
}

/** Asks the helper for the parent and owner of each row's namespace (ioctl_ns NS_GET_PARENT, NS_GET_USERNS). */
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
    if (line['type'] === undefined) continue; // a process that exited before the query
    relations.set(`${String(line['type'])}:${String(line['ns'])}`, { parent: inode(line['parent']), owner: inode(line['owner']) });
  }
  return relations;
}

/**
 * The namespaces as trees: with `parent`, pid and user namespaces under their parents
 * (NS_GET_PARENT); with `owner`, every namespace under the user namespace that owns it and
 * user namespaces under their parents (NS_GET_USERNS). A namespace whose parent the caller
 * cannot see is a root.
 */
export async function namespaceTree(relation: TreeRelation, options: ListOptions = {}, system: SystemContext = processContext()): Promise<NamespaceNode[]> {
  const hierarchical: readonly NamespaceName[] = ['pid', 'user'];
  const all = await listNamespaces({}, system);
  // under `owner` the user namespaces are the skeleton of the tree, whatever the type shown
  const shown = all.filter((r) =>
    relation === 'owner'
      ? options.type === undefined || r.type === options.type || r.type === 'user'
      : hierarchical.includes(r.type) && (options.type === undefined || r.type === options.type),
  );
  const relations = await relationsOf(shown);
  const parentOf = (r: NamespaceRow): string | undefined => {
    const rel = relations.get(`${r.type}:${r.ns}`);
    const up = relation === 'owner' && r.type !== 'user' ? rel?.owner : rel?.parent;
    return up === null || up === undefined ? undefined : `${relation === 'owner' ? 'user' : r.type}:${up}`;
  };
  const present = new Set(shown.map((r) => `${r.type}:${r.ns}`));
  const build = (r: NamespaceRow): NamespaceNode => {
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
  /** Whether every process is in the same namespace; null when one cannot be read. */
  readonly shared: boolean | null;
}

/**
 * For each namespace type, the namespace each of `pids` is in, whether they all share it, and
 * whether it is the host's initial one: the seeds' comparison of `ls -l /proc/PID/ns`.
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
  return TYPES.map((type) => {
    const processes = pids.map((pid) => {
      const ns = namespaceInode(`/proc/${pid}/ns/${type}`) ?? null;
      return { pid, ns, initial: ns === null ? null : isInitial(type, ns) };
    });
    const first = processes[0]?.ns ?? null;
    const shared = processes.some((p) => p.ns === null) ? null : processes.every((p) => p.ns === first);
    return { type, processes, shared };
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
