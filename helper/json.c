/* A small strict JSON reader: RFC 8259 values, integers only, bounded depth. */
#include "json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
  const char *p, *end;
  char *err;
  size_t errlen;
  int failed;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
  if (!ps->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->errlen, fmt, ap);
    va_end(ap);
    ps->failed = 1;
  }
  return -1;
}

static void skip_space(struct parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int expect_word(struct parser *ps, const char *word)
{
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
    return fail(ps, "invalid JSON: unexpected character");
  ps->p += n;
  return 0;
}

static int hex4(struct parser *ps, unsigned *out)
{
  unsigned v = 0;
  if (ps->end - ps->p < 4)
    return fail(ps, "invalid JSON: truncated \\u escape");
  for (int i = 0; i < 4; i++) {
    char c = *ps->p++;
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return fail(ps, "invalid JSON: bad \\u escape");
  }
  *out = v;
  return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Reads a string body after its opening quote into a new buffer; returns -1 on error. */
/* Whether s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i], len, cp;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return false;
    if (n - i < len)
      return false;
    for (unsigned k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

static int parse_string(struct parser *ps, char **out, size_t *outlen)
{
  const char *start = ps->p;
  size_t cap = 0;
  while (ps->p < ps->end && *ps->p != '"') {
    if (*ps->p == '\\') ps->p++;
    ps->p++;
  }
  if (ps->p >= ps->end)
    return fail(ps, "invalid JSON: unterminated string");
  cap = (size_t)(ps->p - start) + 1;
  ps->p = start;
  char *buf = malloc(cap);
  if (!buf)
    return fail(ps, "out of memory");
  size_t n = 0;
  while (*ps->p != '"') {
    unsigned char c = (unsigned char)*ps->p++;
    if (c < 0x20) { free(buf); return fail(ps, "invalid JSON: control character in string"); }
    if (c != '\\') { buf[n++] = (char)c; continue; }
    char e = *ps->p++;
    switch (e) {
    case '"': buf[n++] = '"'; break;
    case '\\': buf[n++] = '\\'; break;
    case '/': buf[n++] = '/'; break;
    case 'b': buf[n++] = '\b'; break;
    case 'f': buf[n++] = '\f'; break;
    case 'n': buf[n++] = '\n'; break;
    case 'r': buf[n++] = '\r'; break;
    case 't': buf[n++] = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      if (hex4(ps, &cp) < 0) { free(buf); return -1; }
      if (cp >= 0xD800 && cp < 0xDC00) {
        if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') { free(buf); return fail(ps, "invalid JSON: lone surrogate"); }
        ps->p += 2;
        if (hex4(ps, &lo) < 0) { free(buf); return -1; }
        if (lo < 0xDC00 || lo > 0xDFFF) { free(buf); return fail(ps, "invalid JSON: lone surrogate"); }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        free(buf);
        return fail(ps, "invalid JSON: lone surrogate");
      }
      if (cp == 0) { free(buf); return fail(ps, "a string contains a NUL character"); }
      n += put_utf8(buf + n, cp); /* an escape is 6+ bytes, its UTF-8 at most 4 */
      break;
    }
    default:
      free(buf);
      return fail(ps, "invalid JSON: bad escape \\%c", e);
    }
  }
  ps->p++;
  if (!valid_utf8((const unsigned char *)buf, n)) { free(buf); return fail(ps, "invalid JSON: a string is not valid UTF-8"); }
  buf[n] = '\0';
  *out = buf;
  *outlen = n;
  return 0;
}

static int parse_value(struct parser *ps, struct json *v, int depth);

/* Appends a zeroed slot to v's items (and keys when with_key); returns it or NULL. */
static struct json *grow(struct parser *ps, struct json *v, size_t *cap, int with_key)
{
  if (v->len == *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    struct json *items = realloc(v->u.items, ncap * sizeof *items);
    if (!items) { fail(ps, "out of memory"); return NULL; }
    v->u.items = items;
    if (with_key) {
      char **keys = realloc(v->keys, ncap * sizeof *keys);
      if (!keys) { fail(ps, "out of memory"); return NULL; }
      v->keys = keys;
    }
    *cap = ncap;
  }
  struct json *slot = &v->u.items[v->len];
  memset(slot, 0, sizeof *slot);
  if (with_key)
    v->keys[v->len] = NULL;
  v->len++;
  return slot;
}

static int parse_array(struct parser *ps, struct json *v, int depth)
{
  size_t cap = 0;
  v->type = JSON_ARRAY;
  skip_space(ps);
  if (ps->p < ps->end && *ps->p == ']') { ps->p++; return 0; }
  for (;;) {
    struct json *item = grow(ps, v, &cap, 0);
    if (!item || parse_value(ps, item, depth + 1) < 0)
      return -1;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
    if (ps->p < ps->end && *ps->p == ']') { ps->p++; return 0; }
    return fail(ps, "invalid JSON: expected ',' or ']'");
  }
}

static int parse_object(struct parser *ps, struct json *v, int depth)
{
  size_t cap = 0, klen;
  v->type = JSON_OBJECT;
  skip_space(ps);
  if (ps->p < ps->end && *ps->p == '}') { ps->p++; return 0; }
  for (;;) {
    skip_space(ps);
    if (ps->p >= ps->end || *ps->p != '"')
      return fail(ps, "invalid JSON: expected a member name");
    ps->p++;
    struct json *item = grow(ps, v, &cap, 1);
    if (!item || parse_string(ps, &v->keys[v->len - 1], &klen) < 0)
      return -1;
    for (size_t i = 0; i + 1 < v->len; i++)
      if (strcmp(v->keys[i], v->keys[v->len - 1]) == 0)
        return fail(ps, "member \"%.64s\" appears twice", v->keys[i]);
    skip_space(ps);
    if (ps->p >= ps->end || *ps->p != ':')
      return fail(ps, "invalid JSON: expected ':'");
    ps->p++;
    if (parse_value(ps, item, depth + 1) < 0)
      return -1;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
    if (ps->p < ps->end && *ps->p == '}') { ps->p++; return 0; }
    return fail(ps, "invalid JSON: expected ',' or '}'");
  }
}

static int parse_integer(struct parser *ps, struct json *v)
{
  int neg = 0;
  uint64_t mag = 0;
  if (*ps->p == '-') { neg = 1; ps->p++; }
  if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
    return fail(ps, "invalid JSON: bad number");
  if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
    return fail(ps, "invalid JSON: leading zero");
  while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
    unsigned d = (unsigned)(*ps->p++ - '0');
    if (mag > (UINT64_C(1) << 63) / 10)
      return fail(ps, "a number is out of range");
    mag = mag * 10 + d;
    if (mag > (UINT64_C(1) << 63) - (neg ? 0 : 1))
      return fail(ps, "a number is out of range");
  }
  if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
    return fail(ps, "numbers must be integers");
  v->type = JSON_INT;
  v->u.integer = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  return 0;
}

static int parse_value(struct parser *ps, struct json *v, int depth)
{
  if (depth > JSON_MAX_DEPTH)
    return fail(ps, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
  skip_space(ps);
  if (ps->p >= ps->end)
    return fail(ps, "invalid JSON: unexpected end");
  switch (*ps->p) {
  case '{': ps->p++; return parse_object(ps, v, depth);
  case '[': ps->p++; return parse_array(ps, v, depth);
  case '"': ps->p++; v->type = JSON_STRING; return parse_string(ps, &v->u.string, &v->len);
  case 't': v->type = JSON_BOOL; v->u.boolean = 1; return expect_word(ps, "true");
  case 'f': v->type = JSON_BOOL; v->u.boolean = 0; return expect_word(ps, "false");
  case 'n': v->type = JSON_NULL; return expect_word(ps, "null");
  default: return parse_integer(ps, v);
  }
}

int json_parse(const char *text, size_t len, struct json *out, char *err, size_t errlen)
{
  struct parser ps = { text, text + len, err, errlen, 0 };
  memset(out, 0, sizeof *out);
  if (parse_value(&ps, out, 1) == 0) {
    skip_space(&ps);
    if (ps.p == ps.end)
      return 0;
    fail(&ps, "invalid JSON: trailing characters");
  }
  json_free(out);
  return -1;
}

void json_free(struct json *v)
{
  if (v->type == JSON_STRING) {
    free(v->u.string);
  } else if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
    for (size_t i = 0; i < v->len; i++) {
      json_free(&v->u.items[i]);
      if (v->keys)
        free(v->keys[i]);
    }
    free(v->u.items);
    free(v->keys);
  }
  memset(v, 0, sizeof *v);
}

const struct json *json_get(const struct json *v, const char *key)
{
  for (size_t i = 0; i < v->len; i++)
    if (strcmp(v->keys[i], key) == 0)
      return &v->u.items[i];
  return NULL;
}

void json_escape(char *out, size_t outlen, const char *s)
{
  size_t n = 0;
  for (; *s && n + 7 < outlen; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      n += (size_t)snprintf(out + n, outlen - n, "\\%c", c);
    else if (c < 0x20)
      n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", c);
    else
      out[n++] = (char)c;
  }
  out[n] = '\0';
}
