/* The user-mode network backend: its command line, its start, readiness and end. */
#define _GNU_SOURCE
#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BACKEND_ARGS (4096 + 8) /* the config's arguments (MAX_NETWORK_ARGS), and those naming the namespaces */

static int failed(struct backend *b, const char *call)
{
  b->failed_call = call;
  return -1;
}

/* The fds the backend finds its namespaces and its exit pipe on. */
enum { NET_FD = 3, USER_FD = 4, EXIT_FD = 5, BACKEND_FDS = 3 };

/* Adds the arguments that name the sandbox's namespaces to the config's. They
 * are given as fds the helper opened: the backend, which drops its capabilities
 * early, may not open /proc/<pid>/ns of a sandbox that is not dumpable. */
static void name_namespaces(const struct config *c, const struct network_entry *e, const char *api_dir, char **argv)
{
  static char exit_arg[32], api_arg[64];
  size_t n = 0;
  while (e->argv[n])
    n++;
  memcpy(argv, e->argv, n * sizeof *argv);
  bool user = c->clone_flags & CLONE_NEWUSER; /* else the backend's own, which it cannot enter again (EINVAL) */
  if (e->backend == BACKEND_PASTA) {
    argv[n++] = "--netns";
    argv[n++] = "/proc/self/fd/3";
    if (user) {
      argv[n++] = "--userns";
      argv[n++] = "/proc/self/fd/4";
    }
  } else {
    snprintf(exit_arg, sizeof exit_arg, "--exit-fd=%d", EXIT_FD);
    argv[n++] = exit_arg;
    if (*api_dir) {
      snprintf(api_arg, sizeof api_arg, "--api-socket=%s/api.sock", api_dir);
      argv[n++] = api_arg;
    }
    if (user)
      argv[n++] = "--userns-path=/proc/self/fd/4";
    argv[n++] = "--netns-type=path";
    argv[n++] = "/proc/self/fd/3";
    argv[n++] = "tap0";
  }
  argv[n] = NULL;
}

/* The backend's side of the fork: dies with the helper, its stdin and stdout
 * /dev/null, stderr the log, fds 3 to 5 its namespaces and exit pipe and no
 * other, no signal blocked. */
static noreturn void exec_backend(char **argv, pid_t helper, int log_fd, const int fds[BACKEND_FDS])
{
  sigset_t none;
  int high[BACKEND_FDS];
  sigemptyset(&none);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != helper)
    _exit(127);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
    _exit(127);
  for (int i = 0; i < BACKEND_FDS; i++) /* out of the way first, so that no dup2 below overwrites a source */
    if ((high[i] = fds[i] < 0 ? -1 : fcntl(fds[i], F_DUPFD_CLOEXEC, 64)) < 0 && fds[i] >= 0)
      _exit(127);
  for (int i = 0; i < BACKEND_FDS; i++)
    if (high[i] >= 0 && dup2(high[i], NET_FD + i) < 0)
      _exit(127);
  if (syscall(SYS_close_range, (unsigned)(NET_FD + BACKEND_FDS), ~0U, 0U) < 0)
    _exit(127);
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execv(argv[0], argv);
  dprintf(STDERR_FILENO, "cannot execute %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

int start_backend(const struct config *c, size_t which, int procfd, struct backend *b)
{
  const struct network_entry *e = &c->networks[which];
  static char *argv[MAX_BACKEND_ARGS];
  int exit_pipe[2] = { -1, -1 };
  int fds[BACKEND_FDS] = { -1, -1, -1 };
  b->exit_fd = -1;
  b->name = e->backend == BACKEND_PASTA ? "pasta" : "slirp4netns";
  b->message[0] = '\0';
  b->api_dir[0] = '\0';
  /* a directory of the helper's own for the API socket, which only its forwards need */
  if (e->forwards_len) {
    snprintf(b->api_dir, sizeof b->api_dir, "/tmp/nsrun-slirp4netns-XXXXXX");
    if (!mkdtemp(b->api_dir)) {
      b->api_dir[0] = '\0';
      return failed(b, "mkdtemp");
    }
  }
  b->log_fd = (int)syscall(SYS_memfd_create, "nsrun-network-log", MFD_CLOEXEC);
  if (b->log_fd < 0)
    return failed(b, "memfd_create");
  if ((fds[0] = openat(procfd, "ns/net", O_RDONLY | O_CLOEXEC)) < 0 ||
      (fds[1] = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC)) < 0)
    return failed(b, "open");
  /* slirp4netns ends when the write end closes: with the helper, whatever ends it */
  if (e->backend == BACKEND_SLIRP4NETNS) {
    if (pipe2(exit_pipe, O_CLOEXEC) < 0)
      return failed(b, "pipe2");
    fds[2] = exit_pipe[0];
    b->exit_fd = exit_pipe[1];
  }
  name_namespaces(c, e, b->api_dir, argv);
  pid_t helper = getpid();
  b->pid = fork();
  if (b->pid == 0)
    exec_backend(argv, helper, b->log_fd, fds);
  int saved = errno;
  for (int i = 0; i < BACKEND_FDS; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  errno = saved;
  return b->pid < 0 ? failed(b, "fork") : 0;
}

/* Keeps in b->message what the backend wrote to its stderr, its lines joined
 * with "; " (the end of it when long), less pasta's complaints that it has no syslog. */
static void read_message(struct backend *b)
{
  char text[4096], joined[4096];
  size_t len = 0;
  ssize_t n = pread(b->log_fd, text, sizeof text - 1, 0);
  if (n <= 0)
    return;
  text[n] = '\0';
  joined[0] = '\0';
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    while (*line == ' ')
      line++;
    if (*line && !strstr(line, "to syslog"))
      len += (size_t)snprintf(joined + len, sizeof joined - len, "%s%s", len ? "; " : "", line);
    if (len >= sizeof joined)
      break;
  }
  size_t from = len > sizeof b->message - 1 ? len - (sizeof b->message - 1) : 0;
  snprintf(b->message, sizeof b->message, "%.255s", joined + from);
}

/* Whether the network namespace of child has a default IPv4 route. */
static bool has_default_route(pid_t child)
{
  char path[64], text[8192];
  snprintf(path, sizeof path, "/proc/%d/net/route", (int)child);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0)
    return false;
  text[n] = '\0';
  /* each line: Iface Destination Gateway ...; a default route's destination is 00000000 */
  for (char *line = strchr(text, '\n'); line; line = strchr(line + 1, '\n')) {
    char *field = strchr(line + 1, '\t');
    if (field && strncmp(field + 1, "00000000\t", 9) == 0)
      return true;
  }
  return false;
}

int wait_for_backend(struct backend *b, pid_t child, int timeout_ms)
{
  struct timespec pause = { 0, 500 * 1000 };
  for (int waited_us = 0; waited_us < timeout_ms * 1000; waited_us += 500) {
    if (has_default_route(child))
      return 0;
    int status;
    if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
      b->pid = 0;
      read_message(b);
      errno = ECHILD;
      return failed(b, "waitpid");
    }
    nanosleep(&pause, NULL);
  }
  read_message(b);
  errno = ETIMEDOUT;
  return failed(b, "poll");
}

/* Removes the API socket and its directory, if any. */
static void remove_api_socket(struct backend *b)
{
  char path[sizeof b->api_dir + 16];
  if (!b->api_dir[0])
    return;
  snprintf(path, sizeof path, "%s/api.sock", b->api_dir);
  unlink(path);
  rmdir(b->api_dir);
  b->api_dir[0] = '\0';
}

/* Sends one request to the API socket at path and reads its whole answer into
 * reply; -1 with errno set (ENOENT or ECONNREFUSED while slirp4netns is not listening yet). */
static int ask_api(const char *path, const char *request, char *reply, size_t reply_len)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  size_t len = 0;
  ssize_t n;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || write(fd, request, strlen(request)) < 0 ||
      shutdown(fd, SHUT_WR) < 0)
    goto fail;
  while (len + 1 < reply_len && ((n = read(fd, reply + len, reply_len - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    len += n > 0 ? (size_t)n : 0;
  reply[len] = '\0';
  close(fd);
  return 0;
fail:;
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}

int publish_ports(const struct config *c, size_t which, struct backend *b, int timeout_ms)
{
  const struct network_entry *e = &c->networks[which];
  char path[sizeof b->api_dir + 16], request[256], reply[512];
  struct timespec pause = { 0, 500 * 1000 };
  snprintf(path, sizeof path, "%s/api.sock", b->api_dir);
  for (size_t i = 0; i < e->forwards_len; i++) {
    const struct forward *f = &e->forwards[i];
    snprintf(request, sizeof request,
             "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":\"%s\",\"host_port\":%u,\"guest_port\":%u}}",
             f->proto, f->host_addr, f->host_port, f->guest_port);
    int waited_us = 0; /* its socket comes a little after the network is configured */
    while (ask_api(path, request, reply, sizeof reply) < 0) {
      if ((errno != ENOENT && errno != ECONNREFUSED) || (waited_us += 500) >= timeout_ms * 1000)
        return failed(b, "connect");
      nanosleep(&pause, NULL);
    }
    if (!strstr(reply, "\"return\"")) {
      char *desc = strstr(reply, "\"desc\":\"");
      snprintf(b->message, sizeof b->message, "slirp4netns cannot bind host port %u/%s: %.*s", f->host_port, f->proto,
               desc ? (int)strcspn(desc + 8, "\"") : 0, desc ? desc + 8 : "");
      errno = EADDRINUSE;
      return failed(b, "add_hostfwd");
    }
  }
  remove_api_socket(b);
  return 0;
}

void stop_backend(struct backend *b)
{
  if (b->pid > 0) {
    kill(b->pid, SIGKILL);
    while (waitpid(b->pid, NULL, 0) < 0 && errno == EINTR)
      ;
    b->pid = 0;
  }
  if (b->name && b->exit_fd >= 0) /* b->name: start_backend set the fds (a zeroed struct has fd 0) */
    close(b->exit_fd);
  if (b->name && b->log_fd >= 0)
    close(b->log_fd);
  if (b->name)
    remove_api_socket(b);
  b->exit_fd = b->log_fd = -1;
}

int mount_resolv_conf(const char *text, const char **call)
{
  int fd[4] = { -1, -1, -1, -1 }; /* the tmpfs context, its mount, the file, the file's own mount */
  int rc = -1;
  size_t len = strlen(text);
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
  if ((*call = "fsopen", fd[0] = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC)) < 0 ||
      (*call = "fsconfig", syscall(SYS_fsconfig, fd[0], FSCONFIG_SET_STRING, "size", "4096", 0)) < 0 ||
      syscall(SYS_fsconfig, fd[0], FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
      (*call = "fsmount", fd[1] = (int)syscall(SYS_fsmount, fd[0], FSMOUNT_CLOEXEC,
                                               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) < 0 ||
      (*call = "openat", fd[2] = openat(fd[1], "resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 ||
      (*call = "write", write(fd[2], text, len)) != (ssize_t)len ||
      (*call = "open_tree", fd[3] = (int)syscall(SYS_open_tree, fd[1], "resolv.conf", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0 ||
      (*call = "mount_setattr", syscall(SYS_mount_setattr, fd[3], "", AT_EMPTY_PATH, &ro, sizeof ro)) < 0)
    goto out;
  *call = "move_mount";
  rc = (int)syscall(SYS_move_mount, fd[3], "", AT_FDCWD, "/etc/resolv.conf", MOVE_MOUNT_F_EMPTY_PATH);
out:;
  int saved = errno;
  for (int i = 0; i < 4; i++)
    if (fd[i] >= 0)
      close(fd[i]);
  errno = saved;
  return rc;
}
