/* The sandbox's own network through a user-mode backend (pasta or slirp4netns),
 * which the helper starts, watches and ends (docs/contract.md, "network"). */
#ifndef NSRUN_NETWORK_H
#define NSRUN_NETWORK_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* A running backend, and what the last step that failed was doing. */
struct backend {
  pid_t pid;               /* 0: none */
  const char *name;        /* "pasta" or "slirp4netns" */
  int log_fd;              /* a memfd holding the backend's stderr, or -1 */
  int exit_fd;             /* slirp4netns: the write end of its --exit-fd pipe, or -1 */
  const char *failed_call;
  char message[256];       /* the backend's last line of stderr, once it failed */
  char api_dir[40];        /* slirp4netns with forwards: the directory of its API socket, until they are added; or "" */
};

/* Each step below returns -1 with errno set and b->failed_call filled in. */

/* Starts backend number which of c (0, or 1 its fallback) on the namespaces of the process of procfd (its
 * /proc/<pid>), killed with the helper (PR_SET_PDEATHSIG) and, for slirp4netns,
 * when the exit fd closes. */
int start_backend(const struct config *c, size_t which, int procfd, struct backend *b);

/* Waits until the namespace of child has a default route (the backend has
 * configured it), at most timeout_ms; ECHILD if the backend ended first,
 * ETIMEDOUT if it took too long. b->message says what the backend said. */
int wait_for_backend(struct backend *b, pid_t child, int timeout_ms);

/* Publishes the forwards of backend number which of c through slirp4netns's API
 * socket (add_hostfwd, one request a port), then removes the socket's directory;
 * EADDRINUSE, b->message naming the port, when slirp4netns refuses one. */
int publish_ports(const struct config *c, size_t which, struct backend *b, int timeout_ms);

/* Ends the backend, if any, reaps it and closes its fds. */
void stop_backend(struct backend *b);

/* In the sandbox's mount namespace: mounts a read-only file with text on
 * /etc/resolv.conf (of the root the sandbox sees), from a detached tmpfs of its
 * own, never the host's file; returns -1 with errno set and *call the failed call. */
int mount_resolv_conf(const char *text, const char **call);

#endif
