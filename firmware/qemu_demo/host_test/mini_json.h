/* A small JSON reader for the golden-vector test: objects, arrays,
 * strings (all escapes, \u surrogate pairs to UTF-8), integers, booleans,
 * null. No floating point. Values are heap-allocated; free with json_free. */
#ifndef TOCKCTL_MINI_JSON_H
#define TOCKCTL_MINI_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum json_kind {
  JSON_NULL,
  JSON_BOOL,
  JSON_INT,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_kind;

typedef struct json_value {
  json_kind kind;
  int64_t num; /* JSON_INT, JSON_BOOL (0/1) */
  char* str;   /* JSON_STRING: decoded bytes, NUL-terminated */
  size_t str_len;
  struct json_value* items; /* JSON_ARRAY elements / JSON_OBJECT values */
  char** keys;              /* JSON_OBJECT keys */
  size_t n;
} json_value;

/** Parses the whole of `text`. Returns 0 on success; otherwise -1 and a
 *  message with the byte offset in `err`. */
int json_parse(const char* text, json_value* out, char* err, size_t err_cap);

void json_free(json_value* v);

/** Member `key` of object `v`, or NULL. */
const json_value* json_get(const json_value* v, const char* key);

#endif
