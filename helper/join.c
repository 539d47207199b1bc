/* Entering the namespaces of a running process, and holding a kept sandbox's. */
#define _GNU_SOURCE
#include "join.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Records the failed call (and file) and returns -1, leaving errno alone. */
static int failed(struct join_target *t, const char *call, const char *file)
{
  t->call = call;
  t->file = file;
  return -1;
}

/* Reads a small file of the target into buf; returns -1 with errno set. */
static int read_target_file(struct join_target *t, const char *file, char *buf, size_t len)
{
  int fd = openat(t->procdir, file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return failed(t, "open", file);
  ssize_t n;
  do
    n = read(fd, buf, len - 1);
  while (n < 0 && errno == EINTR);
  int saved = errno;
  close(fd);
  errno = saved;
  if (n < 0)
    return failed(t, "read", file);
  buf[n] = '\0';
  return 0;
}

/* The id inside the target's user namespace that host id maps to, from a uid_map
 * or gid_map read from outside; -1 when it is not mapped. */
static int64_t inside_id(const char *map, unsigned long host)
{
  unsigned long inside, outside, count;
  for (const char *line = map; *line; line++) {
    if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && host >= outside && host - outside < count)
      return (int64_t)(inside + (host - outside));
    line = strchrnul(line, '\n');
    if (*line == '\0')
      break;
  }
  return -1;
}

/* The first field of a "Uid:" or "Gid:" line of /proc/<pid>/status. */
static int status_id(const char *status, const char *key, unsigned long *id)
{
  const char *p = strstr(status, key);
  return p && sscanf(p + strlen(key), "%lu", id) == 1 ? 0 : -1;
}

/* The target's uid and gid inside its user namespace, and whether it denies setgroups;
 * returns -1 with errno set. */
static int read_target_ids(struct join_target *t)
{
  static char status[8192], map[8192];
  unsigned long uid, gid;
  if (read_target_file(t, "status", status, sizeof status) < 0)
    return -1;
  if (status_id(status, "\nUid:", &uid) < 0 || status_id(status, "\nGid:", &gid) < 0) {
    errno = EINVAL;
    return failed(t, "read", "status");
  }
  if (read_target_file(t, "uid_map", map, sizeof map) < 0)
    return -1;
  t->uid = inside_id(map, uid);
  if (read_target_file(t, "gid_map", map, sizeof map) < 0)
    return -1;
  t->gid = inside_id(map, gid);
  if (read_target_file(t, "setgroups", map, sizeof map) < 0)
    return -1;
  t->setgroups_denied = strncmp(map, "deny", 4) == 0;
  return 0;
}

/* Whether two namespace files name the same namespace. */
static bool same_namespace(int a, int b)
{
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Opens the target's file of namespace kind k, and keeps it unless the helper is in
 * that namespace already; returns -1 with errno set. */
static int open_namespace(int host_proc, struct join_target *t, int k)
{
  char file[32];
  snprintf(file, sizeof file, "self/ns/%s", ns_kinds[k].name);
  int theirs = openat(t->procdir, file + 5, O_RDONLY | O_CLOEXEC);
  if (theirs < 0 && errno == ENOENT) /* every live process has every file: this one has exited */
    errno = ESRCH;
  if (theirs < 0)
    return failed(t, "open", file + 5);
  int mine = openat(host_proc, file, O_RDONLY | O_CLOEXEC);
  if (mine >= 0 && same_namespace(mine, theirs)) {
    close(theirs);
  } else {
    t->nsfd[k] = theirs;
    t->flags |= ns_kinds[k].flag;
  }
  if (mine >= 0)
    close(mine);
  return 0;
}

int open_join_target(int host_proc, const struct config *c, struct join_target *t)
{
  char pid[16];
  memset(t, 0, sizeof *t);
  t->pid = c->join_pid;
  t->procdir = t->pidfd = t->rootfd = t->cwdfd = -1;
  t->uid = t->gid = -1;
  for (int k = 0; k < NS_KINDS; k++)
    t->nsfd[k] = -1;
  /* the pidfd first: it pins the process that /proc/<pid> must still be at the end */
  t->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
  if (t->pidfd < 0 && errno != ENOSYS)
    return failed(t, "pidfd_open", NULL);
  snprintf(pid, sizeof pid, "%d", (int)t->pid);
  t->procdir = openat(host_proc, pid, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (t->procdir < 0 && errno == ENOENT)
    errno = ESRCH;
  if (t->procdir < 0)
    return failed(t, "open", NULL);
  for (int k = 0; k < NS_KINDS; k++) {
    if (!c->join_all && !(c->join_flags & ns_kinds[k].flag))
      continue;
    if (open_namespace(host_proc, t, k) < 0)
      return -1;
  }
  if (t->flags & CLONE_NEWNS) {
    t->rootfd = openat(t->procdir, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (t->rootfd < 0)
      return failed(t, "open", "root");
    t->cwdfd = openat(t->procdir, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (t->cwdfd < 0)
      return failed(t, "open", "cwd");
  }
  if ((t->flags & CLONE_NEWUSER) && read_target_ids(t) < 0)
    return -1;
  /* everything was opened from the process the pidfd holds: it is still alive */
  if (t->pidfd >= 0 && syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0)
    return failed(t, "pidfd_send_signal", NULL);
  return 0;
}

static const char *const ns_files[NS_KINDS] = { "ns/user", "ns/mnt", "ns/pid", "ns/net", "ns/uts", "ns/ipc", "ns/cgroup", "ns/time" };

/* Enters the namespaces of kinds in `want` file by file; returns -1 with errno set. */
static int enter_files(struct join_target *t, int want)
{
  for (int k = 0; k < NS_KINDS; k++)
    if ((want & ns_kinds[k].flag) && t->nsfd[k] >= 0 && setns(t->nsfd[k], ns_kinds[k].flag) < 0)
      return failed(t, "setns", ns_files[k]);
  return 0;
}

int enter_namespaces(struct join_target *t)
{
  if (t->flags == 0)
    return 0;
  if (t->pidfd >= 0) {
    if (setns(t->pidfd, t->flags) == 0)
      return 0;
    if (errno != EINVAL) /* EINVAL: a kernel before 5.8 takes no pidfd here */
      return failed(t, "setns", NULL);
  }
  int others = t->flags & ~CLONE_NEWUSER;
  if (geteuid() != 0)
    return enter_files(t, CLONE_NEWUSER) < 0 ? -1 : enter_files(t, others);
  return enter_files(t, others) < 0 ? -1 : enter_files(t, CLONE_NEWUSER);
}

int enter_target_root(struct join_target *t)
{
  if (!(t->flags & CLONE_NEWNS))
    return 0;
  if (fchdir(t->rootfd) < 0)
    return failed(t, "fchdir", "root");
  if (chroot(".") < 0)
    return failed(t, "chroot", "root");
  if (fchdir(t->cwdfd) < 0)
    return failed(t, "fchdir", "cwd");
  return 0;
}

void close_join_target(struct join_target *t)
{
  int *fds[] = { &t->procdir, &t->pidfd, &t->rootfd, &t->cwdfd };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0) {
      close(*fds[i]);
      *fds[i] = -1;
    }
  for (int k = 0; k < NS_KINDS; k++)
    if (t->nsfd[k] >= 0) {
      close(t->nsfd[k]);
      t->nsfd[k] = -1;
    }
}

int wait_for_commit(int fd)
{
  char byte;
  ssize_t n;
  do
    n = read(fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    errno = EPIPE;
  return n == 1 ? 0 : -1;
}

int detach_holder(void)
{
  if (prctl(PR_SET_PDEATHSIG, 0) < 0)
    return -1;
  if (chdir("/") < 0) /* pin no directory of the caller's: it could not be unmounted */
    return -1;
  if (setsid() < 0 && errno != EPERM) /* EPERM: a process group leader already */
    return -1;
  return 0;
}

_Noreturn void hold_namespaces(void)
{
  sigset_t chld;
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3 && null >= 0; fd++)
    dup2(null, fd); /* the caller's terminal and pipes are not the holder's */
  syscall(SYS_close_range, 3U, ~0U, 0U);
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    siginfo_t si;
    if (sigwaitinfo(&chld, &si) < 0)
      continue;
    while (waitpid(-1, NULL, WNOHANG) > 0)
      ;
  }
}
