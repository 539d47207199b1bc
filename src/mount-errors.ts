/** What the helper's filesystem steps report, in words that name the option and the path. */
import type { HelperConfig, MountEntry } from './config.js';

/** The setup steps of `--rootfs` and the mounts (docs/contract.md). */
export const MOUNT_STEPS = ['rootfs', 'mount-point', 'bind-source', 'bind', 'tmpfs', 'dev', 'mask', 'pivot-root', 'read-only'] as const;

/** A filesystem step. */
export type MountStep = (typeof MOUNT_STEPS)[number];

export function isMountStep(step: string | undefined): step is MountStep {
  return MOUNT_STEPS.some((s) => s === step);
}

/** The option a mount entry comes from, as the command line spells it. */
function mountOption(entry: MountEntry): string {
  if (entry.type === 'bind') return entry['read-only'] === true ? '--ro-bind' : '--bind';
  return `--${entry.type}`;
}

/** A mount entry as the command line writes it: `SRC:DST`, `DST:size=N`, `/dev`. */
function showMount(entry: MountEntry): string {
  if (entry.type === 'bind') return `${entry.source}:${entry.destination}`;
  if (entry.type === 'tmpfs' && entry.size !== undefined) return `${entry.destination}:size=${entry.size}`;
  return entry.destination;
}

/** The first mount that matches, as the command line wrote it (`--bind /a:/b`), or `fallback`. */
function optionFor(config: HelperConfig, match: (m: MountEntry) => boolean, fallback: string): string {
  const mount = config.mounts?.find(match);
  return mount === undefined ? fallback : `${mountOption(mount)} ${showMount(mount)}`;
}

/** Says what a filesystem step failed to do; `detail` is the path the helper reports. */
export const MOUNT_STEP_FAILURES: Readonly<Record<MountStep, (config: HelperConfig, detail: string | undefined) => string>> = {
  rootfs: (config, detail) => `cannot use ${detail ?? config.rootfs ?? '/'} as the root filesystem (--rootfs)`,
  'mount-point': (config, detail) => {
    const what = optionFor(config, (m) => m.destination === detail, '--rootfs');
    return config.rootfs === undefined
      ? `cannot open the mount point ${detail ?? ''} of ${what}`
      : `cannot create the mount point ${detail ?? ''} of ${what} in the root filesystem ${config.rootfs}`;
  },
  'bind-source': (config, detail) =>
    `cannot open the source ${detail ?? ''} of ${optionFor(config, (m) => m.type === 'bind' && m.source === detail, '--bind')}`,
  bind: (config, detail) =>
    `cannot mount ${optionFor(config, (m) => m.type === 'bind' && m.destination === detail, '--bind')}`,
  tmpfs: (config, detail) => `cannot mount ${optionFor(config, (m) => m.type === 'tmpfs' && m.destination === detail, '--tmpfs')}`,
  dev: (_, detail) => `cannot set up ${detail ?? '/dev'} for --dev`,
  mask: (_, detail) => `cannot mask ${detail ?? 'a path of /proc or /sys'}`,
  'pivot-root': (config, detail) => `cannot enter the root filesystem ${detail ?? config.rootfs ?? ''} with pivot_root`,
  'read-only': (config, detail) => `cannot make the root filesystem ${detail ?? config.rootfs ?? ''} read-only (--read-only)`,
};

/** What the user can do about a failed filesystem step, when nsrun can tell. */
export function mountHint(step: MountStep, code: string | undefined, config: HelperConfig, detail: string | undefined): string | undefined {
  if (code === 'ENOSYS') return '--rootfs and the mount options need Linux 5.12 or later (open_tree, openat2, mount_setattr)';
  if (step !== 'mount-point') return undefined;
  if (config.rootfs === undefined) {
    return code === 'ENOENT' ? `outside --rootfs nsrun creates no mount points on the host's tree; create ${detail ?? 'it'} first` : undefined;
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return (
      `nothing can be created there: the path lies on a read-only mount or in a directory you may not write; ` +
      `create ${detail ?? 'it'} beforehand, or mount a --tmpfs on a directory above it first`
    );
  }
  return undefined;
}
