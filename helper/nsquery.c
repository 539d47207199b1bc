/* The ioctl_ns(2) queries: type, parent, owning user namespace, owner uid, and the namespaces above. */
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

/* Writes the JSON line of the namespace fd refers to, with "path" first when path (JSON-escaped) is given;
 * returns -1 with errno set when out cannot be written. */
static int describe_fd(int fd, const char *path, int out)
{
  char parent[24], owner[24], uid[24] = "null", member[PATH_MAX * 6 + 16] = "";
  struct stat st;
  if (fstat(fd, &st) < 0)
    return path ? (dprintf(out, "{\"path\":\"%s\",\"errno\":%d}\n", path, errno) < 0 ? -1 : 0) : 0;
  int type = ioctl(fd, NS_GET_NSTYPE);
  related_inode(fd, NS_GET_PARENT, parent, sizeof parent);
  related_inode(fd, NS_GET_USERNS, owner, sizeof owner);
  uid_t owner_uid;
  if (type == CLONE_NEWUSER && ioctl(fd, NS_GET_OWNER_UID, &owner_uid) == 0)
    snprintf(uid, sizeof uid, "%u", (unsigned)owner_uid);
  if (path)
    snprintf(member, sizeof member, "\"path\":\"%s\",", path);
  return dprintf(out, "{%s\"ns\":%llu,\"type\":\"%s\",\"parent\":%s,\"owner\":%s,\"owner-uid\":%s}\n", member,
                 (unsigned long long)st.st_ino, type < 0 ? "unknown" : type_name(type), parent, owner, uid) < 0
           ? -1
           : 0;
}

static int describe_above(int fd, int out);

/* Describes the namespace of fd (with path, JSON-escaped, when given) and those above it, then closes fd;
 * returns -1 with errno set when out cannot be written. */
static int describe_upward(int fd, const char *path, int out)
{
  int rc = describe_fd(fd, path, out);
  if (rc == 0)
    rc = describe_above(fd, out);
  int err = errno;
  close(fd);
  errno = err;
  return rc;
}

/* Describes the namespace that request (NS_GET_PARENT, NS_GET_USERNS) gives for fd and those above it;
 * nothing when the kernel refuses (EPERM: outside the caller's reach, the top). */
static int describe_related(int fd, unsigned long request, int out)
{
  int related = ioctl(fd, request);
  return related < 0 ? 0 : describe_upward(related, NULL, out);
}

/* Describes every namespace above fd up to the top the caller may see, namespaces without a process
 * among them: the parents of a pid or user namespace, and the owner of any other type, with theirs. */
static int describe_above(int fd, int out)
{
  int type = ioctl(fd, NS_GET_NSTYPE);
  int rc = 0;
  if (type == CLONE_NEWPID || type == CLONE_NEWUSER)
    rc = describe_related(fd, NS_GET_PARENT, out);
  /* a user namespace's owner is its parent */
  if (rc == 0 && type != CLONE_NEWUSER)
    rc = describe_related(fd, NS_GET_USERNS, out);
  return rc;
}

/* Describes one namespace file and those above it; returns -1 with errno set when out cannot be written. */
static int describe(const char *path, int out)
{
  char name[PATH_MAX * 6];
  json_escape(name, sizeof name, path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return dprintf(out, "{\"path\":\"%s\",\"errno\":%d}\n", name, errno) < 0 ? -1 : 0;
  return describe_upward(fd, name, out);
}

int query_namespaces(char *const *paths, int fd)
{
  for (size_t i = 0; paths[i]; i++)
    if (describe(paths[i], fd) < 0)
      return -1;
  return 0;
}
