/* rtnetlink requests, each a message built in one buffer and sent with a request for an ack. */
#define _GNU_SOURCE
#include "netlink.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_BYTES 1024
#define DUMP_BYTES 32768

struct request {
  struct nlmsghdr *header;
  char buffer[REQUEST_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
};

/* Starts a request of type with flags (NLM_F_REQUEST and NLM_F_ACK added) and a body of body_len bytes. */
static void *start_request(struct request *r, int type, int flags, size_t body_len)
{
  memset(r->buffer, 0, sizeof r->buffer);
  r->header = (struct nlmsghdr *)r->buffer;
  r->header->nlmsg_type = (uint16_t)type;
  r->header->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
  r->header->nlmsg_len = (uint32_t)NLMSG_LENGTH(body_len);
  return NLMSG_DATA(r->header);
}

/* Appends an attribute; returns it, for a nested one whose length end_nest sets. */
static struct rtattr *add_attr(struct request *r, int type, const void *data, size_t len)
{
  struct rtattr *a = (struct rtattr *)(r->buffer + NLMSG_ALIGN(r->header->nlmsg_len));
  a->rta_type = (uint16_t)type;
  a->rta_len = (uint16_t)RTA_LENGTH(len);
  if (data)
    memcpy(RTA_DATA(a), data, len);
  r->header->nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->header->nlmsg_len) + RTA_ALIGN(a->rta_len));
  return a;
}

static void add_string(struct request *r, int type, const char *s)
{
  add_attr(r, type, s, strlen(s) + 1);
}

static void end_nest(struct request *r, struct rtattr *nest)
{
  nest->rta_len = (uint16_t)(r->buffer + r->header->nlmsg_len - (char *)nest);
}

/* A NETLINK_ROUTE socket; returns -1 with errno set. */
static int open_rtnetlink(void)
{
  return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/* One datagram of the kernel's replies, read again when a signal interrupts the wait. */
static ssize_t receive(int fd, char *buffer, size_t size)
{
  ssize_t n;
  do
    n = recv(fd, buffer, size, 0);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Sends the request and reads the kernel's ack; returns 0, or -1 with errno set to the kernel's error. */
static int send_request(int fd, struct request *r)
{
  char reply[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  if (sendto(fd, r->buffer, r->header->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
    return -1;
  for (;;) {
    ssize_t n = receive(fd, reply, sizeof reply);
    if (n < 0)
      return -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR)
        continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      errno = -err;
      return err ? -1 : 0;
    }
  }
}

/* Opens a socket, sends one request, closes; returns 0, or -1 with errno set. */
static int request_once(struct request *r)
{
  int fd = open_rtnetlink();
  if (fd < 0)
    return -1;
  int rc = send_request(fd, r);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* The index of the link name; returns 0 with errno set when there is none. */
static int link_index(const char *name)
{
  return (int)if_nametoindex(name);
}

static int set_link_up(int fd, int index)
{
  struct request r;
  struct ifinfomsg *link = start_request(&r, RTM_NEWLINK, 0, sizeof *link);
  link->ifi_family = AF_UNSPEC;
  link->ifi_index = index;
  link->ifi_flags = IFF_UP;
  link->ifi_change = IFF_UP;
  return send_request(fd, &r);
}

static int add_address(int fd, int index, const struct ipv4_address *address)
{
  struct request r;
  struct ifaddrmsg *a = start_request(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *a);
  struct in_addr broadcast = { address->addr.s_addr | htonl(address->prefix == 32 ? 0 : UINT32_MAX >> address->prefix) };
  a->ifa_family = AF_INET;
  a->ifa_prefixlen = (unsigned char)address->prefix;
  a->ifa_index = (unsigned)index;
  add_attr(&r, IFA_LOCAL, &address->addr, sizeof address->addr);
  add_attr(&r, IFA_ADDRESS, &address->addr, sizeof address->addr);
  add_attr(&r, IFA_BROADCAST, &broadcast, sizeof broadcast);
  return send_request(fd, &r);
}

static int add_default_route(int fd, int index, struct in_addr gateway)
{
  struct request r;
  struct rtmsg *rt = start_request(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rt);
  rt->rtm_family = AF_INET;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  add_attr(&r, RTA_GATEWAY, &gateway, sizeof gateway);
  add_attr(&r, RTA_OIF, &index, sizeof index);
  return send_request(fd, &r);
}

/* Creates, addresses and brings up the bridge; returns -1 with errno set. */
int create_bridge(const char *name, const struct ipv4_address *address)
{
  struct request r;
  struct ifinfomsg *link = start_request(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *link);
  link->ifi_family = AF_UNSPEC;
  add_string(&r, IFLA_IFNAME, name);
  struct rtattr *info = add_attr(&r, IFLA_LINKINFO, NULL, 0);
  add_string(&r, IFLA_INFO_KIND, "bridge");
  end_nest(&r, info);
  int fd = open_rtnetlink();
  if (fd < 0)
    return -1;
  int index = 0, rc = send_request(fd, &r);
  if (rc == 0 && !(index = link_index(name)))
    rc = -1;
  if (rc == 0)
    rc = add_address(fd, index, address) < 0 || set_link_up(fd, index) < 0 ? -1 : 0;
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

static int delete_link(int fd, int index)
{
  struct request r;
  struct ifinfomsg *link = start_request(&r, RTM_DELLINK, 0, sizeof *link);
  link->ifi_family = AF_UNSPEC;
  link->ifi_index = index;
  return send_request(fd, &r) < 0 && errno != ENODEV ? -1 : 0;
}

/* The indexes of the links whose master is bridge, at most max of them; returns how many, or -1 with errno set. */
static int bridge_ports(int fd, int bridge, int *ports, int max)
{
  static char reply[DUMP_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
  struct request r;
  struct ifinfomsg *link = start_request(&r, RTM_GETLINK, NLM_F_DUMP, sizeof *link);
  link->ifi_family = AF_UNSPEC;
  r.header->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
  if (send(fd, r.buffer, r.header->nlmsg_len, 0) < 0)
    return -1;
  int count = 0;
  for (;;) {
    ssize_t n = receive(fd, reply, sizeof reply);
    if (n < 0)
      return -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE)
        return count;
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
        return -1;
      }
      struct ifinfomsg *found = NLMSG_DATA(h);
      int len = (int)IFLA_PAYLOAD(h);
      for (struct rtattr *a = IFLA_RTA(found); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFLA_MASTER && *(int *)RTA_DATA(a) == bridge && count < max)
          ports[count++] = found->ifi_index;
    }
  }
}

/* Deletes the bridge's ports (deleting one end of a veth deletes both), then the bridge; returns -1 with errno set. */
int remove_bridge(const char *name)
{
  int ports[1024];
  int bridge = link_index(name);
  if (!bridge)
    return errno == ENODEV ? 0 : -1;
  int fd = open_rtnetlink();
  if (fd < 0)
    return -1;
  int rc = 0, count = bridge_ports(fd, bridge, ports, (int)(sizeof ports / sizeof ports[0]));
  if (count < 0)
    rc = -1;
  for (int i = 0; i < count && rc == 0; i++)
    rc = delete_link(fd, ports[i]);
  if (rc == 0)
    rc = delete_link(fd, bridge);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* Creates the veth pair, its host end up on the bridge and its peer in netns_fd; returns -1 with errno set. */
int create_veth(const char *host_end, const char *bridge, const char *peer_name, int netns_fd)
{
  int master = link_index(bridge);
  if (!master)
    return -1;
  struct request r;
  struct ifinfomsg *link = start_request(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *link);
  link->ifi_family = AF_UNSPEC;
  link->ifi_flags = IFF_UP;
  link->ifi_change = IFF_UP;
  add_string(&r, IFLA_IFNAME, host_end);
  add_attr(&r, IFLA_MASTER, &master, sizeof master);
  struct rtattr *info = add_attr(&r, IFLA_LINKINFO, NULL, 0);
  add_string(&r, IFLA_INFO_KIND, "veth");
  struct rtattr *data = add_attr(&r, IFLA_INFO_DATA, NULL, 0);
  struct rtattr *peer = add_attr(&r, VETH_INFO_PEER, NULL, sizeof(struct ifinfomsg)); /* the peer's own ifinfomsg, zeroed */
  add_string(&r, IFLA_IFNAME, peer_name);
  add_attr(&r, IFLA_NET_NS_FD, &netns_fd, sizeof netns_fd);
  end_nest(&r, peer);
  end_nest(&r, data);
  end_nest(&r, info);
  return request_once(&r);
}

/* Addresses the link, brings it and the route up; returns -1 with errno set. */
int configure_link(const char *name, const struct ipv4_address *address, struct in_addr gateway)
{
  int index = link_index(name);
  if (!index)
    return -1;
  int fd = open_rtnetlink();
  if (fd < 0)
    return -1;
  int rc = add_address(fd, index, address) < 0 || set_link_up(fd, index) < 0 || add_default_route(fd, index, gateway) < 0 ? -1 : 0;
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}
