/* Hardening steps of the sandbox's first process: no_new_privs, a guard for the
 * caller's terminal, and the capability sets. */
#define _GNU_SOURCE
#include "harden.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define COMPAT_ARCH AUDIT_ARCH_I386
#define COMPAT_IOCTL 54 /* i386 */
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define COMPAT_ARCH AUDIT_ARCH_ARM
#define COMPAT_IOCTL 54 /* arm */
#else
#error "nsrun-helper: add this architecture's seccomp audit arch"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG1_LOW offsetof(struct seccomp_data, args[1])
#else
#define ARG1_LOW (offsetof(struct seccomp_data, args[1]) + 4)
#endif

int set_no_new_privs(void)
{
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int block_terminal_injection(void)
{
  struct sock_filter filter[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 2),
    /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 3, 7),
    /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_ARCH, 0, 6),
    /* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_IOCTL, 0, 4),
    /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG1_LOW),
    /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 1, 0),
    /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 0, 1),
    /* 10 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    /* 11 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = { sizeof filter / sizeof filter[0], filter };
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program);
}

/* The highest capability this kernel knows; returns -1 with errno set. */
static int last_capability(void)
{
  char buf[16] = { 0 };
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) {
    errno = EIO;
    return -1;
  }
  return atoi(buf);
}

static int capset_all(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = {
    { (uint32_t)effective, (uint32_t)permitted, (uint32_t)inheritable },
    { (uint32_t)(effective >> 32), (uint32_t)(permitted >> 32), (uint32_t)(inheritable >> 32) },
  };
  return (int)syscall(SYS_capset, &header, data);
}

static int capget_permitted(uint64_t *permitted)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data) < 0)
    return -1;
  *permitted = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
  return 0;
}

int limit_bounding_set(uint64_t keep)
{
  uint64_t permitted;
  int last = last_capability();
  if (last < 0 || capget_permitted(&permitted) < 0)
    return -1;
  for (int cap = 0; cap <= last && cap < 64; cap++)
    if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return -1;
  if (capset_all(permitted, permitted, keep & permitted) < 0)
    return -1;
  return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
}

int set_capabilities(uint64_t keep, bool ambient)
{
  uint64_t permitted;
  if (capget_permitted(&permitted) < 0)
    return -1;
  keep &= permitted;
  if (capset_all(keep, keep, keep) < 0)
    return -1;
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return -1;
  for (int cap = 0; ambient && cap < 64; cap++)
    if ((keep >> cap & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return -1;
  return 0;
}
