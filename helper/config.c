/* Validation of the config document: every member known, typed and in range. */
#define _GNU_SOURCE
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct ns_kind ns_kinds[NS_KINDS] = {
  { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },     { "pid", CLONE_NEWPID },       { "net", CLONE_NEWNET },
  { "uts", CLONE_NEWUTS },   { "ipc", CLONE_NEWIPC },    { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

#define MAX_ARGS 4096
#define MAX_EXPLAIN_ARGS 16
#define MAX_ENV 65536
#define MAX_ARG_BYTES (128 * 1024) /* the kernel's MAX_ARG_STRLEN */
#define MAX_UTS_NAME 64
#define MAX_OFFSET INT64_C(4611686018) /* KTIME_SEC_MAX / 2, the kernel's limit of an offset clock */
#define MAX_QUERY 65536
#define MAX_TMPFS_SIZE (INT64_C(1) << 50)
#define MAX_NETWORK_ARGS 4096

struct checker {
  char *err;
  size_t errlen;
};

static int bad(struct checker *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct checker *ck, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ck->err, ck->errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int want_type(struct checker *ck, const char *key, const struct json *v, enum json_type t)
{
  static const char *const names[] = { "null", "a boolean", "an integer", "a string", "an array", "an object" };
  if (v->type != t)
    return bad(ck, "member \"%s\": expected %s, got %s", key, names[t], names[v->type]);
  return 0;
}

static int want_range(struct checker *ck, const char *key, const struct json *v, int64_t lo, int64_t hi, int64_t *out)
{
  if (want_type(ck, key, v, JSON_INT) < 0)
    return -1;
  if (v->u.integer < lo || v->u.integer > hi)
    return bad(ck, "member \"%s\": %lld is out of range %lld..%lld", key, (long long)v->u.integer, (long long)lo,
               (long long)hi);
  *out = v->u.integer;
  return 0;
}

static int want_bool(struct checker *ck, const char *key, const struct json *v, bool *out)
{
  if (want_type(ck, key, v, JSON_BOOL) < 0)
    return -1;
  *out = v->u.boolean;
  return 0;
}

/* A string of 1..max bytes; returns -1 with a message otherwise. */
static int want_string(struct checker *ck, const char *key, const struct json *v, size_t max, const char **out)
{
  if (want_type(ck, key, v, JSON_STRING) < 0)
    return -1;
  if (v->len == 0 || v->len > max)
    return bad(ck, "member \"%s\": length %zu is out of range 1..%zu", key, v->len, max);
  *out = v->u.string;
  return 0;
}

static int want_path(struct checker *ck, const char *key, const struct json *v, const char **out)
{
  if (want_string(ck, key, v, PATH_MAX - 1, out) < 0)
    return -1;
  if ((*out)[0] != '/')
    return bad(ck, "member \"%s\": \"%.64s\" is not an absolute path", key, *out);
  return 0;
}

static int want_enum(struct checker *ck, const char *key, const struct json *v, const char *const *words, int *out)
{
  if (want_type(ck, key, v, JSON_STRING) < 0)
    return -1;
  for (int i = 0; words[i]; i++)
    if (strcmp(v->u.string, words[i]) == 0) {
      *out = i;
      return 0;
    }
  return bad(ck, "member \"%s\": unknown value \"%.64s\"", key, v->u.string);
}

/* Builds a NULL-terminated vector of the strings of array v. */
static int want_strings(struct checker *ck, const char *key, const struct json *v, size_t max, char ***out)
{
  if (want_type(ck, key, v, JSON_ARRAY) < 0)
    return -1;
  if (v->len > max)
    return bad(ck, "member \"%s\": %zu entries, at most %zu allowed", key, v->len, max);
  char **vec = calloc(v->len + 1, sizeof *vec);
  if (!vec)
    return bad(ck, "out of memory");
  *out = vec;
  for (size_t i = 0; i < v->len; i++) {
    const struct json *s = &v->u.items[i];
    if (s->type != JSON_STRING || s->len > MAX_ARG_BYTES)
      return bad(ck, "member \"%s\": entry %zu is not a string of at most %d bytes", key, i, MAX_ARG_BYTES);
    vec[i] = s->u.string;
  }
  return 0;
}

static int check_command(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_strings(ck, key, v, MAX_ARGS, &c->command) < 0)
    return -1;
  if (v->len == 0 || c->command[0][0] == '\0')
    return bad(ck, "member \"%s\": the command is empty", key);
  if (strlen(c->command[0]) >= PATH_MAX)
    return bad(ck, "member \"%s\": the command name is longer than %d bytes", key, PATH_MAX - 1);
  return 0;
}

/* "explain": an absolute program and its arguments, a few of them (nsrun: node and its script). */
static int check_explain(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_strings(ck, key, v, MAX_EXPLAIN_ARGS, &c->explain) < 0)
    return -1;
  if (v->len == 0 || c->explain[0][0] != '/' || strlen(c->explain[0]) >= PATH_MAX)
    return bad(ck, "member \"%s\": the program is not an absolute path", key);
  return 0;
}

static int check_env(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  free(c->env);
  c->env = NULL;
  if (want_strings(ck, key, v, MAX_ENV, &c->env) < 0)
    return -1;
  for (size_t i = 0; c->env[i]; i++) {
    const char *eq = strchr(c->env[i], '=');
    if (!eq || eq == c->env[i])
      return bad(ck, "member \"%s\": entry %zu is not KEY=VALUE", key, i);
  }
  return 0;
}

static int want_namespaces(struct checker *ck, const char *key, const struct json *v, int *flags)
{
  if (want_type(ck, key, v, JSON_ARRAY) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    const struct json *s = &v->u.items[i];
    int k = 0;
    if (s->type != JSON_STRING)
      return bad(ck, "member \"%s\": entry %zu is not a string", key, i);
    while (k < NS_KINDS && strcmp(s->u.string, ns_kinds[k].name) != 0)
      k++;
    if (k == NS_KINDS)
      return bad(ck, "member \"%s\": unknown namespace \"%.32s\"", key, s->u.string);
    if (*flags & ns_kinds[k].flag)
      return bad(ck, "member \"%s\": \"%s\" appears twice", key, ns_kinds[k].name);
    *flags |= ns_kinds[k].flag;
  }
  return 0;
}

/* "join": {"pid": N, "namespaces": [...]}; without "namespaces", every one that differs. */
static int check_join(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  int64_t pid = 0;
  if (want_type(ck, key, v, JSON_OBJECT) < 0)
    return -1;
  c->join_all = true;
  for (size_t i = 0; i < v->len; i++) {
    if (strcmp(v->keys[i], "pid") == 0) {
      if (want_range(ck, "join.pid", &v->u.items[i], 1, INT_MAX, &pid) < 0)
        return -1;
    } else if (strcmp(v->keys[i], "namespaces") == 0) {
      if (want_namespaces(ck, "join.namespaces", &v->u.items[i], &c->join_flags) < 0)
        return -1;
      c->join_all = false;
    } else {
      return bad(ck, "member \"%s\": unknown member \"%.32s\"", key, v->keys[i]);
    }
  }
  if (pid == 0)
    return bad(ck, "member \"%s\": \"pid\" is missing", key);
  c->join_pid = (pid_t)pid;
  return 0;
}

/* "network.forwards": ["PROTO:HOST_ADDR:HOST_PORT:SANDBOX_PORT", ...], one port each: tcp or udp, a dotted IPv4 address, ports 1..65535. */
static int check_forwards(struct checker *ck, const struct json *v, struct network_entry *e)
{
  char **texts;
  struct in_addr addr;
  if (want_strings(ck, "network.forwards", v, MAX_FORWARDS, &texts) < 0)
    return -1;
  e->forwards = calloc(v->len + 1, sizeof *e->forwards);
  if (!e->forwards)
    return bad(ck, "out of memory");
  for (size_t i = 0; i < v->len; i++) {
    struct forward *f = &e->forwards[i];
    int end = 0;
    if (sscanf(texts[i], "%3[a-z]:%15[0-9.]:%5u:%5u%n", f->proto, f->host_addr, &f->host_port, &f->guest_port, &end) != 4 ||
        texts[i][end] != '\0' || (strcmp(f->proto, "tcp") != 0 && strcmp(f->proto, "udp") != 0) ||
        inet_pton(AF_INET, f->host_addr, &addr) != 1 || f->host_port < 1 || f->host_port > 65535 || f->guest_port < 1 ||
        f->guest_port > 65535)
      return bad(ck, "member \"network.forwards\": entry %zu is not PROTO:IPV4:HOST_PORT:SANDBOX_PORT", i);
  }
  e->forwards_len = v->len;
  free(texts);
  return 0;
}

/* "network" (slot 0) or "network-fallback" (slot 1): {"backend": "pasta"|"slirp4netns", "argv": [...], "resolv-conf": "...", "forwards": [...]}. */
static int check_network(struct checker *ck, const char *key, const struct json *v, struct config *c, size_t slot)
{
  static const char *const backends[] = { "none", "pasta", "slirp4netns", NULL };
  struct network_entry *e = &c->networks[slot];
  int kind = 0;
  if (want_type(ck, key, v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    if (strcmp(v->keys[i], "backend") == 0) {
      if (want_enum(ck, "network.backend", &v->u.items[i], backends, &kind) < 0)
        return -1;
    } else if (strcmp(v->keys[i], "argv") == 0) {
      if (want_strings(ck, "network.argv", &v->u.items[i], MAX_NETWORK_ARGS, &e->argv) < 0)
        return -1;
    } else if (strcmp(v->keys[i], "resolv-conf") == 0) {
      if (want_string(ck, "network.resolv-conf", &v->u.items[i], 4096, &e->resolv_conf) < 0)
        return -1;
    } else if (strcmp(v->keys[i], "forwards") == 0) {
      if (check_forwards(ck, &v->u.items[i], e) < 0)
        return -1;
    } else {
      return bad(ck, "member \"%s\": unknown member \"%.32s\"", key, v->keys[i]);
    }
  }
  if (kind == BACKEND_NONE || !e->argv || !e->argv[0] || e->argv[0][0] != '/')
    return bad(ck, "member \"%s\": needs \"backend\" and \"argv\" starting with an absolute path", key);
  e->backend = (enum backend_kind)kind;
  if (e->forwards_len && e->backend != BACKEND_SLIRP4NETNS)
    return bad(ck, "member \"%s\": \"forwards\" is for slirp4netns, whose API socket takes them", key);
  if (slot == 0)
    c->network_backend = e->backend;
  if (slot + 1 > c->networks_len)
    c->networks_len = slot + 1;
  return 0;
}

/* "join-network": {"pid": N, "user": true}. */
static int check_join_network(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  int64_t pid = 0;
  if (want_type(ck, key, v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    if (strcmp(v->keys[i], "pid") == 0) {
      if (want_range(ck, "join-network.pid", &v->u.items[i], 1, INT_MAX, &pid) < 0)
        return -1;
    } else if (strcmp(v->keys[i], "user") == 0) {
      if (want_bool(ck, "join-network.user", &v->u.items[i], &c->network_of_user) < 0)
        return -1;
    } else {
      return bad(ck, "member \"%s\": unknown member \"%.32s\"", key, v->keys[i]);
    }
  }
  if (pid == 0)
    return bad(ck, "member \"%s\": \"pid\" is missing", key);
  c->network_of = (pid_t)pid;
  return 0;
}

/* A link name: 1..15 bytes (IFNAMSIZ less its NUL) of letters, digits, '_', '.' and '-'. */
static int want_link_name(struct checker *ck, const char *key, const struct json *v, const char **out)
{
  if (want_string(ck, key, v, 15, out) < 0)
    return -1;
  if (strspn(*out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != v->len)
    return bad(ck, "member \"%s\": \"%.16s\" is not a link name", key, *out);
  return 0;
}

/* An IPv4 address "A.B.C.D", or with prefix "A.B.C.D/N" (N 1..32). */
static int want_ipv4(struct checker *ck, const char *key, const struct json *v, bool with_prefix, struct ipv4_address *out)
{
  const char *text = NULL;
  char host[16];
  if (want_string(ck, key, v, 18, &text) < 0)
    return -1;
  const char *slash = strchr(text, '/');
  size_t len = slash ? (size_t)(slash - text) : strlen(text);
  char *end = NULL;
  long prefix = slash ? strtol(slash + 1, &end, 10) : 32;
  if (len >= sizeof host || (slash != NULL) != with_prefix || (slash && (*end || end == slash + 1 || prefix < 1 || prefix > 32)))
    return bad(ck, "member \"%s\": \"%.18s\" is not %s", key, text, with_prefix ? "A.B.C.D/N" : "A.B.C.D");
  memcpy(host, text, len);
  host[len] = '\0';
  if (inet_pton(AF_INET, host, &out->addr) != 1)
    return bad(ck, "member \"%s\": \"%.18s\" is not an IPv4 address", key, text);
  out->prefix = (int)prefix;
  return 0;
}

/* "bridge": {"name": LINK, "address": "A.B.C.D/N"}. */
static int check_bridge(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_type(ck, key, v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    const struct json *item = &v->u.items[i];
    if (strcmp(v->keys[i], "name") == 0) {
      if (want_link_name(ck, "bridge.name", item, &c->bridge) < 0)
        return -1;
    } else if (strcmp(v->keys[i], "address") == 0) {
      if (want_ipv4(ck, "bridge.address", item, true, &c->bridge_address) < 0)
        return -1;
    } else {
      return bad(ck, "member \"%s\": unknown member \"%.32s\"", key, v->keys[i]);
    }
  }
  if (!c->bridge || !c->bridge_address.prefix)
    return bad(ck, "member \"%s\": needs \"name\" and \"address\"", key);
  return 0;
}

/* "veth.hub": {"pid": N, "net": INODE}. */
static int check_hub(struct checker *ck, const struct json *v, struct config *c)
{
  int64_t n = 0;
  if (want_type(ck, "veth.hub", v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    if (strcmp(v->keys[i], "pid") == 0) {
      if (want_range(ck, "veth.hub.pid", &v->u.items[i], 1, INT_MAX, &n) < 0)
        return -1;
      c->hub_pid = (pid_t)n;
    } else if (strcmp(v->keys[i], "net") == 0) {
      if (want_range(ck, "veth.hub.net", &v->u.items[i], 1, INT64_MAX, &n) < 0)
        return -1;
      c->hub_net = (uint64_t)n;
    } else {
      return bad(ck, "member \"veth.hub\": unknown member \"%.32s\"", v->keys[i]);
    }
  }
  if (!c->hub_pid || !c->hub_net)
    return bad(ck, "member \"veth.hub\": needs \"pid\" and \"net\"");
  return 0;
}

/* "veth": {"bridge": LINK, "link": LINK, "address": "A.B.C.D/N", "gateway": "A.B.C.D", "hub": {...}}. */
static int check_veth(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  struct ipv4_address gateway = { 0 };
  if (want_type(ck, key, v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    const struct json *item = &v->u.items[i];
    int rc;
    if (strcmp(v->keys[i], "bridge") == 0)
      rc = want_link_name(ck, "veth.bridge", item, &c->network);
    else if (strcmp(v->keys[i], "link") == 0)
      rc = want_link_name(ck, "veth.link", item, &c->network_link);
    else if (strcmp(v->keys[i], "address") == 0)
      rc = want_ipv4(ck, "veth.address", item, true, &c->network_address);
    else if (strcmp(v->keys[i], "gateway") == 0)
      rc = want_ipv4(ck, "veth.gateway", item, false, &gateway);
    else if (strcmp(v->keys[i], "hub") == 0)
      rc = check_hub(ck, item, c);
    else
      rc = bad(ck, "member \"%s\": unknown member \"%.32s\"", key, v->keys[i]);
    if (rc < 0)
      return -1;
  }
  if (!c->network || !c->network_link || !c->network_address.prefix || !gateway.prefix)
    return bad(ck, "member \"%s\": needs \"bridge\", \"link\", \"address\" and \"gateway\"", key);
  c->network_gateway = gateway.addr;
  return 0;
}

/* "query": the absolute paths of namespace files. */
static int check_query(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_strings(ck, key, v, MAX_QUERY, &c->query) < 0)
    return -1;
  for (size_t i = 0; c->query[i]; i++) {
    const char *path = NULL;
    if (want_path(ck, key, &v->u.items[i], &path) < 0)
      return -1;
  }
  return 0;
}

static int ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
  return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

static int check_id_map(struct checker *ck, const char *key, const struct json *v, struct id_map *map)
{
  if (want_type(ck, key, v, JSON_ARRAY) < 0)
    return -1;
  if (v->len == 0 || v->len > MAX_MAP_LINES)
    return bad(ck, "member \"%s\": %zu lines, 1..%d allowed", key, v->len, MAX_MAP_LINES);
  for (size_t i = 0; i < v->len; i++) {
    const struct json *line = &v->u.items[i];
    int64_t f[3];
    if (line->type != JSON_ARRAY || line->len != 3)
      return bad(ck, "member \"%s\": line %zu is not [inside, outside, count]", key, i);
    for (int j = 0; j < 3; j++)
      if (want_range(ck, key, &line->u.items[j], j == 2 ? 1 : 0, UINT32_MAX, &f[j]) < 0)
        return -1;
    if (f[0] + f[2] > (int64_t)UINT32_MAX + 1 || f[1] + f[2] > (int64_t)UINT32_MAX + 1)
      return bad(ck, "member \"%s\": line %zu runs past id 4294967295", key, i);
    struct id_map_line *l = &map->lines[i];
    *l = (struct id_map_line){ (uint32_t)f[0], (uint32_t)f[1], (uint32_t)f[2] };
    for (size_t j = 0; j < i; j++) {
      if (ranges_overlap(l->inside, l->count, map->lines[j].inside, map->lines[j].count))
        return bad(ck, "member \"%s\": lines %zu and %zu overlap inside", key, j, i);
      if (ranges_overlap(l->outside, l->count, map->lines[j].outside, map->lines[j].count))
        return bad(ck, "member \"%s\": lines %zu and %zu overlap outside", key, j, i);
    }
  }
  map->len = v->len;
  return 0;
}

static int check_time_offsets(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_type(ck, key, v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    int64_t *slot;
    if (strcmp(v->keys[i], "monotonic") == 0)
      slot = &c->monotonic_offset;
    else if (strcmp(v->keys[i], "boottime") == 0)
      slot = &c->boottime_offset;
    else
      return bad(ck, "member \"%s\": unknown clock \"%.32s\"", key, v->keys[i]);
    if (want_range(ck, key, &v->u.items[i], -MAX_OFFSET, MAX_OFFSET, slot) < 0)
      return -1;
  }
  c->has_time_offsets = true;
  return 0;
}

/* An array of at most 64 integers lo..lo+63, as a set: bit n-lo for n. */
static int want_bit_set(struct checker *ck, const char *key, const struct json *v, int64_t lo, uint64_t *bits)
{
  if (want_type(ck, key, v, JSON_ARRAY) < 0)
    return -1;
  if (v->len > 64)
    return bad(ck, "member \"%s\": %zu entries, at most 64 allowed", key, v->len);
  for (size_t i = 0; i < v->len; i++) {
    int64_t n = 0;
    if (want_range(ck, key, &v->u.items[i], lo, lo + 63, &n) < 0)
      return -1;
    *bits |= UINT64_C(1) << (n - lo);
  }
  return 0;
}

static int check_capabilities(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_bit_set(ck, key, v, 0, &c->capabilities) < 0)
    return -1;
  c->limit_capabilities = true;
  return 0;
}

/* "ignored-signals": the signals the caller ignores, 1..64 but SIGKILL and SIGSTOP,
 * which cannot be ignored. */
static int check_ignored_signals(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_bit_set(ck, key, v, 1, &c->ignored_signals) < 0)
    return -1;
  const int never[] = { SIGKILL, SIGSTOP };
  for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
    if ((c->ignored_signals >> (never[i] - 1)) & 1)
      return bad(ck, "member \"%s\": signal %d cannot be ignored", key, never[i]);
  return 0;
}

/* A destination inside the sandbox: an absolute path with a component other
 * than "." and no ".." component; returns -1 with a message otherwise. */
static int want_destination(struct checker *ck, const char *key, const struct json *v, const char **out)
{
  if (want_path(ck, key, v, out) < 0)
    return -1;
  bool named = false;
  for (const char *p = *out; *p;) {
    size_t n = strcspn(p, "/");
    if (n == 2 && p[0] == '.' && p[1] == '.')
      return bad(ck, "member \"%s\": \"%.64s\" has a \"..\" component", key, *out);
    named |= n > 0 && !(n == 1 && p[0] == '.');
    p += n + (p[n] == '/');
  }
  if (!named)
    return bad(ck, "member \"%s\": \"%.64s\" names the root itself", key, *out);
  return 0;
}

static int check_mount(struct checker *ck, const struct json *v, struct mount_entry *m)
{
  static const char *const types[] = { "bind", "tmpfs", "dev", NULL };
  bool has_type = false;
  int e;
  if (want_type(ck, "mounts", v, JSON_OBJECT) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++) {
    const char *key = v->keys[i];
    const struct json *item = &v->u.items[i];
    if (strcmp(key, "type") == 0) {
      if (want_enum(ck, "mounts.type", item, types, &e) < 0)
        return -1;
      m->type = (enum mount_type)e;
      has_type = true;
    } else if (strcmp(key, "source") == 0) {
      if (want_path(ck, "mounts.source", item, &m->source) < 0)
        return -1;
    } else if (strcmp(key, "destination") == 0) {
      if (want_destination(ck, "mounts.destination", item, &m->destination) < 0)
        return -1;
    } else if (strcmp(key, "read-only") == 0) {
      if (want_bool(ck, "mounts.read-only", item, &m->read_only) < 0)
        return -1;
    } else if (strcmp(key, "size") == 0) {
      if (want_range(ck, "mounts.size", item, 1, MAX_TMPFS_SIZE, &m->size) < 0)
        return -1;
    } else {
      return bad(ck, "member \"mounts\": unknown member \"%.64s\"", key);
    }
  }
  if (!has_type || !m->destination)
    return bad(ck, "member \"mounts\": an entry needs a type and a destination");
  if ((m->type == MOUNT_BIND) != (m->source != NULL))
    return bad(ck, "member \"mounts\": a source belongs to a bind entry, and a bind entry needs one");
  if ((m->read_only && m->type != MOUNT_BIND) || (m->size && m->type != MOUNT_TMPFS))
    return bad(ck, "member \"mounts\": read-only belongs to a bind entry, size to a tmpfs entry");
  return 0;
}

static int check_mounts(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  if (want_type(ck, key, v, JSON_ARRAY) < 0)
    return -1;
  if (v->len > MAX_MOUNTS)
    return bad(ck, "member \"%s\": %zu entries, at most %d allowed", key, v->len, MAX_MOUNTS);
  for (size_t i = 0; i < v->len; i++)
    if (check_mount(ck, &v->u.items[i], &c->mounts[i]) < 0)
      return -1;
  c->mounts_len = v->len;
  return 0;
}

static int check_member(struct checker *ck, const char *key, const struct json *v, struct config *c)
{
  static const char *const propagations[] = { "private", "slave", "shared", "unchanged", NULL };
  static const char *const setgroups[] = { "", "allow", "deny", NULL };
  int64_t n;
  int e;

  if (strcmp(key, "version") == 0) {
    if (want_range(ck, key, v, 1, 1, &n) < 0)
      return -1;
  } else if (strcmp(key, "command") == 0) {
    return check_command(ck, key, v, c);
  } else if (strcmp(key, "namespaces") == 0) {
    return want_namespaces(ck, key, v, &c->clone_flags);
  } else if (strcmp(key, "uid-map") == 0) {
    return check_id_map(ck, key, v, &c->uid_map);
  } else if (strcmp(key, "gid-map") == 0) {
    return check_id_map(ck, key, v, &c->gid_map);
  } else if (strcmp(key, "newuidmap") == 0) {
    return want_path(ck, key, v, &c->newuidmap);
  } else if (strcmp(key, "newgidmap") == 0) {
    return want_path(ck, key, v, &c->newgidmap);
  } else if (strcmp(key, "setgroups") == 0) {
    if (want_enum(ck, key, v, setgroups + 1, &e) < 0)
      return -1;
    c->setgroups = (enum setgroups)(e + 1);
  } else if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
    if (want_range(ck, key, v, 0, UINT32_MAX - 1, key[0] == 'u' ? &c->uid : &c->gid) < 0)
      return -1;
  } else if (strcmp(key, "propagation") == 0) {
    if (want_enum(ck, key, v, propagations, &e) < 0)
      return -1;
    c->propagation = (enum propagation)e;
  } else if (strcmp(key, "mount-proc") == 0) {
    return want_bool(ck, key, v, &c->mount_proc);
  } else if (strcmp(key, "mount-sys") == 0) {
    return want_bool(ck, key, v, &c->mount_sys);
  } else if (strcmp(key, "init") == 0) {
    return want_bool(ck, key, v, &c->init);
  } else if (strcmp(key, "hostname") == 0) {
    return want_string(ck, key, v, MAX_UTS_NAME, &c->hostname);
  } else if (strcmp(key, "domainname") == 0) {
    return want_string(ck, key, v, MAX_UTS_NAME, &c->domainname);
  } else if (strcmp(key, "cwd") == 0) {
    return want_path(ck, key, v, &c->cwd);
  } else if (strcmp(key, "env") == 0) {
    return check_env(ck, key, v, c);
  } else if (strcmp(key, "time-offsets") == 0) {
    return check_time_offsets(ck, key, v, c);
  } else if (strcmp(key, "preserve-fds") == 0) {
    if (want_range(ck, key, v, 0, 1024, &n) < 0)
      return -1;
    c->preserve_fds = (int)n;
  } else if (strcmp(key, "stop-timeout") == 0) {
    if (want_range(ck, key, v, 0, 86400, &n) < 0)
      return -1;
    c->stop_timeout = (int)n;
  } else if (strcmp(key, "ignored-signals") == 0) {
    return check_ignored_signals(ck, key, v, c);
  } else if (strcmp(key, "no-new-privs") == 0) {
    return want_bool(ck, key, v, &c->no_new_privs);
  } else if (strcmp(key, "capabilities") == 0) {
    return check_capabilities(ck, key, v, c);
  } else if (strcmp(key, "rootfs") == 0) {
    return want_path(ck, key, v, &c->rootfs);
  } else if (strcmp(key, "read-only") == 0) {
    return want_bool(ck, key, v, &c->read_only);
  } else if (strcmp(key, "mounts") == 0) {
    return check_mounts(ck, key, v, c);
  } else if (strcmp(key, "parent-pid") == 0) {
    if (want_range(ck, key, v, 1, INT_MAX, &n) < 0)
      return -1;
    c->parent_pid = (pid_t)n;
  } else if (strcmp(key, "explain") == 0) {
    return check_explain(ck, key, v, c);
  } else if (strcmp(key, "join") == 0) {
    return check_join(ck, key, v, c);
  } else if (strcmp(key, "keep") == 0) {
    return want_bool(ck, key, v, &c->keep);
  } else if (strcmp(key, "commit-fd") == 0) {
    if (want_range(ck, key, v, 3, 1024, &n) < 0)
      return -1;
    c->commit_fd = (int)n;
  } else if (strcmp(key, "lock-fd") == 0) {
    if (want_range(ck, key, v, 3, 1024, &n) < 0)
      return -1;
    c->lock_fd = (int)n;
  } else if (strcmp(key, "query") == 0) {
    return check_query(ck, key, v, c);
  } else if (strcmp(key, "network") == 0) {
    return check_network(ck, key, v, c, 0);
  } else if (strcmp(key, "network-fallback") == 0) {
    return check_network(ck, key, v, c, 1);
  } else if (strcmp(key, "join-network") == 0) {
    return check_join_network(ck, key, v, c);
  } else if (strcmp(key, "bridge") == 0) {
    return check_bridge(ck, key, v, c);
  } else if (strcmp(key, "remove-bridge") == 0) {
    return want_link_name(ck, key, v, &c->remove_bridge);
  } else if (strcmp(key, "veth") == 0) {
    return check_veth(ck, key, v, c);
  } else {
    return bad(ck, "unknown member \"%.64s\"", key);
  }
  return 0;
}

/* Checks what no single member can: which members need which namespaces. */
static int check_combination(struct checker *ck, const struct config *c)
{
  static const struct {
    const char *member;
    int needs;
  } rules[] = {
    { "uid-map", CLONE_NEWUSER }, { "gid-map", CLONE_NEWUSER },           { "mount-proc", CLONE_NEWPID | CLONE_NEWNS },
    { "mount-sys", CLONE_NEWNET | CLONE_NEWNS }, { "hostname", CLONE_NEWUTS }, { "domainname", CLONE_NEWUTS },
    { "time-offsets", CLONE_NEWTIME }, { "init", CLONE_NEWPID },
    { "rootfs", CLONE_NEWNS }, { "mounts", CLONE_NEWNS }, { "network", CLONE_NEWNET | CLONE_NEWNS },
  };
  const bool present[] = { c->uid_map.len > 0, c->gid_map.len > 0, c->mount_proc, c->mount_sys,
                           c->hostname != NULL, c->domainname != NULL, c->has_time_offsets, c->init,
                           c->rootfs != NULL, c->mounts_len > 0, c->network_backend != BACKEND_NONE };

  if (c->query && (c->command || c->clone_flags || c->join_pid || c->keep))
    return bad(ck, "member \"query\" stands alone");
  if (c->join_pid && (c->clone_flags || c->keep || c->init))
    return bad(ck, "member \"join\" creates no namespaces: not with \"namespaces\", \"keep\" or \"init\"");
  if (c->keep && (c->command || c->init))
    return bad(ck, "member \"keep\" runs no command: not with \"command\" or \"init\"");
  if (c->network_of && (c->clone_flags & CLONE_NEWNET || c->network_backend || c->join_pid))
    return bad(ck, "member \"join-network\": not with a new network namespace, \"network\" or \"join\"");
  if (c->network_of_user && (c->clone_flags & CLONE_NEWUSER))
    return bad(ck, "member \"join-network\" enters a user namespace: not with a new one");
  if (c->networks_len > 1 && !c->network_backend)
    return bad(ck, "member \"network-fallback\" needs \"network\"");
  if (c->commit_fd && !c->keep)
    return bad(ck, "member \"commit-fd\" needs \"keep\"");
  if (c->remove_bridge && (c->command || c->clone_flags || c->join_pid || c->keep || c->query || c->bridge || c->network))
    return bad(ck, "member \"remove-bridge\" stands alone");
  if (c->lock_fd && (c->command || c->clone_flags || c->join_pid || c->keep || c->query || c->bridge || c->remove_bridge || c->network))
    return bad(ck, "member \"lock-fd\" stands alone");
  if (c->bridge && (c->command || c->join_pid || c->query || c->network || (c->clone_flags && !c->keep) ||
                    (c->keep && !(c->clone_flags & CLONE_NEWNET))))
    return bad(ck, "member \"bridge\" stands alone, or goes with \"keep\" and a new net namespace");
  if (c->network && (!(c->clone_flags & CLONE_NEWNET) || c->join_pid))
    return bad(ck, "member \"veth\" needs a new net namespace");
  if (c->network && (c->network_backend || c->network_of))
    return bad(ck, "member \"veth\": not with \"network\" or \"join-network\"");
  if (c->hub_pid && (c->newuidmap || c->newgidmap))
    return bad(ck, "member \"veth.hub\": not with newuidmap or newgidmap");
  if (!c->command && !c->keep && !c->query && !c->bridge && !c->remove_bridge && !c->lock_fd)
    return bad(ck, "member \"command\" is missing");
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    if (present[i] && (c->clone_flags & rules[i].needs) != rules[i].needs)
      return bad(ck, "member \"%s\" needs the namespaces it acts on", rules[i].member);
  if ((c->newuidmap && !c->uid_map.len) || (c->newgidmap && !c->gid_map.len))
    return bad(ck, "newuidmap and newgidmap need the map they write");
  if (c->read_only && !c->rootfs)
    return bad(ck, "member \"read-only\" needs \"rootfs\"");
  if ((c->rootfs || c->mounts_len) && c->propagation != PROPAGATION_PRIVATE && c->propagation != PROPAGATION_SLAVE)
    return bad(ck, "members \"rootfs\" and \"mounts\" need propagation private or slave");
  return 0;
}

int config_parse(const char *text, size_t len, struct config *c, char *err, size_t errlen)
{
  struct checker ck = { err, errlen };
  memset(c, 0, sizeof *c);
  c->uid = c->gid = -1;
  c->stop_timeout = -1;
  if (json_parse(text, len, &c->doc, err, errlen) < 0)
    return -1;
  if (c->doc.type != JSON_OBJECT)
    return bad(&ck, "the config is not a JSON object");
  if (!json_get(&c->doc, "version"))
    return bad(&ck, "member \"version\" is missing");
  for (size_t i = 0; i < c->doc.len; i++)
    if (check_member(&ck, c->doc.keys[i], &c->doc.u.items[i], c) < 0)
      return -1;
  if (!c->env && !(c->env = calloc(1, sizeof *c->env)))
    return bad(&ck, "out of memory");
  return check_combination(&ck, c);
}

void config_free(struct config *c)
{
  free(c->command);
  free(c->explain);
  free(c->env);
  free(c->query);
  for (size_t i = 0; i < c->networks_len; i++)
    free(c->networks[i].argv);
  json_free(&c->doc);
  memset(c, 0, sizeof *c);
}
