/** `nsrun exec`: the config that runs a command inside the namespaces of a running process. */
import type { HelperConfig } from './config.js';
import { invalidValue } from './errors.js';
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
}

/** Validates a process id given as a number or a decimal string. */
export function validatePid(option: string, value: number | string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1) {
    throw invalidValue(option, value, 'expected a process id, an integer from 1 to 2147483647');
  }
  return n;
}

/**
 * The helper config that runs `command` in the namespaces of process `pid` (docs/contract.md,
 * member `join`): the command keeps nsrun's environment (plus `env`) and the hardening of
 * `nsrun run`; it takes the target's ids when it enters the target's user namespace.
 */
export function joinConfig(
  pid: number,
  command: readonly string[],
  options: JoinOptions = {},
  system: SystemContext = processContext(),
): HelperConfig {
  if (options.cwd !== undefined && !options.cwd.startsWith('/')) {
    throw invalidValue('--cwd', options.cwd, 'expected an absolute path inside the target');
  }
  const namespaces = options.flags === undefined ? undefined : typeof options.flags === 'string' ? parseFlags(options.flags) : options.flags;
  const base = normalizeOptions(command, { flags: [], env: options.env, cwd: options.cwd }, system);
  return { ...base, join: namespaces === undefined ? { pid } : { pid, namespaces } };
}
