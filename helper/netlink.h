/* The rtnetlink requests behind nsrun's networks (config members "bridge", "remove-bridge",
 * "network"): a bridge, a veth pair with one end in a sandbox, an address, a route, a link up. */
#ifndef NSRUN_NETLINK_H
#define NSRUN_NETLINK_H

#include <netinet/in.h>

/* An IPv4 address and the length of its network's prefix. */
struct ipv4_address {
  struct in_addr addr;
  int prefix;
};

/* Each returns 0, or -1 with errno set (the kernel's answer to the request). */

/* Creates the bridge name (refused if a link of that name exists), gives it address, brings it up. */
int create_bridge(const char *name, const struct ipv4_address *address);

/* Deletes every link attached to the bridge name, then the bridge; one already gone is no error. */
int remove_bridge(const char *name);

/* Creates a veth pair: host_end attached to bridge and up, its peer named peer_name in the
 * network namespace of netns_fd. */
int create_veth(const char *host_end, const char *bridge, const char *peer_name, int netns_fd);

/* In the caller's network namespace: gives the link name address, brings it up, and routes
 * everything else through gateway. */
int configure_link(const char *name, const struct ipv4_address *address, struct in_addr gateway);

#endif
