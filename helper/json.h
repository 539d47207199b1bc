/* A small strict JSON reader for the helper's config document. */
#ifndef NSRUN_JSON_H
#define NSRUN_JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
  enum json_type type;
  size_t len;           /* string bytes, array items or object members */
  union {
    int boolean;
    int64_t integer;
    char *string;       /* NUL-terminated; JSON \u0000 is refused */
    struct json *items; /* array items, or object values */
  } u;
  char **keys;          /* object member names, parallel to u.items */
};

#define JSON_MAX_DEPTH 4

/* Parses text[0..len) into *out; returns 0, or -1 with a message in err.
 * Numbers must be integers that fit in int64_t. */
int json_parse(const char *text, size_t len, struct json *out, char *err, size_t errlen);

/* Frees what json_parse allocated below v. */
void json_free(struct json *v);

/* The value of member key in object v, or NULL. */
const struct json *json_get(const struct json *v, const char *key);

/* Writes s into out as the inside of a JSON string ('"', '\\' and control characters
 * escaped), cut short to fit outlen bytes with its NUL. */
void json_escape(char *out, size_t outlen, const char *s);

#endif
