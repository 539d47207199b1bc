/* The sandbox's filesystem, built with the file-descriptor mount API
 * (open_tree, fsopen/fsmount, move_mount, mount_setattr; Linux >= 5.12):
 * every mount point is resolved with openat2(RESOLVE_IN_ROOT), so a symlink in
 * the rootfs can never send a mount, or a created mount point, outside it. */
#define _GNU_SOURCE
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif

#define LOCKED_ATTRS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* What --dev puts in /dev: the host's nodes (bound, as bubblewrap does), then links. */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
static const char *const dev_links[][2] = {
  { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" },   { "ptmx", "pts/ptmx" },         { "core", "/proc/kcore" },
};

/* runc's default masked and read-only paths, and the powercap files Docker masks too. */
static const char *const masked_paths[] = {
  "/proc/acpi",       "/proc/asound",      "/proc/kcore",        "/proc/keys",
  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
  "/proc/scsi",       "/sys/firmware",     "/sys/devices/virtual/powercap",
};
static const char *const read_only_paths[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

/* Records the call behind a -1 and returns -1, leaving errno alone. */
static int failed(struct root *r, const char *call)
{
  r->failed_call = call;
  return -1;
}

/* Records the step and the path (dir/name when name is set) that failed; returns -1, leaving errno alone. */
static int step_failed(struct root *r, const char *step, const char *dir, const char *name)
{
  int saved = errno;
  r->failed_step = step;
  snprintf(r->failed_path, sizeof r->failed_path, "%s%s%s", dir, name ? "/" : "", name ? name : "");
  errno = saved;
  return -1;
}

static void close_keeping_errno(int fd)
{
  int saved = errno;
  if (fd >= 0)
    close(fd);
  errno = saved;
}

static int set_mount_attr(int fd, const char *path, unsigned flags, struct mount_attr *attr)
{
  return (int)syscall(SYS_mount_setattr, fd, path, flags | (path[0] ? 0 : AT_EMPTY_PATH), attr, sizeof *attr);
}

/* Opens path inside the root (O_PATH), symlinks resolved as if the root were /; returns -1 with errno set. */
static int open_in_root(struct root *r, const char *path)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof how);
  return fd < 0 ? failed(r, "openat2") : fd;
}

/* Creates name in dir: a directory, or an empty file; an existing one is fine. */
static int create_entry(struct root *r, int dir, const char *name, bool directory)
{
  if (directory)
    return mkdirat(dir, name, 0755) < 0 && errno != EEXIST ? failed(r, "mkdirat") : 0;
  int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno == EEXIST ? 0 : failed(r, "openat");
  close(fd);
  return 0;
}

/* Opens the mount point path (O_PATH). In a rootfs, what is missing is created
 * first, as mkdir -p does, the last component an empty file unless directory;
 * the host's own tree is never written. Returns -1 with errno set. */
static int make_mount_point(struct root *r, const char *path, bool directory)
{
  char prefix[PATH_MAX] = "";
  size_t len = 0;
  int fd = open_in_root(r, path);
  if (fd >= 0 || errno != ENOENT || !r->rootfs)
    return fd < 0 ? step_failed(r, "mount-point", path, NULL) : fd;
  int parent = open_in_root(r, "/");
  for (const char *p = path; parent >= 0;) {
    while (*p == '/')
      p++;
    size_t n = strcspn(p, "/");
    const char *next = p + n + strspn(p + n, "/");
    char name[NAME_MAX + 1];
    if (n > NAME_MAX) {
      errno = ENAMETOOLONG;
      fd = failed(r, "mkdirat");
      break;
    }
    snprintf(name, sizeof name, "%.*s", (int)n, p);
    len += (size_t)snprintf(prefix + len, sizeof prefix - len, "/%s", name);
    fd = open_in_root(r, prefix);
    if (fd < 0 && errno == ENOENT && create_entry(r, parent, name, directory || *next) == 0)
      fd = open_in_root(r, prefix);
    if (fd < 0 || *next == '\0')
      break;
    close(parent);
    parent = fd;
    p = next;
  }
  close_keeping_errno(parent);
  return fd < 0 ? step_failed(r, "mount-point", path, NULL) : fd;
}

/* A detached copy of the tree at dir/path, submounts included, read-only
 * throughout when asked; returns -1 with errno set. */
static int clone_tree(struct root *r, int dir, const char *path, bool read_only)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | (path[0] ? 0 : AT_EMPTY_PATH);
  int tree = (int)syscall(SYS_open_tree, dir, path, flags);
  if (tree < 0)
    return failed(r, "open_tree");
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
  if (read_only && set_mount_attr(tree, "", AT_RECURSIVE, &ro) < 0) {
    failed(r, "mount_setattr");
    close_keeping_errno(tree);
    return -1;
  }
  return tree;
}

/* A new, detached filesystem of type, configured with key/value option pairs
 * (NULL-terminated) and mounted with attrs; returns -1 with errno set. */
static int fresh_mount(struct root *r, const char *type, const char *const *options, unsigned attrs)
{
  int mnt = -1, fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
  if (fs < 0)
    return failed(r, "fsopen");
  for (size_t i = 0; options && options[i]; i += 2)
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, options[i], options[i + 1], 0) < 0) {
      failed(r, "fsconfig");
      goto out;
    }
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    failed(r, "fsconfig");
  else if ((mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs)) < 0)
    failed(r, "fsmount");
out:
  close_keeping_errno(fs);
  return mnt;
}

/* Attaches the detached tree at the mount point target, then closes both
 * (tree may be -1 from a failed call, whose failure stands); returns -1 with errno set. */
static int attach(struct root *r, int tree, int target)
{
  int rc = -1;
  if (tree >= 0 && (rc = (int)syscall(SYS_move_mount, tree, "", target, "",
                                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)) < 0)
    failed(r, "move_mount");
  close_keeping_errno(tree);
  close_keeping_errno(target);
  return rc;
}

/* Attaches tree at name in dir (a directory of a mount the helper made); returns -1 with errno set. */
static int attach_at(struct root *r, int tree, int dir, const char *name)
{
  int target = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0) {
    failed(r, "openat");
    close_keeping_errno(tree);
    return -1;
  }
  return attach(r, tree, target);
}

int open_root(struct root *r, const char *rootfs)
{
  memset(r, 0, sizeof *r);
  r->rootfs = rootfs;
  r->proc = r->sys = -1;
  if (!rootfs) {
    r->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return r->fd < 0 ? failed(r, "open"), step_failed(r, "rootfs", "/", NULL) : 0;
  }
  int dir = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    failed(r, "open");
    return step_failed(r, "rootfs", rootfs, NULL);
  }
  /* the clone, attached onto the directory itself, is a mount of its own: pivot_root's new root */
  r->fd = clone_tree(r, dir, "", false);
  int rc = r->fd < 0 ? -1 : (int)syscall(SYS_move_mount, r->fd, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  if (r->fd >= 0 && rc < 0)
    failed(r, "move_mount");
  close_keeping_errno(dir);
  return rc < 0 ? step_failed(r, "rootfs", rootfs, NULL) : 0;
}

/* Keeps in *kept a copy of the tree fd (which attach closes): after the attach it is the
 * mount itself, wherever its mount point is renamed to; returns -1 with errno set. */
static int keep_tree(struct root *r, int tree, int *kept)
{
  if (tree >= 0 && (*kept = fcntl(tree, F_DUPFD_CLOEXEC, 0)) < 0)
    return failed(r, "fcntl");
  return tree;
}

int mount_proc_in_root(struct root *r, bool fresh)
{
  int target = make_mount_point(r, "/proc", true);
  if (target < 0)
    return -1;
  int tree = fresh ? fresh_mount(r, "proc", NULL, LOCKED_ATTRS) : clone_tree(r, AT_FDCWD, "/proc", false);
  return attach(r, keep_tree(r, tree, &r->proc), target) < 0 ? step_failed(r, "mount-proc", "/proc", NULL) : 0;
}

int mount_sys_in_root(struct root *r)
{
  int target = make_mount_point(r, "/sys", true);
  if (target < 0)
    return -1;
  int tree = fresh_mount(r, "sysfs", NULL, LOCKED_ATTRS | MOUNT_ATTR_RDONLY);
  return attach(r, keep_tree(r, tree, &r->sys), target) < 0 ? step_failed(r, "mount-sys", "/sys", NULL) : 0;
}

/* Opens the host path (a mount point of the sandbox's mount namespace) made private first;
 * returns -1 with errno set. */
static int open_private(struct root *r, const char *path)
{
  if (mount(NULL, path, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return failed(r, "mount");
  int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? failed(r, "open") : fd;
}

int open_kernel_views(struct root *r, bool fresh_sys)
{
  if ((r->proc = open_private(r, "/proc")) < 0)
    return step_failed(r, "mask", "/proc", NULL);
  if ((r->sys = open_private(r, "/sys")) < 0)
    return step_failed(r, "mask", "/sys", NULL);
  if (fresh_sys)
    return 0; /* read-only already */
  int target = r->sys;
  r->sys = -1;
  if (attach(r, keep_tree(r, clone_tree(r, target, "", true), &r->sys), target) < 0)
    return step_failed(r, "mask", "/sys", NULL);
  return 0;
}

/* --bind, --ro-bind: the source, opened on the host, at the destination; returns -1 with errno set. */
static int bind_mount(struct root *r, const struct mount_entry *m)
{
  struct stat st;
  int source = open(m->source, O_PATH | O_CLOEXEC);
  if (source < 0 || fstat(source, &st) < 0) {
    failed(r, source < 0 ? "open" : "fstat");
    close_keeping_errno(source);
    return step_failed(r, "bind-source", m->source, NULL);
  }
  int target = make_mount_point(r, m->destination, S_ISDIR(st.st_mode));
  if (target < 0) {
    close_keeping_errno(source);
    return -1;
  }
  int tree = clone_tree(r, source, "", m->read_only);
  close_keeping_errno(source);
  return attach(r, tree, target) < 0 ? step_failed(r, "bind", m->destination, NULL) : 0;
}

/* --tmpfs: a new tmpfs (nosuid, nodev; mode 1777, the kernel's default, as runc leaves it); returns -1 with errno set. */
static int tmpfs_mount(struct root *r, const struct mount_entry *m)
{
  char size[24];
  snprintf(size, sizeof size, "%lld", (long long)m->size);
  const char *const options[] = { m->size ? "size" : NULL, size, NULL };
  int target = make_mount_point(r, m->destination, true);
  if (target < 0)
    return -1;
  int tree = fresh_mount(r, "tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  return attach(r, tree, target) < 0 ? step_failed(r, "tmpfs", m->destination, NULL) : 0;
}

/* Clones the host's harmless device nodes into trees, before the new /dev covers
 * them (without a rootfs, /dev is the host's own); on failure *name is the node.
 * Returns -1 with errno set, having closed what it cloned. */
static int clone_dev_nodes(struct root *r, int trees[], const char **name)
{
  char host[32];
  for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
    *name = dev_nodes[i];
    snprintf(host, sizeof host, "/dev/%s", dev_nodes[i]);
    if ((trees[i] = clone_tree(r, AT_FDCWD, host, false)) < 0) {
      while (i-- > 0)
        close_keeping_errno(trees[i]);
      return -1;
    }
  }
  return 0;
}

/* Fills the new /dev (dev: its mount) with the host's device nodes cloned in trees
 * (each closed here), a private devpts, /dev/shm and the standard links; on failure
 * *name is what it was making. Returns -1 with errno set. */
static int populate_dev(struct root *r, int dev, int trees[], const char **name)
{
  static const char *const devpts[] = { "ptmxmode", "0666", "mode", "0620", NULL };
  static const char *const shm[] = { "mode", "1777", NULL };
  size_t nodes = sizeof dev_nodes / sizeof dev_nodes[0];
  for (size_t i = 0; i < nodes; i++) {
    *name = dev_nodes[i];
    int rc = create_entry(r, dev, dev_nodes[i], false);
    if (rc == 0)
      rc = attach_at(r, trees[i], dev, dev_nodes[i]); /* closes the tree */
    else
      close_keeping_errno(trees[i]);
    if (rc < 0) {
      while (++i < nodes)
        close_keeping_errno(trees[i]);
      return -1;
    }
  }
  *name = "pts";
  if (create_entry(r, dev, "pts", true) < 0 || attach_at(r, fresh_mount(r, "devpts", devpts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC), dev, "pts") < 0)
    return -1;
  *name = "shm";
  if (create_entry(r, dev, "shm", true) < 0 || attach_at(r, fresh_mount(r, "tmpfs", shm, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), dev, "shm") < 0)
    return -1;
  for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++) {
    *name = dev_links[i][0];
    if (symlinkat(dev_links[i][1], dev, dev_links[i][0]) < 0)
      return failed(r, "symlinkat");
  }
  return 0;
}

/* --dev: a minimal /dev on a new tmpfs (mode 0755, nosuid, nodev); returns -1 with errno set. */
static int dev_mount(struct root *r, const struct mount_entry *m)
{
  static const char *const options[] = { "mode", "0755", NULL };
  const char *name = NULL;
  int trees[sizeof dev_nodes / sizeof dev_nodes[0]];
  if (clone_dev_nodes(r, trees, &name) < 0)
    return step_failed(r, "dev", m->destination, name);
  int target = make_mount_point(r, m->destination, true);
  if (target < 0) {
    for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++)
      close_keeping_errno(trees[i]);
    return -1;
  }
  int dev = fresh_mount(r, "tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  int copy = dev < 0 ? -1 : fcntl(dev, F_DUPFD_CLOEXEC, 0); /* attach closes the one it is given */
  if (dev >= 0 && copy < 0)
    failed(r, "fcntl");
  int rc = attach(r, copy < 0 ? -1 : copy, target);
  if (rc == 0)
    rc = populate_dev(r, dev, trees, &name);
  else
    for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++)
      close_keeping_errno(trees[i]);
  close_keeping_errno(dev);
  return rc < 0 ? step_failed(r, "dev", m->destination, name) : 0;
}

int apply_mounts(struct root *r, const struct mount_entry *mounts, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    int rc = mounts[i].type == MOUNT_BIND    ? bind_mount(r, &mounts[i])
             : mounts[i].type == MOUNT_TMPFS ? tmpfs_mount(r, &mounts[i])
                                             : dev_mount(r, &mounts[i]);
    if (rc < 0)
      return -1;
  }
  return 0;
}

/* Opens path (/proc/... or /sys/...) beneath the proc or sysfs mount it names, which must be
 * one, without following a symlink; -1 with errno ENOENT when there is no such mount or
 * file, else -1 with errno set. */
static int open_beneath(struct root *r, const char *path)
{
  bool sys = strncmp(path, "/sys/", 5) == 0;
  int base = sys ? r->sys : r->proc;
  struct statfs fs;
  struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  if (base < 0) {
    errno = ENOENT;
    return -1;
  }
  if (fstatfs(base, &fs) < 0)
    return failed(r, "fstatfs");
  if (fs.f_type != (sys ? SYSFS_MAGIC : PROC_SUPER_MAGIC)) {
    errno = EXDEV;
    return failed(r, "fstatfs");
  }
  int fd = (int)syscall(SYS_openat2, base, path + (sys ? 5 : 6), &how, sizeof how);
  return fd < 0 ? failed(r, "openat2") : fd;
}

/* Covers path: a file with the host's /dev/null, a directory with an empty read-only tmpfs;
 * or makes it read-only. A path that does not exist is left alone. Returns -1 with errno set. */
static int mask_path(struct root *r, const char *path, bool hide)
{
  struct stat st;
  int target = open_beneath(r, path);
  if (target < 0)
    return errno == ENOENT ? 0 : step_failed(r, "mask", path, NULL);
  if (fstat(target, &st) < 0) {
    failed(r, "fstat");
    close_keeping_errno(target);
    return step_failed(r, "mask", path, NULL);
  }
  int tree = !hide                   ? clone_tree(r, target, "", true)
             : S_ISDIR(st.st_mode)   ? fresh_mount(r, "tmpfs", NULL, LOCKED_ATTRS | MOUNT_ATTR_RDONLY)
                                     : clone_tree(r, AT_FDCWD, "/dev/null", false);
  return attach(r, tree, target) < 0 ? step_failed(r, "mask", path, NULL) : 0;
}

int mask_paths(struct root *r)
{
  for (size_t i = 0; i < sizeof masked_paths / sizeof masked_paths[0]; i++)
    if (mask_path(r, masked_paths[i], true) < 0)
      return -1;
  for (size_t i = 0; i < sizeof read_only_paths / sizeof read_only_paths[0]; i++)
    if (mask_path(r, read_only_paths[i], false) < 0)
      return -1;
  close_keeping_errno(r->proc);
  close_keeping_errno(r->sys);
  r->proc = r->sys = -1;
  return 0;
}

int pivot_into(struct root *r)
{
  struct mount_attr slave = { .propagation = MS_SLAVE };
  /* pivot_root(".", ".") stacks the old root on the new one; the old root is
   * then made a slave, so that not even its unmount travels, and detached
   * through an fd of its own, leaving nothing of it reachable */
  int old = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old < 0)
    failed(r, "open");
  else if (fchdir(r->fd) < 0)
    failed(r, "fchdir");
  else if (syscall(SYS_pivot_root, ".", ".") < 0)
    failed(r, "pivot_root");
  else if (set_mount_attr(old, "", AT_RECURSIVE, &slave) < 0)
    failed(r, "mount_setattr");
  else if (fchdir(old) < 0)
    failed(r, "fchdir");
  else if (syscall(SYS_umount2, ".", MNT_DETACH) < 0)
    failed(r, "umount2");
  else if (chdir("/") < 0)
    failed(r, "chdir");
  else
    return close(old), 0;
  close_keeping_errno(old);
  return step_failed(r, "pivot-root", r->rootfs, NULL);
}

int make_root_read_only(struct root *r)
{
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
  if (set_mount_attr(AT_FDCWD, "/", 0, &ro) < 0) {
    failed(r, "mount_setattr");
    return step_failed(r, "read-only", r->rootfs, NULL);
  }
  return 0;
}
