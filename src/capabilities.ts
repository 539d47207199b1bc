/** Linux capabilities by name, and the set a sandbox keeps under --cap-drop and --cap-add. */
import { invalidValue } from './errors.js';

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
 * The capabilities the command keeps: those it would have (all when it runs as root, none
 * otherwise), less `drop`, plus `add`; undefined when neither is given (the sets are left alone).
 */
export function keptCapabilities(
  drop: readonly string[] | undefined,
  add: readonly string[] | undefined,
  runsAsRoot: boolean,
): number[] | undefined {
  if (drop === undefined && add === undefined) return undefined;
  const kept = new Set<number>(runsAsRoot ? CAPABILITIES.map((_, n) => n) : []);
  for (const list of drop ?? []) for (const n of parseCapabilities('--cap-drop', list)) kept.delete(n);
  for (const list of add ?? []) for (const n of parseCapabilities('--cap-add', list)) kept.add(n);
  return [...kept].sort((a, b) => a - b);
}
