/* nsrun-helper: creates the namespaces its config asks for and runs a command
 * in them. The contract with its caller is docs/contract.md; how signals travel
 * is docs/signals.md. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <termios.h>

#include "config.h"
#include "harden.h"
#include "join.h"
#include "nsquery.h"
#include "mounts.h"
#include "network.h"
#include "netlink.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum { EXIT_USAGE = 2, EXIT_SETUP = 125, EXIT_CANNOT_EXEC = 126, EXIT_NOT_FOUND = 127 };

#define MAX_CONFIG_BYTES (16 * 1024 * 1024)
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define TERMINAL_ECHO_MS 5000 /* how late nsrun's relay of a terminal's signal may come */
#define NETWORK_READY_MS 10000 /* how long a network backend may take to configure the namespace */
#define SANDBOX_LINK "eth0" /* the sandbox's end of its veth pair */
#define CALLER_GONE_SIGNAL SIGRTMAX /* an exec's helper: nsrun died (PR_SET_PDEATHSIG), end the command's group */

/* One record of the report pipe, written whole by the sandbox's first process. */
enum report_kind { REPORT_READY = 1, REPORT_ERROR = 2, REPORT_INIT_READY = 3, REPORT_EXIT = 4 };
struct report {
  int32_t kind;
  int32_t err;       /* errno of the failed call */
  int32_t exit_code; /* what the helper exits with */
  char step[24];
  char syscall[24];
  char detail[256];
  uint64_t inodes[NS_KINDS]; /* /proc/self/ns/<kind> of the command */
  int32_t signal;            /* REPORT_EXIT: the signal the command of --init died of, or 0 */
};

struct sandbox {
  pid_t child;                   /* the sandbox's first process (host pid) */
  int procfd;                    /* /proc/<child> */
  int sync_fd[2];                /* helper -> child: the id maps are written */
  int report_fd[2];              /* child -> helper: struct report records */
  int sigfd;                     /* the helper's signals */
  sigset_t signals;              /* what sigfd reads */
  bool command_running;          /* the command has been executed */
  bool command_is_ns_init;       /* the command itself is PID 1 of its pid namespace */
  bool init_queues_signals;      /* --init: PID 1 keeps a signal blocked until it runs the command, then relays it */
  bool keep;                     /* the child is a kept sandbox's holder */
  bool join;                     /* the child is a command that joined a sandbox (exec) */
  bool own_group;                /* and leads a process group of its own, which ends with it when it is stopped */
  bool group_stopping;           /* a stop signal came: what is left of the group is killed once the command ends */
  int emulated_signal;           /* a signal whose default action was carried out with SIGKILL */
  int stop_timer;                /* timerfd: a stop signal's grace period, or -1 */
  int stop_timeout;              /* its length in seconds */
  int64_t terminal_signal_at[NSIG]; /* when the terminal last sent each signal (ms) */
  int echoes_due[NSIG];          /* nsrun's copies of the terminal's signals, still to come and be dropped */
  uint64_t inodes[NS_KINDS];
  int exit_report_fd;            /* --init: where PID 1 tells how the command ended, or -1 */
  struct backend network;        /* the user-mode network backend, of the sandbox's lifetime */
  bool caller_relays;            /* the caller (parent-pid) relays its signals, the terminal's included */
};

/* Where failures are told: the report pipe in the sandbox, the status fd (or
 * stderr) in the helper. */
static int report_fd = -1;
static int status_fd = -1;
static const char *failed_call; /* the system call behind the last -1 */
static const char *failed_file; /* and the file it acted on, where one is known */
static int tty_fd = -1;         /* the caller's terminal, while the sandbox holds it */
static pid_t caller_pgrp;       /* the foreground process group to give it back to */
static int host_proc = -1;      /* the host's /proc, still reachable once a "join" entered another root */
static char *const *explainer;  /* "explain": the program that tells a setup failure, or NULL */
static char *config_text;       /* the config, which the explainer reads too */
static int explain_fd = -1;     /* to the explainer forked before entering a sandbox's namespaces: the failure record, or -1 */
static pid_t explainer_pid = -1;
static int watcher_fd = -1;     /* the pipe to the watcher of an exec's command group, or -1 */
static pid_t stand_in = -1;     /* keeps the caller's job while the helper, its leader, is in the sandbox's, or -1 */
static int verdict_fd = -1;     /* a kept sandbox's keeper: where it tells the front its exit code, or -1 */

static void give_terminal_back(void);
static void end_stand_in(void);
static void report_running(struct sandbox *sb);
static noreturn void end_command_group(struct sandbox *sb);

static const int relayed_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH };

/* Records which call failed and returns -1, leaving errno alone. */
static int fail_call(const char *call)
{
  failed_call = call;
  return -1;
}

static int write_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void emit_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes one JSON line to the status fd, if there is one. */
static void emit_status(const char *fmt, ...)
{
  char line[1024];
  va_list ap;
  if (status_fd < 0)
    return;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line - 1)
    return;
  line[n++] = '\n';
  write_all(status_fd, line, (size_t)n); /* a reader that went away loses nothing it needs */
}

/* Hands the failure to the explainer forked before the helper entered a sandbox's namespaces,
 * and exits as it does; returns when it is gone, for the helper to tell the failure itself. */
static void explain_outside(const struct report *r)
{
  int status;
  if (send(explain_fd, r, sizeof *r, MSG_NOSIGNAL) != (ssize_t)sizeof *r)
    return;
  close(explain_fd);
  while (waitpid(explainer_pid, &status, 0) < 0)
    if (errno != EINTR)
      return;
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Without a status fd: executes the explainer of "explain" (nsrun's one place that turns a failure
 * into its message and hint, docs/contract.md) with the failure record and the config in its
 * environment, in the host's root and the helper's cwd, signals unblocked; once the helper has
 * entered a sandbox's namespaces, the explainer forked before does. Returns only when it
 * cannot be executed, for the helper to tell the failure itself. */
static void explain_failure(const struct report *r)
{
  char detail[sizeof r->detail * 6], record[sizeof detail + 192];
  sigset_t none;
  if (!explainer || !config_text || status_fd >= 0)
    return;
  if (explain_fd >= 0) {
    explain_outside(r);
    return;
  }
  json_escape(detail, sizeof detail, r->detail);
  snprintf(record, sizeof record, "NSRUN_FAILURE={\"step\":\"%s\",\"syscall\":\"%s\",\"errno\":%d,\"detail\":\"%s\",\"exit-code\":%d}",
           r->step, r->syscall, r->err, detail, r->exit_code);
  char *env[] = { record, config_text, NULL };
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(explainer[0], explainer, env);
}

static noreturn void fail_with(const struct report *r)
{
  if (report_fd >= 0) {
    write_all(report_fd, r, sizeof *r);
    _exit(r->exit_code);
  }
  give_terminal_back();
  end_stand_in();
  explain_failure(r);
  if (status_fd >= 0) {
    char detail[sizeof r->detail * 6];
    json_escape(detail, sizeof detail, r->detail);
    emit_status("{\"error\":{\"step\":\"%s\",\"syscall\":\"%s\",\"errno\":%d,\"detail\":\"%s\",\"exit-code\":%d}}",
                r->step, r->syscall, r->err, detail, r->exit_code);
  } else {
    fprintf(stderr, "nsrun-helper: %s: %s%s%s%s%s\n", r->step, r->syscall, r->syscall[0] ? ": " : "",
            r->err ? strerror(r->err) : "", r->detail[0] && r->err ? ": " : "", r->detail);
  }
  exit(r->exit_code);
}

static noreturn void die(int exit_code, const char *step, const char *syscall, int err, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));

/* Reports a failed step (err is an errno, or 0) and exits with exit_code. */
static noreturn void die(int exit_code, const char *step, const char *syscall, int err, const char *fmt, ...)
{
  struct report r = { .kind = REPORT_ERROR, .err = err, .exit_code = exit_code };
  va_list ap;
  snprintf(r.step, sizeof r.step, "%s", step);
  snprintf(r.syscall, sizeof r.syscall, "%s", syscall ? syscall : "");
  va_start(ap, fmt);
  vsnprintf(r.detail, sizeof r.detail, fmt, ap);
  va_end(ap);
  fail_with(&r);
}

static int64_t monotonic_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_fd(const char *s)
{
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 0 || v > INT_MAX)
    die(EXIT_USAGE, "arguments", NULL, 0, "\"%s\" is not a file descriptor", s);
  return (int)v;
}

/* The helper trusts its config and environment only as far as its caller's own
 * rights go; installed setuid or setgid it would lend root to anyone (docs/security.md). */
static void refuse_setuid(void)
{
  if (getuid() != geteuid() || getgid() != getegid())
    die(EXIT_SETUP, "arguments", NULL, EPERM, "nsrun-helper must not be installed setuid or setgid");
}

static int open_config(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    die(EXIT_USAGE, "arguments", "open", errno, "%s", path);
  return fd;
}

#define USAGE "usage: nsrun-helper --config-fd N | --config FILE | --config-env NAME [--status-fd M]"

/* Where the config comes from: *config_fd, or the environment variable *config_env. */
static void parse_arguments(int argc, char **argv, int *config_fd, const char **config_env)
{
  *config_fd = -1;
  *config_env = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--config-fd") == 0 && i + 1 < argc)
      *config_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
      *config_fd = open_config(argv[++i]);
    else if (strcmp(argv[i], "--config-env") == 0 && i + 1 < argc)
      *config_env = argv[++i];
    else if (strcmp(argv[i], "--status-fd") == 0 && i + 1 < argc)
      status_fd = parse_fd(argv[++i]);
    else
      die(EXIT_USAGE, "arguments", NULL, 0, USAGE);
  }
  if ((*config_fd < 0) == (*config_env == NULL))
    die(EXIT_USAGE, "arguments", NULL, 0, USAGE);
  if (status_fd >= 0 && fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0) {
    int fd = status_fd;
    status_fd = -1;
    die(EXIT_USAGE, "arguments", "fcntl", errno, "status fd %d", fd);
  }
}

static void parse_config(const char *text, size_t len, struct config *c)
{
  char err[256];
  if (config_parse(text, len, c, err, sizeof err) < 0)
    die(EXIT_SETUP, "config", NULL, 0, "%s", err);
}

/* Reads and validates the config in the environment variable name: nsrun's way for one
 * that fits in a single string execve passes, which costs it less than writing to a socket.
 * The text is wiped once read: /proc/PID/environ of the helper, and of an init that is a
 * fork of it, would show the sandbox the config (host paths, the whole environment). */
static void read_config_env(const char *name, struct config *c)
{
  char *text = getenv(name);
  if (!text)
    die(EXIT_USAGE, "arguments", NULL, 0, "the environment variable %s is not set", name);
  size_t len = strlen(text);
  parse_config(text, len, c);
  if (c->explain && asprintf(&config_text, "NSRUN_CONFIG=%s", text) < 0)
    config_text = NULL; /* the helper tells a failure itself */
  explainer = c->explain;
  memset(text, 0, len);
}

/* Reads and validates the whole config from fd, then closes it. */
static void read_config(int fd, struct config *c)
{
  size_t len = 0, cap = 4096;
  char *text = malloc(cap);
  if (!text)
    die(EXIT_SETUP, "config", "malloc", ENOMEM, "the config");
  for (;;) {
    if (len == cap) {
      if (cap >= MAX_CONFIG_BYTES)
        die(EXIT_SETUP, "config", NULL, 0, "the config is larger than %d bytes", MAX_CONFIG_BYTES);
      cap *= 2;
      if (!(text = realloc(text, cap)))
        die(EXIT_SETUP, "config", "realloc", ENOMEM, "the config");
    }
    ssize_t n = read(fd, text + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      die(EXIT_SETUP, "config", "read", errno, "config fd %d", fd);
    if (n == 0)
      break;
    len += (size_t)n;
  }
  if (fd != status_fd) /* one socket may carry both: the config in, then the status out */
    close(fd);
  parse_config(text, len, c);
  free(text);
}

/* Closes every fd the helper was given but did not open and does not pass on: all
 * above the preserved ones (3 .. 3+preserve_fds-1) bar the status fd and a holder's commit fd, so that no
 * process of the sandbox, PID 1 and the holder included, inherits them. */
static void close_inherited_fds(const struct config *c)
{
  unsigned first = 3U + (unsigned)c->preserve_fds;
  int kept[2] = { status_fd, c->commit_fd ? c->commit_fd : -1 }; /* the fds the helper keeps, beyond those preserved */
  if (kept[0] > kept[1]) {
    int t = kept[0];
    kept[0] = kept[1];
    kept[1] = t;
  }
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
    if (kept[i] < 0 || (unsigned)kept[i] < first)
      continue;
    unsigned fd = (unsigned)kept[i];
    if (fd > first && syscall(SYS_close_range, first, fd - 1, 0U) < 0)
      die(EXIT_SETUP, "fds", "close_range", errno, "fds %u to %u", first, fd - 1);
    first = fd + 1;
  }
  if (syscall(SYS_close_range, first, ~0U, 0U) < 0)
    die(EXIT_SETUP, "fds", "close_range", errno, "fds from %u", first);
}

/* Ends the helper with its caller, and stops here if the caller is already gone. */
static void die_with_parent(const struct config *c)
{
  if (!c->parent_pid) /* a process that nsrun became, or a program's own child, lives on as unshare(1) does */
    return;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    die(EXIT_SETUP, "config", "prctl", errno, "PR_SET_PDEATHSIG");
  if (c->parent_pid && getppid() != c->parent_pid)
    die(EXIT_SETUP, "config", NULL, 0, "the calling process %d is gone", (int)c->parent_pid);
}

/* Whether the caller ignores sig: the sandbox then ignores it too (docs/signals.md). */
static bool caller_ignores(const struct config *c, int sig)
{
  return sig >= 1 && sig <= 64 && (c->ignored_signals >> (sig - 1)) & 1;
}

/* Ignores what the caller ignores, as a process it executed would, and gives every other
 * signal its default action (node, when it became the helper, left SIGPIPE and SIGXFSZ
 * ignored): in the helper and an init (which must still see SIGCHLD), and then in the
 * command, which inherits SIG_IGN across execve. SIGKILL, SIGSTOP and the real-time
 * signals the C library keeps for itself (EINVAL) stay as they are. */
static void ignore_callers_signals(const struct config *c, bool with_sigchld)
{
  for (int sig = 1; sig <= 64; sig++)
    if ((with_sigchld || sig != SIGCHLD) && signal(sig, caller_ignores(c, sig) ? SIG_IGN : SIG_DFL) == SIG_ERR && errno != EINVAL)
      die(EXIT_SETUP, "signals", "sigaction", errno, "signal %d", sig);
}

/* Blocks the signals the helper relays and reads them from a signalfd; one the
 * caller ignores is left ignored, so that the kernel drops it. */
static void block_signals(const struct config *c, struct sandbox *sb)
{
  ignore_callers_signals(c, false);
  sigemptyset(&sb->signals);
  for (size_t i = 0; i < sizeof relayed_signals / sizeof relayed_signals[0]; i++)
    if (!caller_ignores(c, relayed_signals[i]))
      sigaddset(&sb->signals, relayed_signals[i]);
  sigaddset(&sb->signals, SIGCHLD);
  sigaddset(&sb->signals, SIGPIPE);
  if (!caller_ignores(c, SIGTSTP)) /* the terminal's Ctrl-Z, read and left to the sandbox: docs/signals.md */
    sigaddset(&sb->signals, SIGTSTP);
  if (sigprocmask(SIG_BLOCK, &sb->signals, NULL) < 0)
    die(EXIT_SETUP, "signals", "sigprocmask", errno, "");
  sigset_t ttou; /* for tcsetpgrp from a background group; not read from sigfd */
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, NULL);
  sb->sigfd = signalfd(-1, &sb->signals, SFD_CLOEXEC);
  if (sb->sigfd < 0)
    die(EXIT_SETUP, "signals", "signalfd", errno, "");
}

/* The sandbox's first process waits here until its id maps are written (and
 * its network is up); returns which backend of "network" runs. */
static size_t wait_for_id_maps(struct sandbox *sb)
{
  char byte;
  ssize_t n;
  close(sb->sync_fd[1]);
  do
    n = read(sb->sync_fd[0], &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) /* the helper died or failed: it reports why */
    _exit(EXIT_SETUP);
  close(sb->sync_fd[0]);
  return byte == 1 ? 1 : 0;
}

/* Enters a new time namespace with the configured clock offsets; returns -1
 * with errno set. clone() cannot create one, so unshare it, set its offsets,
 * and move this process into it before anything reads a clock. */
static int enter_time_namespace(const struct config *c)
{
  char offsets[96];
  int fd, n;
  if (unshare(CLONE_NEWTIME) < 0)
    return fail_call("unshare");
  n = snprintf(offsets, sizeof offsets, "monotonic %lld 0\nboottime %lld 0\n", (long long)c->monotonic_offset,
               (long long)c->boottime_offset);
  fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_call("open");
  if (write_all(fd, offsets, (size_t)n) < 0) {
    close(fd);
    return fail_call("write");
  }
  close(fd);
  fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_call("open");
  if (setns(fd, CLONE_NEWTIME) < 0) {
    close(fd);
    return fail_call("setns");
  }
  close(fd);
  return 0;
}

/* Applies the configured propagation to every mount, so that nothing the
 * sandbox mounts reaches the host; returns -1 with errno set. */
static int set_propagation(const struct config *c)
{
  static const unsigned long types[] = { MS_PRIVATE, MS_SLAVE, MS_SHARED };
  if (c->propagation == PROPAGATION_UNCHANGED)
    return 0;
  if (mount(NULL, "/", NULL, MS_REC | types[c->propagation], NULL) < 0)
    return fail_call("mount");
  return 0;
}

/* Mounts a fresh filesystem of type on path, after making path private so
 * that a shared parent never carries it to the host; returns -1 with errno set. */
static int mount_fresh(const char *type, const char *path, unsigned long flags)
{
  if (mount(NULL, path, NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno != EINVAL)
    return fail_call("mount");
  if (mount(type, path, type, flags, NULL) < 0)
    return fail_call("mount");
  return 0;
}

static int mount_proc(void)
{
  return mount_fresh("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

static int mount_sys(void)
{
  return mount_fresh("sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
}

/* Brings the new network namespace's loopback interface up; returns -1 with errno set. */
static int bring_loopback_up(void)
{
  struct ifreq ifr = { 0 };
  int rc = -1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail_call("socket");
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
    fail_call("ioctl");
  } else {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    rc = ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? fail_call("ioctl") : 0;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* Creates the network's bridge with its address: in the helper's net namespace, or a hub holder's new one. */
static void make_bridge(const struct config *c)
{
  if (create_bridge(c->bridge, &c->bridge_address) < 0)
    die(EXIT_SETUP, "bridge", "rtnetlink", errno, "%s", c->bridge);
}

/* A hub with a backend: forwards what the bridge's sandboxes send out through the backend's
 * tap0 (the hub's default route), and answers the backend's ARP for their addresses (proxy
 * ARP), so that slirp4netns serves them as it serves its own guest, with no NAT. Both are
 * sysctls of the hub's own network namespace, which the hub's root may set. */
static int route_bridge_out(void)
{
  static const char *const sysctls[] = { "/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/conf/all/proxy_arp" };
  for (size_t i = 0; i < sizeof sysctls / sizeof sysctls[0]; i++) {
    failed_file = sysctls[i];
    int fd = open(sysctls[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return fail_call("open");
    int rc = write_all(fd, "1", 1);
    close(fd);
    if (rc < 0)
      return fail_call("write");
  }
  return 0;
}

/* Deletes a network's bridge and whatever is still attached to it. */
static void delete_bridge(const struct config *c)
{
  if (remove_bridge(c->remove_bridge) < 0)
    die(EXIT_SETUP, "bridge", "rtnetlink", errno, "%s", c->remove_bridge);
}

/* Takes an exclusive flock on the caller's fd, waiting for it while the caller lives: the lock
 * is the open file's, so it stays with the caller once the helper exits (nsrun's state lock). */
static void take_lock(const struct config *c)
{
  die_with_parent(c);
  while (flock(c->lock_fd, LOCK_EX) < 0)
    if (errno != EINTR)
      die(EXIT_SETUP, "lock", "flock", errno, "fd %d", c->lock_fd);
}

/* Enters the user and net namespaces of the rootless hub, whose bridge the sandbox joins:
 * its user namespace becomes the parent of the sandbox's, so the helper may link the two. */
static void enter_hub(const struct config *c)
{
  char path[48];
  struct stat st;
  snprintf(path, sizeof path, "%d/ns/user", (int)c->hub_pid);
  int user = openat(host_proc, path, O_RDONLY | O_CLOEXEC);
  snprintf(path, sizeof path, "%d/ns/net", (int)c->hub_pid);
  int net = user < 0 ? -1 : openat(host_proc, path, O_RDONLY | O_CLOEXEC);
  if (net < 0)
    die(EXIT_SETUP, "veth", "open", errno, "/proc/%s", path);
  if (fstat(net, &st) < 0 || st.st_ino != c->hub_net)
    die(EXIT_SETUP, "veth", "open", ESRCH, "/proc/%s", path); /* the pid is no longer the hub's holder */
  if (setns(user, CLONE_NEWUSER) < 0 || setns(net, CLONE_NEWNET) < 0)
    die(EXIT_SETUP, "veth", "setns", errno, "/proc/%s", path);
  close(user);
  close(net);
}

/* Links the sandbox to its network: a veth pair, one end up on the bridge, the other in the
 * sandbox's net namespace, where the sandbox addresses it; returns -1 with errno set. */
static int connect_sandbox(const struct config *c, const struct sandbox *sb)
{
  int net = openat(sb->procfd, "ns/net", O_RDONLY | O_CLOEXEC);
  if (net < 0)
    return fail_call("open");
  int rc = create_veth(c->network_link, c->network, SANDBOX_LINK, net) < 0 ? fail_call("rtnetlink") : 0;
  int saved = errno;
  close(net);
  errno = saved;
  return rc;
}

/* Becomes uid/gid (inside the user namespace when there is one); returns -1 with errno set. */
static int switch_identity(const struct config *c)
{
  if (c->uid < 0 && c->gid < 0)
    return 0;
  if (c->setgroups != SETGROUPS_DENY && setgroups(0, NULL) < 0)
    return fail_call("setgroups");
  if (c->gid >= 0 && setresgid((gid_t)c->gid, (gid_t)c->gid, (gid_t)c->gid) < 0)
    return fail_call("setresgid");
  if (c->uid >= 0 && setresuid((uid_t)c->uid, (uid_t)c->uid, (uid_t)c->uid) < 0)
    return fail_call("setresuid");
  return 0;
}

/* Tells the helper the command is about to run, with its namespaces. */
static void report_ready(int nsdir, enum report_kind kind)
{
  struct report r = { .kind = kind };
  struct stat st;
  for (int k = 0; k < NS_KINDS; k++)
    if (fstatat(nsdir, ns_kinds[k].name, &st, 0) == 0)
      r.inodes[k] = (uint64_t)st.st_ino;
  write_all(report_fd, &r, sizeof r);
}

/* Executes path with the command's arguments, through /bin/sh for a script
 * without #! as shells do; returns with errno set. */
static void try_exec(const char *path, const struct config *c)
{
  execve(path, c->command, c->env);
  if (errno == ENOEXEC) {
    size_t n = 0;
    while (c->command[n])
      n++;
    char **argv = calloc(n + 2, sizeof *argv);
    if (!argv)
      return;
    argv[0] = "/bin/sh";
    argv[1] = (char *)path;
    memcpy(argv + 2, c->command + 1, (n - 1) * sizeof *argv);
    execve(argv[0], argv, c->env);
    free(argv);
    errno = ENOEXEC;
  }
}

static const char *command_path(const struct config *c)
{
  for (char **e = c->env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0)
      return *e + 5;
  return DEFAULT_PATH;
}

/* Finds the command as a shell does and executes it; returns only to report why not. */
static noreturn void exec_command(const struct config *c)
{
  const char *name = c->command[0];
  sigset_t none;
  sigemptyset(&none);
  ignore_callers_signals(c, true);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
    die(EXIT_SETUP, "exec", "sigprocmask", errno, "");
  if (syscall(SYS_close_range, 3 + c->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    die(EXIT_SETUP, "fds", "close_range", errno, "fds from %d", 3 + c->preserve_fds);
  if (strchr(name, '/')) {
    try_exec(name, c);
    die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec", "execve", errno, "%s", name);
  }
  int found_err = ENOENT;
  for (const char *dir = command_path(c), *end; ; dir = end + 1) {
    char path[PATH_MAX];
    end = strchrnul(dir, ':');
    int dirlen = (int)(end - dir);
    if (snprintf(path, sizeof path, "%.*s%s%s", dirlen, dir, dirlen ? "/" : "", name) < (int)sizeof path) {
      struct stat st;
      try_exec(path, c);
      if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG && errno != ELOOP &&
          (errno != EACCES || stat(path, &st) == 0))
        found_err = errno; /* found but not runnable (not a directory we may not search): keep looking */
    }
    if (*end == '\0')
      break;
  }
  die(found_err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec", "execve", found_err, "%s", name);
}

static int exit_code_of(int status)
{
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Tells the helper how the command of --init ended, then exits with its status:
 * PID 1 of a pid namespace cannot die of the command's signal itself. */
static noreturn void end_init(int status)
{
  struct report r = { .kind = REPORT_EXIT, .exit_code = exit_code_of(status) };
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  write_all(report_fd, &r, sizeof r); /* non-blocking: a pipe filled by someone else loses only the signal */
  _exit(r.exit_code);
}

/* Closes in PID 1 the fds it only passed on to the command (3 .. 3+preserve_fds-1, bar
 * the ones of keep), and makes PID 1 undumpable, so that the command cannot reach
 * them, nor anything else of PID 1, through /proc/1 (as tini and bubblewrap do). */
static void seal_init(const struct config *c, const int keep[3])
{
  for (int fd = 3; fd < 3 + c->preserve_fds; fd++)
    if (fd != keep[0] && fd != keep[1] && fd != keep[2])
      close(fd);
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    die(EXIT_SETUP, "init", "prctl", errno, "PR_SET_DUMPABLE");
}

/* PID 1 duties for --init: runs the command as a child, relays the signals
 * sent to the sandbox, reaps every orphan, and exits with the command's status. */
static noreturn void run_init(const struct config *c, int nsdir)
{
  int pipefd[2], status = -1;
  struct report r;
  sigset_t set;
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    die(EXIT_SETUP, "init", "pipe2", errno, "");
  pid_t command = fork();
  if (command < 0)
    die(EXIT_SETUP, "init", "fork", errno, "");
  if (command == 0) {
    close(pipefd[0]);
    report_fd = pipefd[1];
    exec_command(c);
  }
  close(pipefd[1]);
  seal_init(c, (const int[3]){ pipefd[0], report_fd, nsdir });
  ssize_t n;
  do
    n = read(pipefd[0], &r, sizeof r);
  while (n < 0 && errno == EINTR);
  if (n == sizeof r) {
    waitpid(command, NULL, 0);
    fail_with(&r);
  }
  close(pipefd[0]);
  report_ready(nsdir, REPORT_INIT_READY);
  close(nsdir);
  if (fcntl(report_fd, F_SETFL, O_NONBLOCK) < 0) /* kept for end_init */
    die(EXIT_SETUP, "init", "fcntl", errno, "the report pipe");

  sigprocmask(SIG_BLOCK, NULL, &set); /* the helper's blocked set, inherited */
  for (;;) {
    siginfo_t si;
    if (sigwaitinfo(&set, &si) < 0)
      continue;
    if (si.si_signo == SIGCHLD) {
      int st;
      pid_t p;
      while ((p = waitpid(-1, &st, WNOHANG)) > 0)
        if (p == command)
          status = st;
      if (status != -1)
        end_init(status);
    } else if (si.si_code != SI_KERNEL && si.si_signo != SIGPIPE) {
      kill(command, si.si_signo); /* the terminal's own signals reached the command already */
    }
  }
}

/* Whether a sandbox without a rootfs gets the masks too: in a mount namespace of
 * its own, when a user namespace or limited capabilities are asked for (a command
 * that is not trusted, docs/security.md). */
static bool guards_kernel_files(const struct config *c)
{
  return (c->clone_flags & CLONE_NEWNS) && ((c->clone_flags & CLONE_NEWUSER) || c->limit_capabilities);
}

/* Builds the sandbox's filesystem in bubblewrap's order: the new root, /proc
 * and /sys in it, the mounts in the order given, the masks; then enters it
 * with pivot_root and makes it read-only. Without a rootfs, the mounts, then
 * the masks on /proc and /sys where guards_kernel_files. */
static void set_up_filesystem(const struct config *c)
{
  struct root r;
  bool guard = !c->rootfs && guards_kernel_files(c);
  if (open_root(&r, c->rootfs) < 0 || (c->rootfs && mount_proc_in_root(&r, c->mount_proc) < 0) ||
      (c->rootfs && c->mount_sys && mount_sys_in_root(&r) < 0) || apply_mounts(&r, c->mounts, c->mounts_len) < 0 ||
      (guard && open_kernel_views(&r, c->mount_sys) < 0) || ((c->rootfs || guard) && mask_paths(&r) < 0) ||
      (c->rootfs && pivot_into(&r) < 0) ||
      (c->read_only && make_root_read_only(&r) < 0))
    die(EXIT_SETUP, r.failed_step, r.failed_call, errno, "%s", r.failed_path);
  close(r.fd);
}

/* Without --cwd or a rootfs, the command starts in the caller's directory,
 * entered again by its path once the mounts are made: the directory the
 * sandbox shows there, never the one inherited that a mount may now cover.
 * A holder goes to / instead; the commands that join it name their cwd. */
static bool reenters_caller_cwd(const struct config *c)
{
  return (c->clone_flags & CLONE_NEWNS) && !c->rootfs && !c->cwd && !c->keep;
}

/* The sandbox's first process: sets the sandbox up from the inside, step by step, then runs the command. */
static noreturn void child_main(const struct config *c, struct sandbox *sb)
{
  int nsdir;
  char caller_cwd[PATH_MAX];
  report_fd = sb->report_fd[1];
  close(sb->report_fd[0]);
  close(sb->sigfd);
  close(host_proc); /* the host's /proc is not the sandbox's to keep, even in its init */
  close(status_fd);
  status_fd = -1;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    die(EXIT_SETUP, "clone", "prctl", errno, "PR_SET_PDEATHSIG");
  /* a group of its own, which the helper ends with it; kept in the caller's job when it may read a terminal
   * it is not given (take_terminal), where a group of its own would be stopped by SIGTTIN */
  if (c->join_pid && !isatty(STDIN_FILENO) && setpgid(0, 0) < 0)
    die(EXIT_SETUP, "join", "setpgid", errno, "the command's process group");
  const char *resolv_conf = c->networks[wait_for_id_maps(sb)].resolv_conf;
  if (reenters_caller_cwd(c) && !getcwd(caller_cwd, sizeof caller_cwd))
    die(EXIT_SETUP, "cwd", "getcwd", errno, "the working directory");
  nsdir = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (nsdir < 0)
    die(EXIT_SETUP, "clone", "open", errno, "/proc/self/ns");
  if ((c->clone_flags & CLONE_NEWTIME) && enter_time_namespace(c) < 0)
    die(EXIT_SETUP, "time-namespace", failed_call, errno, "/proc/self/timens_offsets");
  if (c->bridge && c->network_backend && route_bridge_out() < 0) /* before the mounts guard /proc/sys */
    die(EXIT_SETUP, "bridge", failed_call, errno, "%s", failed_file);
  if ((c->clone_flags & CLONE_NEWNS) && set_propagation(c) < 0)
    die(EXIT_SETUP, "propagation", failed_call, errno, "/");
  if (c->mount_proc && !c->rootfs && mount_proc() < 0)
    die(EXIT_SETUP, "mount-proc", failed_call, errno, "/proc");
  if (c->mount_sys && !c->rootfs && mount_sys() < 0)
    die(EXIT_SETUP, "mount-sys", failed_call, errno, "/sys");
  if (c->rootfs || c->mounts_len || guards_kernel_files(c))
    set_up_filesystem(c);
  if (reenters_caller_cwd(c) && chdir(caller_cwd) < 0)
    die(EXIT_SETUP, "cwd", "chdir", errno, "%s", caller_cwd);
  if (resolv_conf && mount_resolv_conf(resolv_conf, &failed_call) < 0)
    die(EXIT_SETUP, "resolv-conf", failed_call, errno, "/etc/resolv.conf");
  if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
    die(EXIT_SETUP, "hostname", "sethostname", errno, "%s", c->hostname);
  if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
    die(EXIT_SETUP, "domainname", "setdomainname", errno, "%s", c->domainname);
  if ((c->clone_flags & CLONE_NEWNET) && bring_loopback_up() < 0)
    die(EXIT_SETUP, "loopback", failed_call, errno, "lo");
  if (c->bridge)
    make_bridge(c);
  if (c->network && configure_link(SANDBOX_LINK, &c->network_address, c->network_gateway) < 0)
    die(EXIT_SETUP, "veth", "rtnetlink", errno, "%s %s/%d", SANDBOX_LINK, inet_ntoa(c->network_address.addr),
        c->network_address.prefix);
  if (c->no_new_privs && set_no_new_privs() < 0)
    die(EXIT_SETUP, "no-new-privs", "prctl", errno, "PR_SET_NO_NEW_PRIVS");
  if (block_terminal_injection() < 0)
    die(EXIT_SETUP, "terminal-guard", "seccomp", errno, "TIOCSTI");
  if (c->limit_capabilities && limit_bounding_set(c->capabilities) < 0)
    die(EXIT_SETUP, "capabilities", "prctl", errno, "the bounding set");
  if (switch_identity(c) < 0)
    die(EXIT_SETUP, "identity", failed_call, errno, "uid %lld gid %lld", (long long)c->uid, (long long)c->gid);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) /* a change of identity cleared it */
    die(EXIT_SETUP, "identity", "prctl", errno, "PR_SET_PDEATHSIG");
  if (c->limit_capabilities && set_capabilities(c->capabilities, getuid() != 0) < 0)
    die(EXIT_SETUP, "capabilities", "capset", errno, "the capability sets");
  if (c->cwd && chdir(c->cwd) < 0)
    die(EXIT_SETUP, "cwd", "chdir", errno, "%s", c->cwd);
  if (c->keep) {
    /* dies with the helper, and so with nsrun, until nsrun has recorded it: no holder is unknown */
    report_ready(nsdir, REPORT_READY);
    if (c->commit_fd && wait_for_commit(c->commit_fd) < 0)
      die(EXIT_SETUP, "keep", "read", errno, "the commit fd");
    if (detach_holder() < 0)
      die(EXIT_SETUP, "keep", "setsid", errno, "the holder");
    hold_namespaces();
  }
  if (c->init)
    run_init(c, nsdir);
  report_ready(nsdir, REPORT_READY);
  exec_command(c);
}

/* Creates the sandbox's first process in new namespaces (all but time, which
 * it enters itself) and keeps /proc/<pid> open for what follows. */
static void start_child(const struct config *c, struct sandbox *sb)
{
  char path[32];
  if (pipe2(sb->sync_fd, O_CLOEXEC) < 0 || pipe2(sb->report_fd, O_CLOEXEC) < 0)
    die(EXIT_SETUP, "clone", "pipe2", errno, "");
  int flags = c->clone_flags & ~CLONE_NEWTIME;
  sb->exit_report_fd = -1;
  /* a fork-like clone: the child continues here, on a copy of this stack */
  sb->child = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (sb->child < 0)
    die(EXIT_SETUP, "clone", "clone", errno, "");
  if (sb->child == 0)
    child_main(c, sb);
  close(sb->sync_fd[0]);
  close(sb->report_fd[1]);
  snprintf(path, sizeof path, "%d", (int)sb->child);
  sb->procfd = openat(host_proc, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (sb->procfd < 0)
    die(EXIT_SETUP, "clone", "open", errno, "/proc/%s", path);
  sb->command_is_ns_init = (c->clone_flags & CLONE_NEWPID) && !c->init;
  sb->init_queues_signals = c->init;
}

/* Whether the helper is in the foreground process group of the terminal it reads and writes. */
static bool in_foreground(void)
{
  struct stat in, out;
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || fstat(STDIN_FILENO, &in) < 0 ||
      fstat(STDOUT_FILENO, &out) < 0 || in.st_rdev != out.st_rdev)
    return false;
  return tcgetsid(STDIN_FILENO) == getsid(0) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* Ends the stand-in, if there is one. */
static void end_stand_in(void)
{
  if (stand_in <= 0)
    return;
  kill(stand_in, SIGKILL);
  while (waitpid(stand_in, NULL, 0) < 0 && errno == EINTR)
    ;
  stand_in = -1;
}

/* Handed over (no parent-pid), the helper leads the caller's job: the shell made nsrun its
 * leader. When it gives the sandbox the terminal (take_terminal) it joins the sandbox's group,
 * which would leave the job empty, and the shell's `kill %1` would find no one. A stand-in,
 * forked before any join so that it stays in the host's pid namespace, keeps the job, and
 * passes on to the helper the signals a process sends it, as node did; the terminal's are the
 * sandbox's own. It holds no fd and dies with the helper. */
static void start_stand_in(const struct sandbox *sb)
{
  pid_t helper = getpid();
  if (getpgrp() != helper || getsid(0) == helper || !in_foreground())
    return;
  stand_in = fork();
  if (stand_in != 0)
    return; /* the helper; -1: no stand-in, and the sandbox stays in the caller's job */
  syscall(SYS_close_range, 0U, ~0U, 0U);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != helper)
    _exit(0);
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&sb->signals, &si);
    if (sig > 0 && si.si_code != SI_KERNEL && sig != SIGCHLD && sig != SIGPIPE && sig != SIGTSTP)
      kill(helper, sig);
  }
}

/* When nsrun is a foreground job of its own on the terminal it reads and
 * writes (it leads the terminal's foreground process group), makes the sandbox
 * a job of its own in the foreground, as a shell does for a job: a shell inside
 * then finds its process group (invisible across a new pid namespace otherwise)
 * and the terminal's signals go to the sandbox alone. The helper joins that
 * group, to act for a PID 1 that cannot get them. When nsrun shares its group
 * with others (the recipes of `make -j`, a shell script's commands), the
 * sandbox stays in it, as unshare's and bwrap's do, so that one Ctrl-C reaches
 * every member of the job. nsrun leads the job from node (the helper's parent),
 * or, handed over, as the helper itself, with a stand-in that keeps the job. */
static void take_terminal(struct sandbox *sb)
{
  /* handed over as a session leader (script -c 'exec nsrun'), the helper cannot change group: the
   * sandbox gets the terminal, and the helper stays out of its group */
  bool leads_session = getsid(0) == getpid();
  if (!in_foreground() || (getpgrp() != getppid() && stand_in <= 0 && !leads_session)) { /* the job is more than nsrun */
    end_stand_in();
    return;
  }
  int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) {
    end_stand_in();
    return;
  }
  caller_pgrp = getpgrp();
  if (setpgid(sb->child, sb->child) < 0 || (!leads_session && setpgid(0, sb->child) < 0) || tcsetpgrp(fd, sb->child) < 0) {
    setpgid(0, caller_pgrp);
    setpgid(sb->child, caller_pgrp);
    close(fd);
    end_stand_in();
    return; /* the sandbox still runs, as part of the caller's job */
  }
  tty_fd = fd;
}

/* Hands the terminal back to the job that ran nsrun. */
static void give_terminal_back(void)
{
  if (tty_fd < 0)
    return;
  setpgid(0, caller_pgrp);
  tcsetpgrp(tty_fd, caller_pgrp);
  close(tty_fd);
  tty_fd = -1;
  end_stand_in();
}

/* Prepares the grace period of --stop-timeout, when there is one. */
static void arm_stop_timer(const struct config *c, struct sandbox *sb)
{
  sb->stop_timer = -1;
  sb->stop_timeout = c->stop_timeout;
  if (c->stop_timeout >= 0 && (sb->stop_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0)
    die(EXIT_SETUP, "clone", "timerfd_create", errno, "");
}

/* Writes one map file of the child through its /proc directory; returns -1 with errno set. */
static int write_map_file(int procfd, const char *file, const char *text, size_t len)
{
  failed_file = file;
  int fd = openat(procfd, file, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_call("open");
  if (write(fd, text, len) != (ssize_t)len) { /* the kernel takes a map in one write */
    int saved = errno;
    close(fd);
    errno = saved;
    return fail_call("write");
  }
  close(fd);
  return 0;
}

static int write_map(int procfd, const char *file, const struct id_map *map)
{
  static char text[MAX_MAP_LINES * 33 + 1];
  size_t len = 0;
  for (size_t i = 0; i < map->len; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%u %u %u\n", map->lines[i].inside,
                            map->lines[i].outside, map->lines[i].count);
  return write_map_file(procfd, file, text, len);
}

/* Runs newuidmap or newgidmap for the child; returns -1 with errno set. */
static int run_map_program(const char *program, pid_t child, const struct id_map *map)
{
  failed_file = strstr(program, "gid") ? "gid_map" : "uid_map";
  char *argv[2 + 3 * MAX_MAP_LINES + 1];
  static char numbers[1 + 3 * MAX_MAP_LINES][12];
  char *const env[] = { NULL };
  int status, n = 0;
  argv[n++] = (char *)program;
  snprintf(numbers[0], sizeof numbers[0], "%d", (int)child);
  argv[n++] = numbers[0];
  for (size_t i = 0; i < map->len; i++) {
    const uint32_t f[3] = { map->lines[i].inside, map->lines[i].outside, map->lines[i].count };
    for (int j = 0; j < 3; j++) {
      snprintf(numbers[n - 1], sizeof numbers[0], "%u", f[j]);
      argv[n] = numbers[n - 1];
      n++;
    }
  }
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid < 0)
    return fail_call("fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(program, argv, env);
    _exit(EXIT_CANNOT_EXEC);
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return fail_call("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errno = WIFEXITED(status) && WEXITSTATUS(status) == EXIT_CANNOT_EXEC ? EACCES : EPERM;
    return fail_call(strrchr(program, '/') + 1);
  }
  return 0;
}

/* The one writer of both maps: uid_map, then setgroups, then gid_map;
 * returns -1 with errno set. */
static int write_id_maps(const struct config *c, const struct sandbox *sb)
{
  if (c->newuidmap) {
    if (run_map_program(c->newuidmap, sb->child, &c->uid_map) < 0)
      return -1;
  } else if (c->uid_map.len && write_map(sb->procfd, "uid_map", &c->uid_map) < 0) {
    return -1;
  }
  if (c->setgroups == SETGROUPS_DENY && write_map_file(sb->procfd, "setgroups", "deny", 4) < 0)
    return -1;
  if (c->newgidmap)
    return run_map_program(c->newgidmap, sb->child, &c->gid_map);
  if (c->gid_map.len && write_map(sb->procfd, "gid_map", &c->gid_map) < 0)
    return -1;
  return 0;
}

/* Ends the child that never ran the command, then reports why. */
static noreturn void abandon_child(struct sandbox *sb, const struct report *r)
{
  kill(sb->child, SIGKILL);
  while (waitpid(sb->child, NULL, 0) < 0 && errno == EINTR)
    ;
  fail_with(r);
}

/* Starts the network backend once the namespaces and their id maps exist, and
 * waits until it has configured the network: the command starts with it up.
 * A backend that fails is followed by the fallback, if any; returns the index
 * of the one that runs, which the child is told for its resolv.conf. */
static char connect_network(const struct config *c, struct sandbox *sb)
{
  struct backend *b = &sb->network;
  for (size_t i = 0; i < c->networks_len; i++) {
    if (start_backend(c, i, sb->procfd, b) == 0 && wait_for_backend(b, sb->child, NETWORK_READY_MS) == 0 &&
        publish_ports(c, i, b, NETWORK_READY_MS) == 0)
      return (char)i;
    if (i + 1 == c->networks_len)
      break;
    stop_backend(b);
  }
  struct report r = { .kind = REPORT_ERROR, .err = errno, .exit_code = EXIT_SETUP, .step = "network" };
  snprintf(r.syscall, sizeof r.syscall, "%s", b->failed_call);
  snprintf(r.detail, sizeof r.detail, "%s", b->message);
  stop_backend(b);
  abandon_child(sb, &r);
}

static void write_id_maps_and_release(const struct config *c, struct sandbox *sb)
{
  if ((c->clone_flags & CLONE_NEWUSER) && write_id_maps(c, sb) < 0) {
    struct report r = { .kind = REPORT_ERROR, .err = errno, .exit_code = EXIT_SETUP, .step = "id-maps" };
    snprintf(r.syscall, sizeof r.syscall, "%s", failed_call);
    snprintf(r.detail, sizeof r.detail, "/proc/%d/%s", (int)sb->child, failed_file);
    abandon_child(sb, &r);
  }
  if (c->network && connect_sandbox(c, sb) < 0) {
    struct report r = { .kind = REPORT_ERROR, .err = errno, .exit_code = EXIT_SETUP, .step = "veth" };
    snprintf(r.syscall, sizeof r.syscall, "%s", failed_call);
    snprintf(r.detail, sizeof r.detail, "%s", c->network);
    abandon_child(sb, &r);
  }
  char network = c->network_backend ? connect_network(c, sb) : 0;
  if (write_all(sb->sync_fd[1], &network, 1) < 0) /* releases the child, telling it which backend runs */
    die(EXIT_SETUP, "clone", "write", errno, "the sync pipe");
  close(sb->sync_fd[1]);
}

/* A signal that asks a program to stop: relaying one starts the grace period of --stop-timeout. */
static bool asks_to_stop(int sig)
{
  return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
}

/* Starts the grace period after which the sandbox is killed, once. */
static void start_stop_timer(struct sandbox *sb)
{
  struct itimerspec at = { .it_value = { sb->stop_timeout, sb->stop_timeout ? 0 : 1 } };
  struct itimerspec armed;
  if (sb->stop_timer < 0 || timerfd_gettime(sb->stop_timer, &armed) < 0 || armed.it_value.tv_sec || armed.it_value.tv_nsec)
    return;
  timerfd_settime(sb->stop_timer, 0, &at, NULL);
}

static bool default_action_terminates(int sig)
{
  return sig != SIGWINCH && sig != SIGCHLD && sig != SIGCONT && sig != SIGURG;
}

/* Whether the child catches or ignores sig, from /proc/<pid>/status. */
static bool child_handles(const struct sandbox *sb, int sig)
{
  char buf[4096];
  unsigned long long caught = 0, ignored = 0;
  int fd = openat(sb->procfd, "status", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  const char *p = strstr(buf, "\nSigIgn:");
  const char *q = strstr(buf, "\nSigCgt:");
  if (p)
    ignored = strtoull(p + 8, NULL, 16);
  if (q)
    caught = strtoull(q + 8, NULL, 16);
  return ((caught | ignored) >> (sig - 1)) & 1;
}

/* Passes a signal sent to the helper on to the sandbox (docs/signals.md).
 * A terminal's signals reach the command's process group without help;
 * nsrun's relay of the same signal is then dropped. A signal the command
 * cannot receive (not yet running, unless the PID 1 of --init queues it for
 * the command, or a namespace init without a handler, which the kernel
 * protects) gets its default action: the sandbox ends. */
static void relay_signal(struct sandbox *sb, const struct signalfd_siginfo *si)
{
  int sig = (int)si->ssi_signo;
  int64_t now = monotonic_ms();
  if (sig == CALLER_GONE_SIGNAL && sb->join)
    end_command_group(sb);
  if (sb->own_group && asks_to_stop(sig))
    sb->group_stopping = true;
  if (sig == SIGPIPE || sig == SIGTSTP)
    return;
  if (si->ssi_code == SI_KERNEL) {
    /* nsrun got a copy too when it is in the group the terminal signalled: this one,
     * unless the sandbox holds the terminal; and a hangup reaches nsrun as session leader */
    if (now - sb->terminal_signal_at[sig] >= TERMINAL_ECHO_MS)
      sb->echoes_due[sig] = 0;
    if (tty_fd < 0 || sig == SIGHUP)
      sb->echoes_due[sig]++;
    sb->terminal_signal_at[sig] = now;
    if (sb->own_group && tty_fd < 0) /* the terminal's job is the caller's, not the command's group: pass it on */
      kill(-sb->child, sig);
  } else if (sb->caller_relays && (pid_t)si->ssi_pid == getppid() && sb->echoes_due[sig] > 0 && now - sb->terminal_signal_at[sig] < TERMINAL_ECHO_MS) {
    sb->echoes_due[sig]--; /* nsrun's relay of a signal the command has had */
    return;
  } else if (sb->command_running || sb->init_queues_signals) {
    /* a stop signal, to the command's whole group; the init of --init takes one at any time, since it
     * runs with the helper's signals blocked: the command may run before PID 1 has said so */
    kill(sb->group_stopping && sb->command_running ? -sb->child : sb->child, sig);
    if (asks_to_stop(sig))
      start_stop_timer(sb);
  }
  if (asks_to_stop(sig) && tty_fd >= 0 && sb->command_running)
    kill(-sb->child, SIGCONT); /* a job stopped by Ctrl-Z must run to take it, as a shell's kill does */
  if (!default_action_terminates(sig) || sb->emulated_signal)
    return;
  if ((!sb->command_running && !sb->init_queues_signals) || (sb->command_is_ns_init && !child_handles(sb, sig))) {
    sb->emulated_signal = sig;
    kill(sb->child, SIGKILL);
  }
}

/* Waits until the command runs (reporting its pid and namespaces) or setup fails. */
static void wait_until_running(struct sandbox *sb)
{
  struct report r;
  bool ready = false;
  for (;;) {
    struct pollfd fds[2] = { { sb->report_fd[0], POLLIN, 0 }, { sb->sigfd, POLLIN, 0 } };
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      die(EXIT_SETUP, "clone", "poll", errno, "");
    }
    /* the report first, until it is drained: a signal sent once the command runs must find it running */
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(sb->report_fd[0], &r, sizeof r);
      if (n < 0 && errno == EINTR)
        continue;
      if (n == sizeof r && (r.kind == REPORT_READY || r.kind == REPORT_INIT_READY)) {
        memcpy(sb->inodes, r.inodes, sizeof sb->inodes);
        ready = true;
        if (r.kind == REPORT_INIT_READY) { /* PID 1 keeps the pipe, for end_init */
          sb->exit_report_fd = sb->report_fd[0];
          sb->report_fd[0] = -1;
          break;
        }
        /* a keeper outlives the front from here: should nsrun die before the commit, the holder
         * ends (commit-fd), and with it the keeper and the backend; after it, they stay together */
        if (sb->keep && verdict_fd >= 0 && prctl(PR_SET_PDEATHSIG, 0) < 0)
          die(EXIT_SETUP, "keep", "prctl", errno, "PR_SET_PDEATHSIG");
        if (sb->keep) /* at once: the holder waits to be recorded (commit-fd), then closes the pipe */
          report_running(sb);
      } else if (n == sizeof r && r.kind == REPORT_ERROR) {
        abandon_child(sb, &r);
      } else {
        break; /* end of file: the command was executed, or the child died; supervise() takes pending signals */
      }
      continue;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sb->sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
        relay_signal(sb, &si);
    }
  }
  if (sb->report_fd[0] >= 0)
    close(sb->report_fd[0]);
  if (sb->keep && waitpid(sb->child, NULL, WNOHANG) != 0)
    die(EXIT_SETUP, "keep", NULL, 0, "the holder ended before it was committed");
  if (!ready || sb->keep)
    return; /* died during setup: killed by a signal, reported by supervise(); or a holder, reported when ready */
  report_running(sb);
}

/* Tells the caller the command (or the holder) runs: its pid and namespaces. */
static void report_running(struct sandbox *sb)
{
  sb->command_running = true;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now); /* cannot fail for this clock */
  char line[96 + NS_KINDS * 40];
  int n = snprintf(line, sizeof line, "{\"child-pid\":%d,\"executed-us\":%lld,\"namespaces\":{", (int)sb->child,
                   (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000);
  for (int k = 0; k < NS_KINDS; k++)
    n += snprintf(line + n, sizeof line - (size_t)n, "%s\"%s\":%llu", k ? "," : "", ns_kinds[k].name,
                  (unsigned long long)sb->inodes[k]);
  if (sb->network.pid > 0)
    emit_status("%s},\"network\":{\"backend\":\"%s\",\"pid\":%d}}", line, sb->network.name, (int)sb->network.pid);
  else
    emit_status("%s}}", line);
}

/* With --init, the signal the command died of, as PID 1 reported it before it exited; else 0. */
static int init_command_signal(const struct sandbox *sb)
{
  struct report r;
  if (sb->exit_report_fd < 0 || fcntl(sb->exit_report_fd, F_SETFL, O_NONBLOCK) < 0 ||
      read(sb->exit_report_fd, &r, sizeof r) != sizeof r || r.kind != REPORT_EXIT)
    return 0;
  return r.signal > 0 && r.signal < NSIG ? r.signal : 0;
}

/* Relays signals until the sandbox's first process ends; returns the helper's exit code. */
static int supervise(struct sandbox *sb)
{
  for (;;) {
    int status;
    pid_t p = waitpid(sb->child, &status, WNOHANG);
    if (p == sb->child) {
      int sig = WIFSIGNALED(status) ? WTERMSIG(status) : init_command_signal(sb);
      if (sig == SIGKILL && sb->emulated_signal)
        sig = sb->emulated_signal;
      if (sig) {
        emit_status("{\"exit-code\":%d,\"signal\":%d}", 128 + sig, sig);
        return 128 + sig;
      }
      emit_status("{\"exit-code\":%d}", WEXITSTATUS(status));
      return WEXITSTATUS(status);
    }
    if (p < 0 && errno != EINTR)
      die(EXIT_SETUP, "wait", "waitpid", errno, "");
    struct pollfd fds[2] = { { sb->sigfd, POLLIN, 0 }, { sb->stop_timer, POLLIN, 0 } };
    if (poll(fds, sb->stop_timer < 0 ? 1 : 2, -1) < 0)
      continue;
    if (fds[1].revents & POLLIN) {
      uint64_t expirations;
      if (read(sb->stop_timer, &expirations, sizeof expirations) == sizeof expirations)
        kill(sb->child, SIGKILL); /* the grace period is over: the whole pid namespace ends */
    }
    struct signalfd_siginfo si;
    if ((fds[0].revents & POLLIN) && read(sb->sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
      relay_signal(sb, &si);
  }
}

/* An exec's helper hears of nsrun's death (even by SIGKILL) instead of dying at once, so that it
 * can end the command's whole process group, which would outlive it otherwise. */
static void end_group_with_caller(const struct config *c, struct sandbox *sb)
{
  sb->join = true;
  if (!c->parent_pid) /* the helper is what the shell waits for (nsrun handed its process over) */
    return;
  sigaddset(&sb->signals, CALLER_GONE_SIGNAL);
  if (sigprocmask(SIG_BLOCK, &sb->signals, NULL) < 0 || signalfd(sb->sigfd, &sb->signals, 0) < 0)
    die(EXIT_SETUP, "signals", "signalfd", errno, "");
  if (prctl(PR_SET_PDEATHSIG, CALLER_GONE_SIGNAL) < 0)
    die(EXIT_SETUP, "config", "prctl", errno, "PR_SET_PDEATHSIG");
  if (c->parent_pid && getppid() != c->parent_pid)
    die(EXIT_SETUP, "config", NULL, 0, "the calling process %d is gone", (int)c->parent_pid);
}

/* An exec that nsrun handed its process to (no parent-pid): a kill -9 of nsrun kills the helper,
 * which can then end nothing. A watcher, forked before the join in the host's namespaces, learns
 * the command's group and kills it once the helper is gone (end of file on the pipe), as
 * end_command_group does when nsrun dies; a byte from the helper says it ended the command itself.
 * The command dies with the helper on its own (PR_SET_PDEATHSIG). */
static void start_group_watcher(void)
{
  int fds[2];
  int32_t group = 0;
  char done;
  if (pipe2(fds, O_CLOEXEC) < 0)
    die(EXIT_SETUP, "join", "pipe2", errno, "the watcher's pipe");
  pid_t pid = fork();
  if (pid < 0)
    die(EXIT_SETUP, "join", "fork", errno, "the watcher");
  if (pid > 0) {
    close(fds[0]);
    watcher_fd = fds[1];
    return;
  }
  /* holds nothing of the sandbox's or the caller's: no stream stays open for it */
  if (dup2(fds[0], 0) < 0)
    _exit(0);
  syscall(SYS_close_range, 1U, ~0U, 0U);
  if (read(0, &group, sizeof group) == sizeof group && group > 0 && read(0, &done, 1) == 0)
    kill(-group, SIGKILL);
  _exit(0);
}

/* Tells the watcher the command's group (0: none of its own), then that the helper has ended it. */
static void tell_watcher(const struct sandbox *sb, bool ended)
{
  int32_t group = sb->own_group ? sb->child : 0;
  if (watcher_fd >= 0)
    write_all(watcher_fd, ended ? "" : (const char *)&group, ended ? 1 : sizeof group);
}

/* Kills what is left of the command's process group (its children, which joined
 * no group of their own) once the command has ended after a stop signal, or nsrun is gone. */
static void kill_command_group(const struct sandbox *sb)
{
  if (sb->own_group && sb->group_stopping)
    kill(-sb->child, SIGKILL);
}

/* nsrun is gone: the command and its group end with it, as the sandbox would end with a pid namespace's init. */
static noreturn void end_command_group(struct sandbox *sb)
{
  give_terminal_back();
  kill(sb->child, SIGKILL);
  if (sb->own_group)
    kill(-sb->child, SIGKILL);
  while (waitpid(sb->child, NULL, 0) < 0 && errno == EINTR)
    ;
  _exit(128 + SIGKILL);
}

/* Before the helper enters another sandbox's namespaces ("join", "join-network"): forks the
 * process that tells a setup failure, so that it runs where nsrun does. Executed in the
 * sandbox's namespaces, it would be a process of the sandbox's with the host's root, which root
 * inside could reach through /proc/PID/root or ptrace. It waits on a socket for the failure
 * record (explain_outside), and at end of file, once the command runs, exits. */
static void fork_explainer(void)
{
  int fds[2];
  struct report r;
  if (!explainer || !config_text || status_fd >= 0)
    return;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    die(EXIT_SETUP, "join", "socketpair", errno, "the explainer's socket");
  explainer_pid = fork();
  if (explainer_pid < 0)
    die(EXIT_SETUP, "join", "fork", errno, "the explainer");
  if (explainer_pid > 0) {
    close(fds[0]);
    explain_fd = fds[1];
    return;
  }
  close(fds[1]);
  if (recv(fds[0], &r, sizeof r, MSG_WAITALL) != (ssize_t)sizeof r)
    _exit(0);
  fail_with(&r);
}

/* The command runs: the explainer forked before the join is not needed, and ends. */
static void dismiss_explainer(void)
{
  if (explain_fd >= 0)
    close(explain_fd);
  explain_fd = -1;
  explainer = NULL; /* a later failure is in the sandbox's namespaces: the helper tells it */
}

static void open_host_proc(void)
{
  host_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_proc < 0)
    die(EXIT_SETUP, "config", "open", errno, "/proc");
}

/* Enters the namespaces of the "join" target (docs/contract.md): opens everything
 * first, enters them, then its root and cwd; the command runs as the target's ids in
 * its user namespace unless uid/gid are given. start_child forks after this, so the
 * command is inside a joined pid namespace. */
static void join_namespaces(struct config *c)
{
  struct join_target t;
  if (open_join_target(host_proc, c, &t) < 0 || enter_namespaces(&t) < 0 || enter_target_root(&t) < 0)
    die(EXIT_SETUP, "join", t.call, errno, "/proc/%d%s%s", (int)c->join_pid, t.file ? "/" : "", t.file ? t.file : "");
  if (c->uid < 0)
    c->uid = t.uid;
  if (c->gid < 0)
    c->gid = t.gid;
  if (t.setgroups_denied)
    c->setgroups = SETGROUPS_DENY;
  close_join_target(&t);
}

/* Enters the network namespace of the "join-network" process (after its user
 * namespace, when asked: only there may an unprivileged caller enter it), where
 * the sandbox's other namespaces are then created. */
static void enter_network_of(const struct config *c)
{
  char path[48];
  const char *files[] = { c->network_of_user ? "user" : NULL, "net" };
  for (size_t i = 0; i < 2; i++) {
    if (!files[i])
      continue;
    snprintf(path, sizeof path, "%d/ns/%s", (int)c->network_of, files[i]);
    int fd = openat(host_proc, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      die(EXIT_SETUP, "join", "open", errno, "/proc/%s", path);
    if (setns(fd, 0) < 0)
      die(EXIT_SETUP, "join", "setns", errno, "/proc/%s", path);
    close(fd);
  }
}

/* A kept sandbox with a backend: the backend, the helper's child, must live as long as the
 * holder, but nsrun waits for the helper's end. So the helper splits: the front, which nsrun
 * waits for, only exits with the code its keeper tells it (or with the keeper's own end); the
 * keeper does the work and stays (keep_network). It dies with the front until the holder is ready. */
static void split_off_keeper(void)
{
  int verdict[2];
  if (pipe2(verdict, O_CLOEXEC) < 0)
    die(EXIT_SETUP, "keep", "pipe2", errno, "the keeper's pipe");
  pid_t front = getpid();
  pid_t keeper = fork();
  if (keeper < 0)
    die(EXIT_SETUP, "keep", "fork", errno, "the network's keeper");
  if (keeper == 0) {
    close(verdict[0]);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != front)
      die(EXIT_SETUP, "keep", "prctl", errno, "PR_SET_PDEATHSIG");
    verdict_fd = verdict[1];
    return;
  }
  close(verdict[1]);
  unsigned char code;
  ssize_t n;
  do
    n = read(verdict[0], &code, 1);
  while (n < 0 && errno == EINTR);
  if (n == 1)
    _exit(code);
  int status; /* the keeper ended before its verdict: it said why on the status fd */
  while (waitpid(keeper, &status, 0) < 0 && errno == EINTR)
    ;
  _exit(exit_code_of(status));
}

/* The keeper, once the holder is committed: lets nsrun go (the front exits 0), leaves the
 * caller's session and fds, and lives until the holder or the backend ends, then ends the
 * backend: the backend lives exactly as long as the kept sandbox. */
static noreturn void keep_network(const struct config *c, struct sandbox *sb)
{
  unsigned char ok = 0;
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0)
    die(EXIT_SETUP, "keep", "open", errno, "/dev/null");
  if (detach_holder() < 0)
    die(EXIT_SETUP, "keep", "setsid", errno, "the network's keeper");
  for (int fd = 0; fd < 3; fd++)
    if (fd != sb->sigfd) /* which may have taken the config's fd 0 */
      dup2(null, fd); /* the caller's terminal and pipes are not the keeper's */
  close(null);
  if (c->commit_fd)
    close(c->commit_fd);
  if (status_fd > 2)
    close(status_fd);
  status_fd = -1;
  /* a front that is gone (nsrun was killed once the holder was committed) reads no verdict:
   * the sandbox is kept all the same, and its backend with it */
  (void)write_all(verdict_fd, &ok, 1);
  close(verdict_fd);
  /* looks before each wait: the SIGCHLD of a holder that ended before the commit (nsrun died)
   * may have been read already, while the helper waited for it to run */
  for (;;) {
    struct signalfd_siginfo si;
    if (waitpid(sb->child, NULL, WNOHANG) == sb->child)
      break;
    if (waitpid(sb->network.pid, NULL, WNOHANG) == sb->network.pid) {
      sb->network.pid = 0;
      break;
    }
    while (read(sb->sigfd, &si, sizeof si) != sizeof si || si.ssi_signo != SIGCHLD)
      ;
  }
  stop_backend(&sb->network);
  _exit(0);
}

int main(int argc, char **argv)
{
  static struct config config;
  static struct sandbox sb;
  int config_fd;
  const char *config_env;

  refuse_setuid();
  parse_arguments(argc, argv, &config_fd, &config_env);
  if (config_env)
    read_config_env(config_env, &config);
  else
    read_config(config_fd, &config);
  if (config.lock_fd) { /* before the fds are closed: the lock's is one of them */
    take_lock(&config);
    return 0;
  }
  close_inherited_fds(&config);
  if (config.query)
    return query_namespaces(config.query, status_fd >= 0 ? status_fd : STDOUT_FILENO) < 0 ? EXIT_SETUP : 0;
  if (config.remove_bridge) {
    delete_bridge(&config);
    return 0;
  }
  if (config.bridge && !config.keep) {
    make_bridge(&config);
    return 0;
  }
  die_with_parent(&config);
  if (config.keep && config.network_backend)
    split_off_keeper();
  block_signals(&config, &sb);
  sb.caller_relays = config.parent_pid != 0;
  if (config.join_pid)
    end_group_with_caller(&config, &sb);
  open_host_proc();
  if (config.join_pid || config.network_of)
    fork_explainer();
  if (config.join_pid && !config.parent_pid)
    start_group_watcher();
  if (!config.parent_pid && !config.keep)
    start_stand_in(&sb);
  if (config.join_pid)
    join_namespaces(&config);
  if (config.network_of)
    enter_network_of(&config);
  if (config.hub_pid)
    enter_hub(&config);
  sb.keep = config.keep;
  start_child(&config, &sb);
  arm_stop_timer(&config, &sb);
  take_terminal(&sb);
  sb.own_group = sb.join && (!isatty(STDIN_FILENO) || tty_fd >= 0);
  tell_watcher(&sb, false);
  write_id_maps_and_release(&config, &sb);
  wait_until_running(&sb);
  if (config.keep && config.network_backend)
    keep_network(&config, &sb);
  dismiss_explainer();
  if (config.keep)
    return 0; /* the holder lives on; nsrun records it */
  int code = supervise(&sb);
  stop_backend(&sb.network);
  give_terminal_back();
  kill_command_group(&sb);
  tell_watcher(&sb, true);
  return code;
}
