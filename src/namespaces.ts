/** The namespace kinds nsrun can create, and how each is named in every place that names it. */
import { usageError } from './errors.js';

/** A namespace kind as the helper contract names it (also its file in /proc/self/ns). */
export type NamespaceName = 'uts' | 'ipc' | 'pid' | 'mnt' | 'net' | 'user' | 'cgroup' | 'time';

/** A word `--flags` accepts, as the API's `flags` array takes it: a contract name, `ns` or `mount` for `mnt`, or `all` alone. */
export type FlagWord = NamespaceName | 'ns' | 'mount' | 'all';

/** One namespace kind. */
export interface NamespaceKind {
  /** The contract name. */
  readonly name: NamespaceName;
  /** The words `--flags` accepts for it; the first is the one help shows. */
  readonly words: readonly string[];
  /** Its file in /proc/self/ns. */
  readonly procFile: string;
  /** The sysctl that limits how many of them a user may create. */
  readonly limit: string;
  /** How messages speak of it. */
  readonly title: string;
}

/** Every namespace kind, in the order `--flags` lists them. */
export const NAMESPACES: readonly NamespaceKind[] = [
  { name: 'uts', words: ['uts'], procFile: 'uts', limit: 'user.max_uts_namespaces', title: 'UTS namespace' },
  { name: 'ipc', words: ['ipc'], procFile: 'ipc', limit: 'user.max_ipc_namespaces', title: 'IPC namespace' },
  { name: 'pid', words: ['pid'], procFile: 'pid', limit: 'user.max_pid_namespaces', title: 'PID namespace' },
  { name: 'mnt', words: ['ns', 'mnt', 'mount'], procFile: 'mnt', limit: 'user.max_mnt_namespaces', title: 'mount namespace' },
  { name: 'net', words: ['net'], procFile: 'net', limit: 'user.max_net_namespaces', title: 'network namespace' },
  { name: 'user', words: ['user'], procFile: 'user', limit: 'user.max_user_namespaces', title: 'user namespace' },
  { name: 'cgroup', words: ['cgroup'], procFile: 'cgroup', limit: 'user.max_cgroup_namespaces', title: 'cgroup namespace' },
  { name: 'time', words: ['time'], procFile: 'time', limit: 'user.max_time_namespaces', title: 'time namespace' },
];

/** The `--flags` word that selects every namespace kind. */
const ALL = 'all';

/** The kind named `name`. */
export function namespaceKind(name: NamespaceName): NamespaceKind {
  const kind = NAMESPACES.find((k) => k.name === name);
  if (kind === undefined) throw new TypeError(`unknown namespace kind ${name}`);
  return kind;
}

/** The path in /proc/sys of a sysctl such as `user.max_user_namespaces`. */
export function sysctlPath(sysctl: string): string {
  return `/proc/sys/${sysctl.replaceAll('.', '/')}`;
}

/** Puts names in table order, without duplicates. */
export function sortNamespaces(names: Iterable<NamespaceName>): NamespaceName[] {
  const wanted = new Set(names);
  return NAMESPACES.filter((k) => wanted.has(k.name)).map((k) => k.name);
}

/**
 * Reads a `--flags` value such as `uts,pid,ns` (or `all`) into contract names, in table order.
 * Throws a usage error naming a word it does not know.
 */
export function parseFlags(flags: string): NamespaceName[] {
  const names: NamespaceName[] = [];
  const words = flags.split(',');
  for (const word of words) {
    if (word === ALL && words.length === 1) return NAMESPACES.map((k) => k.name);
    if (word === ALL) throw usageError(`--flags '${flags}': all stands alone`);
    const kind = NAMESPACES.find((k) => k.words.includes(word));
    if (kind === undefined) {
      const valid = [...NAMESPACES.flatMap((k) => k.words), ALL].join(', ');
      const what = word === '' ? `--flags '${flags}' has an empty namespace name` : `unknown namespace '${word}' in --flags`;
      throw usageError(`${what}; valid names: ${valid}`);
    }
    const same = words.filter((other) => kind.words.includes(other));
    if (same.length > 1) throw usageError(`--flags '${flags}' names the ${kind.title} more than once (${same.join(', ')})`);
    names.push(kind.name);
  }
  return sortNamespaces(names);
}
