/* The ioctl_ns(2) queries: type, parent, owning user namespace, owner uid. */
#define _GNU_SOURCE
#include "json.h"
#include "nsquery.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

/* The inode of the namespace an ioctl returns a file for, written as JSON into out; "null" when the kernel refuses. */
static void related_inode(int fd, unsigned long request, char *out, size_t len)
{
  struct stat st;
  int related = ioctl(fd, request);
  if (related < 0 || fstat(related, &st) < 0)
    snprintf(out, len, "null");
  else
    snprintf(out, len, "%llu", (unsigned long long)st.st_ino);
  if (related >= 0)
    close(related);
}

static const char *type_name(int flag)
{
  for (int k = 0; k < NS_KINDS; k++)
    if (ns_kinds[k].flag == flag)
      return ns_kinds[k].name;
  return "unknown";
}

/* Describes one namespace file as a JSON line; returns -1 with errno set when fd cannot be written. */
static int describe(const char *path, int out)
{
  char name[PATH_MAX * 6], parent[24], owner[24], uid[24] = "null";
  struct stat st;
  json_escape(name, sizeof name, path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) < 0) {
    int err = errno;
    if (fd >= 0)
      close(fd);
    return dprintf(out, "{\"path\":\"%s\",\"errno\":%d}\n", name, err) < 0 ? -1 : 0;
  }
  int type = ioctl(fd, NS_GET_NSTYPE);
  related_inode(fd, NS_GET_PARENT, parent, sizeof parent);
  related_inode(fd, NS_GET_USERNS, owner, sizeof owner);
  uid_t owner_uid;
  if (type == CLONE_NEWUSER && ioctl(fd, NS_GET_OWNER_UID, &owner_uid) == 0)
    snprintf(uid, sizeof uid, "%u", (unsigned)owner_uid);
  close(fd);
  return dprintf(out, "{\"path\":\"%s\",\"ns\":%llu,\"type\":\"%s\",\"parent\":%s,\"owner\":%s,\"owner-uid\":%s}\n", name,
                 (unsigned long long)st.st_ino, type < 0 ? "unknown" : type_name(type), parent, owner, uid) < 0
           ? -1
           : 0;
}

int query_namespaces(char *const *paths, int fd)
{
  for (size_t i = 0; paths[i]; i++)
    if (describe(paths[i], fd) < 0)
      return -1;
  return 0;
}
