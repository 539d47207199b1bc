/* The ioctl_ns(2) queries behind `nsrun ls --tree` (config member "query"). */
#ifndef NSRUN_NSQUERY_H
#define NSRUN_NSQUERY_H

/* Writes one JSON line to fd for each namespace file of paths (NULL-terminated):
 * its inode and type, the inode of its parent (pid and user namespaces) and of the
 * user namespace that owns it, and a user namespace's owner uid; a member the
 * kernel does not tell the caller is null, a file that cannot be opened gives its
 * errno. After each path's line, one line without "path" for each namespace above
 * it (the parents of a pid or user namespace, the owning user namespace of any
 * other, and theirs), up to the first the kernel does not tell: these may have no
 * process, and may repeat. Returns 0, or -1 with errno set when fd cannot be written. */
int query_namespaces(char *const *paths, int fd);

#endif
