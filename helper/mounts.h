/* The sandbox's filesystem: a root of its own (pivot_root), the mounts of the
 * config in order, a minimal /dev, masked /proc paths (docs/contract.md). */
#ifndef NSRUN_MOUNTS_H
#define NSRUN_MOUNTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The tree the mounts go into, and where the last step that failed went wrong. */
struct root {
  int fd;              /* O_PATH: the new root's mount, or the host's / without a rootfs */
  const char *rootfs;  /* its host path; NULL: the host's / (mount points are never created there) */
  int proc, sys;       /* O_PATH: the proc and sysfs mounts the masks go on, or -1 */
  const char *failed_step;
  const char *failed_call;
  char failed_path[PATH_MAX];
};

/* Each step below returns -1 with errno set and r->failed_* filled in. */

/* Opens the root the mounts go into; a rootfs is bound onto itself
 * (recursively) so that it is a mount pivot_root can enter. */
int open_root(struct root *r, const char *rootfs);

/* Mounts /proc in the new root: a fresh one (nosuid, nodev, noexec) when the
 * sandbox has its own pid namespace, else the host's, recursively bound. */
int mount_proc_in_root(struct root *r, bool fresh);

/* Mounts a fresh, read-only /sys in the new root. */
int mount_sys_in_root(struct root *r);

/* Applies the mounts of the config, in order. */
int apply_mounts(struct root *r, const struct mount_entry *mounts, size_t len);

/* Without a rootfs: takes the sandbox's /proc and /sys (the host's, or the fresh
 * ones of its namespaces) for the masks, made private so that nothing put on
 * them reaches the host; the host's /sys is first covered by a read-only copy. */
int open_kernel_views(struct root *r, bool fresh_sys);

/* Hides what a sandbox must not touch in /proc and /sys, as runc does by
 * default: some paths are covered (/dev/null or an empty read-only tmpfs),
 * others made read-only. They are looked up beneath the proc and sysfs mounts
 * the helper made or checked (never again through the rootfs, which its owner
 * may change meanwhile), without following symlinks. Paths the kernel does not
 * have are skipped. */
int mask_paths(struct root *r);

/* Makes the new root /: pivot_root, then detaches the old root so that no path
 * leads back to it, and enters the new /. */
int pivot_into(struct root *r);

/* Remounts the new root itself read-only (the mounts on it keep their own flags). */
int make_root_read_only(struct root *r);

#endif
