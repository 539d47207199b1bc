/** `nsrun exec`: the config that runs a command inside the namespaces of a running process. */
import { readFileSync, readlinkSync } from 'node:fs';
import { fullCapabilities, narrowedCapabilities } from './capabilities.js';
import type { HelperConfig } from './config.js';
import { invalidValue } from './errors.js';
import type { SandboxLimits } from './keep.js';
import { parseFlags, type NamespaceName } from './namespaces.js';
import { normalizeOptions } from './options.js';
import { processContext, type SystemContext } from './system.js';

/** How a command joins a running process. */
export interface JoinOptions {
  /**
   * The namespaces to enter: a `--flags` list (`uts,pid,ns`, `all`) or contract names.
   * @default every namespace of the target that differs from nsrun's own
   */
  readonly flags?: string | readonly NamespaceName[];
  /**
   * The command's working directory, an absolute path inside the target's mount namespace.
   * @default the target's, when its mount namespace is entered; else the caller's
   */
  readonly cwd?: string;
  /**
   * Environment variables to set on top of the caller's, as a record or as `KEY=VALUE` entries.
   * @default none
   */
  readonly env?: Readonly<Record<string, string>> | readonly string[];
  /**
   * Start the command with only the variables of `env`, not the caller's environment.
   * @default false
   */
  readonly clearEnv?: boolean;
  /**
   * Capabilities to drop from those the command would keep, comma lists of names or `all`.
   * @default none
   */
  readonly capDrop?: readonly string[];
  /**
   * Capabilities to keep after `capDrop`: only those the command would keep anyway.
   * @default none
   */
  readonly capAdd?: readonly string[];
}

/** What a joined command is held to, and whose limits they are (for messages). */
export interface JoinLimits {
  readonly limits: SandboxLimits;
  readonly where: string;
}

/** Validates a process id given as a number or a decimal string. */
export function validatePid(option: string, value: number | string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1) {
    throw invalidValue(option, value, 'expected a process id, an integer from 1 to 2147483647');
  }
  return n;
}

/** The uid inside its user namespace of process `pid`, from outside (as the helper reads it); undefined when unknown. */
function insideUid(pid: number): number | undefined {
  try {
    const uid = Number(/\nUid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    for (const line of readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split('\n')) {
      const [inside, outside, count] = line.trim().split(/\s+/).map(Number) as [number, number, number];
      if (uid >= outside && uid < outside + count) return inside + (uid - outside);
    }
  } catch {
    // gone or not ours: the helper says which when it joins
  }
  return undefined;
}

/** The uid the joined command runs as: `uid`, else the target's when its user namespace is entered, else the caller's. */
function joinedUid(pid: number, namespaces: readonly NamespaceName[] | undefined, uid: number | undefined, system: SystemContext): number | undefined {
  if (uid !== undefined) return uid;
  const differs = (): boolean => {
    try {
      return readlinkSync(`/proc/${pid}/ns/user`) !== readlinkSync('/proc/self/ns/user');
    } catch {
      return false;
    }
  };
  return (namespaces === undefined ? differs() : namespaces.includes('user')) ? insideUid(pid) : system.euid;
}

/**
 * The helper config that runs `command` in the namespaces of process `pid` (docs/contract.md,
 * member `join`): the command keeps nsrun's environment (unless `clearEnv`) plus `env`, and is
 * held to `held`, the recorded limits of a kept sandbox, or else to nsrun's hardening with the
 * caller's capabilities (as with nsenter); it takes the target's ids when it enters the target's
 * user namespace and the limits name none. `capDrop` and `capAdd` narrow the capabilities it
 * would keep; one it would not keep cannot be added (a usage error).
 */
export function joinConfig(
  pid: number,
  command: readonly string[],
  options: JoinOptions = {},
  system: SystemContext = processContext(),
  held: JoinLimits = { limits: { 'no-new-privs': true }, where: `process ${pid}` },
): HelperConfig {
  const { limits } = held;
  if (options.cwd !== undefined && !options.cwd.startsWith('/')) {
    throw invalidValue('--cwd', options.cwd, 'expected an absolute path inside the target');
  }
  const namespaces = options.flags === undefined ? undefined : typeof options.flags === 'string' ? parseFlags(options.flags) : options.flags;
  const base = normalizeOptions(command, { flags: [], env: options.env, clearEnv: options.clearEnv, cwd: options.cwd }, system);
  const narrowed = options.capDrop !== undefined || options.capAdd !== undefined;
  const allowed = (): readonly number[] => limits.capabilities ?? fullCapabilities(joinedUid(pid, namespaces, limits.uid, system) === 0);
  return {
    ...base,
    uid: limits.uid,
    gid: limits.gid,
    'no-new-privs': limits['no-new-privs'],
    capabilities: narrowed ? narrowedCapabilities(allowed(), options.capDrop, options.capAdd, held.where) : limits.capabilities,
    join: namespaces === undefined ? { pid } : { pid, namespaces },
  };
}
