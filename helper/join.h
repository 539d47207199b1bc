/* Entering the namespaces of a running process (config member "join"), and
 * keeping a sandbox's namespaces alive with a holder process ("keep"). */
#ifndef NSRUN_JOIN_H
#define NSRUN_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

/* What the helper opened of its target before entering anything. */
struct join_target {
  pid_t pid;
  int procdir;             /* /proc/<pid>, opened through the host's /proc */
  int pidfd;               /* pidfd_open(pid), or -1 where the kernel has none */
  int nsfd[NS_KINDS];      /* /proc/<pid>/ns/<kind> of each namespace to enter, else -1 */
  int flags;               /* CLONE_NEW* of those namespaces */
  int rootfd, cwdfd;       /* /proc/<pid>/root and cwd, when its mount namespace is entered */
  int64_t uid, gid;        /* the target's ids inside its user namespace, when it is entered; else -1 */
  bool setgroups_denied;   /* its user namespace denies setgroups */
  const char *call;        /* the system call behind the last -1 */
  const char *file;        /* and the file it acted on */
};

/* Opens the target and every namespace file of it to enter (those of c->join_flags,
 * or with c->join_all every one that differs from the helper's own), and its root,
 * cwd and ids when they are needed; a namespace the helper is already in is left out.
 * Opens everything before entering anything; returns -1 with errno set. */
int open_join_target(int host_proc, const struct config *c, struct join_target *t);

/* Enters the namespaces: with one setns on the pidfd where the kernel supports it,
 * else file by file, the user namespace first when unprivileged (as nsenter does)
 * and last as root; returns -1 with errno set. */
int enter_namespaces(struct join_target *t);

/* After entering its mount namespace: makes the target's root and working directory
 * the helper's (the command's, once forked); returns -1 with errno set. */
int enter_target_root(struct join_target *t);

/* Closes what open_join_target opened. */
void close_join_target(struct join_target *t);

/* The holder of a kept sandbox leaves the helper's life and terminal behind: it
 * no longer dies with its parent, moves to / and starts a session of its own; returns -1
 * with errno set. */
int detach_holder(void);

/* Waits until the caller commits the kept sandbox (has recorded it) by writing a byte
 * on fd; returns -1 with errno set (EPIPE: the caller closed it first, it is gone). */
int wait_for_commit(int fd);

/* Holds the namespaces: reads and writes /dev/null, closes every fd from 3 on, and reaps orphans (it is PID 1
 * of a new pid namespace) until killed. SIGCHLD must be blocked. */
_Noreturn void hold_namespaces(void);

#endif
