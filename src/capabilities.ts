/** Linux capabilities by name, and the set a sandbox keeps under --cap-drop and --cap-add. */
import { invalidValue, usageError } from './errors.js';

/** Every capability, by number (capabilities(7)). */
export const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** The capability numbers of a comma list (`NET_ADMIN,cap_sys_time`, or `all`). */
function parseCapabilities(option: '--cap-drop' | '--cap-add', list: string): number[] {
  return list.split(',').flatMap((word) => {
    const name = word.trim().toUpperCase().replace(/^CAP_/, '');
    if (name === 'ALL') return CAPABILITIES.map((_, n) => n);
    const n = CAPABILITIES.findIndex((cap) => cap === name);
    if (n < 0) throw invalidValue(option, word, `expected capability names such as NET_ADMIN or CAP_SYS_TIME, or all`);
    return [n];
  });
}

/**
 * Dropped from a command on a network of `nsrun network create` unless --cap-add gives them
 * back, as podman drops them: with them root inside could take a neighbour's address on the
 * bridge (NET_ADMIN) or forge its frames (NET_RAW, packet sockets).
 */
export const NEIGHBOUR_CAPABILITIES = 'NET_ADMIN,NET_RAW';

/** `kept` less the capabilities of each `drop` list, plus those of each `add` list. */
function applyLists(kept: Set<number>, drop: readonly string[] | undefined, add: readonly string[] | undefined): number[] {
  for (const list of drop ?? []) for (const n of parseCapabilities('--cap-drop', list)) kept.delete(n);
  for (const list of add ?? []) for (const n of parseCapabilities('--cap-add', list)) kept.add(n);
  return [...kept].sort((a, b) => a - b);
}

/** Every capability when `runsAsRoot`, else none: what a command has before --cap-drop and --cap-add. */
export function fullCapabilities(runsAsRoot: boolean): number[] {
  return runsAsRoot ? CAPABILITIES.map((_, n) => n) : [];
}

/**
 * The capabilities the command keeps: those it would have (all when it runs as root, none
 * otherwise), less `drop`, plus `add`; undefined when neither is given (the sets are left alone).
 */
export function keptCapabilities(
  drop: readonly string[] | undefined,
  add: readonly string[] | undefined,
  runsAsRoot: boolean,
): number[] | undefined {
  if (drop === undefined && add === undefined) return undefined;
  return applyLists(new Set(fullCapabilities(runsAsRoot)), drop, add);
}

/**
 * The capabilities of a command that joins a sandbox whose commands keep `allowed`: `allowed`
 * less `drop`, plus `add`, which may only name capabilities of `allowed` (`where` says whose):
 * joining narrows the sandbox's limits, never widens them.
 */
export function narrowedCapabilities(
  allowed: readonly number[],
  drop: readonly string[] | undefined,
  add: readonly string[] | undefined,
  where: string,
): number[] {
  const kept = applyLists(new Set(allowed), drop, add);
  const extra = kept.filter((n) => !allowed.includes(n));
  if (extra.length > 0) {
    const names = extra.map((n) => CAPABILITIES[n] ?? String(n)).join(',');
    throw usageError(`--cap-add ${names}: not among the capabilities of ${where}; exec can only narrow them`);
  }
  return kept;
}
