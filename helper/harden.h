/* What the sandbox's first process gives up before the command runs. */
#ifndef NSRUN_HARDEN_H
#define NSRUN_HARDEN_H

#include <stdbool.h>
#include <stdint.h>

/* Sets no_new_privs: no exec gains privileges (setuid bits, file capabilities);
 * returns -1 with errno set. */
int set_no_new_privs(void);

/* Installs a seccomp filter that fails ioctl TIOCSTI and TIOCLINUX with EPERM, so
 * the command cannot push keystrokes into the caller's terminal; returns -1 with
 * errno set. Needs no_new_privs or CAP_SYS_ADMIN in the current user namespace. */
int block_terminal_injection(void);

/* Drops every capability not in keep (bit n = capability n) from the bounding set,
 * and makes keep inheritable, so that it can survive a change of uid; returns -1
 * with errno set. */
int limit_bounding_set(uint64_t keep);

/* After the identity switch: the effective, permitted and inheritable sets become
 * keep, and for a uid other than 0 the ambient set too, which carries them across
 * exec; returns -1 with errno set. */
int set_capabilities(uint64_t keep, bool ambient);

#endif
