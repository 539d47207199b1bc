/* The helper's config document (docs/contract.md), parsed and validated. */
#ifndef NSRUN_CONFIG_H
#define NSRUN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"
#include "netlink.h"

/* The namespace kinds, in the order they are reported. */
struct ns_kind {
  const char *name; /* contract name and /proc/self/ns file */
  int flag;         /* CLONE_NEW* */
};
#define NS_KINDS 8
extern const struct ns_kind ns_kinds[NS_KINDS];

#define MAX_MAP_LINES 340 /* the kernel's limit for uid_map and gid_map */

struct id_map_line {
  uint32_t inside, outside, count;
};

struct id_map {
  size_t len;
  struct id_map_line lines[MAX_MAP_LINES];
};

#define MAX_MOUNTS 256 /* entries of "mounts" */

/* One entry of "mounts", applied in order under the root (docs/contract.md). */
enum mount_type { MOUNT_BIND, MOUNT_TMPFS, MOUNT_DEV };
struct mount_entry {
  enum mount_type type;
  const char *source;      /* bind: an absolute host path */
  const char *destination; /* an absolute path inside the sandbox, without "..", not "/" */
  bool read_only;          /* bind: read-only, recursively */
  int64_t size;            /* tmpfs: bytes; 0: the kernel's default */
};

/* The user-mode network backend of "network". */
enum backend_kind { BACKEND_NONE, BACKEND_PASTA, BACKEND_SLIRP4NETNS };

/* One published port that the helper asks slirp4netns for through its API socket. */
struct forward {
  char proto[4];     /* "tcp" or "udp" */
  char host_addr[16]; /* dotted IPv4 */
  unsigned host_port, guest_port;
};

#define MAX_FORWARDS 4096

/* One backend of "network": its program (an absolute path) and arguments, and the sandbox's resolv.conf with it. */
struct network_entry {
  enum backend_kind backend;
  char **argv;             /* NULL-terminated */
  const char *resolv_conf; /* or NULL */
  struct forward *forwards; /* slirp4netns: the ports to publish once it runs */
  size_t forwards_len;
};

enum propagation { PROPAGATION_PRIVATE, PROPAGATION_SLAVE, PROPAGATION_SHARED, PROPAGATION_UNCHANGED };
enum setgroups { SETGROUPS_UNSET, SETGROUPS_ALLOW, SETGROUPS_DENY };

struct config {
  struct json doc;           /* owns every string below */
  char **command;            /* NULL-terminated */
  int clone_flags;           /* CLONE_NEW* of every requested namespace */
  struct id_map uid_map, gid_map;
  const char *newuidmap, *newgidmap;
  enum setgroups setgroups;
  int64_t uid, gid;          /* -1: unchanged */
  enum propagation propagation;
  bool mount_proc, mount_sys, init;
  const char *hostname, *domainname, *cwd;
  bool has_time_offsets;
  int64_t monotonic_offset, boottime_offset;
  char **env;                /* NULL-terminated */
  int preserve_fds;
  pid_t parent_pid;          /* 0: none */
  char **explain;            /* "explain": the program told of a setup failure, NULL-terminated; NULL: none */
  bool no_new_privs;
  int stop_timeout;          /* seconds from a stop signal to SIGKILL; -1: none */
  uint64_t ignored_signals;  /* the caller's SIG_IGN set, kept for the command: bit n-1 = signal n */
  bool limit_capabilities;
  uint64_t capabilities;     /* kept when limit_capabilities: bit n = capability n */
  pid_t join_pid;            /* "join": the process whose namespaces are entered; 0: none */
  int join_flags;            /* CLONE_NEW* to enter; with join_all, every one that differs */
  bool join_all;
  bool keep;                 /* "keep": the first process holds the namespaces, no command */
  int commit_fd;             /* "commit-fd": with keep, the holder waits for a byte here (0: none) */
  int lock_fd;               /* "lock-fd": take an exclusive flock on this fd, which the caller keeps, and exit (0: none) */
  char **query;              /* "query": NULL-terminated namespace files to describe */
  const char *rootfs;        /* the directory that becomes / (pivot_root); NULL: the host's / */
  bool read_only;            /* the new root is remounted read-only */
  size_t mounts_len;
  struct mount_entry mounts[MAX_MOUNTS];
  enum backend_kind network_backend; /* "network": the backend the helper starts; BACKEND_NONE: none */
  struct network_entry networks[2]; /* "network", then "network-fallback", tried in turn */
  size_t networks_len;
  pid_t network_of;          /* "join-network": the process whose network namespace is entered; 0: none */
  bool network_of_user;      /* and its user namespace, first */
  const char *bridge;        /* "bridge": the bridge to create, alone or in a holder's new net namespace; NULL: none */
  struct ipv4_address bridge_address;
  const char *remove_bridge; /* "remove-bridge": the bridge to delete with its ports; stands alone */
  const char *network;       /* "veth": the bridge the sandbox's veth joins; NULL: none */
  const char *network_link;  /* the veth's end on the bridge */
  struct ipv4_address network_address; /* of the sandbox's eth0 */
  struct in_addr network_gateway;
  pid_t hub_pid;             /* the holder of the hub's user and net namespaces, entered first; 0: none */
  uint64_t hub_net;          /* the inode of its net namespace */
};

/* Parses and validates text into *c; returns 0, or -1 with a message in err. */
int config_parse(const char *text, size_t len, struct config *c, char *err, size_t errlen);

/* Frees what config_parse allocated. */
void config_free(struct config *c);

#endif
