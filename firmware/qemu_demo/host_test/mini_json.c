/* Small JSON reader; see mini_json.h. */
#include "mini_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  const char* s;
  size_t pos;
  char* err;
  size_t err_cap;
} parser;

static int fail(parser* p, const char* what) {
  snprintf(p->err, p->err_cap, "%s at byte %zu", what, p->pos);
  return -1;
}

static void skip_ws(parser* p) {
  while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
         p->s[p->pos] == '\r') {
    p->pos++;
  }
}

static int parse_value(parser* p, json_value* v);

static int hex4(parser* p, unsigned* out) {
  *out = 0;
  for (int i = 0; i < 4; i++) {
    char c = p->s[p->pos++];
    unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                        : 99u;
    if (d > 15) return fail(p, "bad \\u escape");
    *out = *out << 4 | d;
  }
  return 0;
}

static size_t put_utf8(char* o, unsigned cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18);
  o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static int parse_escape(parser* p, char* o, size_t* n) {
  char c = p->s[p->pos++];
  const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
  const char* hit = c ? strchr(from, c) : NULL;
  if (hit) {
    o[(*n)++] = to[hit - from];
    return 0;
  }
  if (c != 'u') return fail(p, "bad escape");
  unsigned cp, lo;
  if (hex4(p, &cp)) return -1;
  if (cp >= 0xD800 && cp < 0xDC00 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
    p->pos += 2;
    if (hex4(p, &lo)) return -1;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  *n += put_utf8(&o[*n], cp);
  return 0;
}

static int parse_string(parser* p, char** out, size_t* len) {
  if (p->s[p->pos] != '"') return fail(p, "expected string");
  p->pos++;
  size_t start = p->pos;
  while (p->s[p->pos] && p->s[p->pos] != '"') {
    p->pos += (p->s[p->pos] == '\\' && p->s[p->pos + 1]) ? 2 : 1;
  }
  char* o = malloc(p->pos - start + 1);
  size_t n = 0;
  for (p->pos = start; p->s[p->pos] != '"';) {
    if (p->s[p->pos] == '\0') {
      free(o);
      return fail(p, "unterminated string");
    }
    if (p->s[p->pos] != '\\') {
      o[n++] = p->s[p->pos++];
      continue;
    }
    p->pos++;
    if (parse_escape(p, o, &n)) {
      free(o);
      return -1;
    }
  }
  p->pos++;
  o[n] = '\0';
  *out = o;
  *len = n;
  return 0;
}

static int append(json_value* v, json_value* item, char* key) {
  v->items = realloc(v->items, (v->n + 1) * sizeof *v->items);
  if (v->kind == JSON_OBJECT) {
    v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
    v->keys[v->n] = key;
  }
  v->items[v->n++] = *item;
  return 0;
}

static int parse_container(parser* p, json_value* v, char close) {
  p->pos++;
  skip_ws(p);
  if (p->s[p->pos] == close) {
    p->pos++;
    return 0;
  }
  for (;;) {
    char* key = NULL;
    size_t key_len;
    skip_ws(p);
    if (close == '}') {
      if (parse_string(p, &key, &key_len)) return -1;
      skip_ws(p);
      if (p->s[p->pos++] != ':') {
        free(key);
        return fail(p, "expected ':'");
      }
    }
    json_value item;
    if (parse_value(p, &item)) {
      json_free(&item);
      free(key);
      return -1;
    }
    append(v, &item, key);
    skip_ws(p);
    char c = p->s[p->pos++];
    if (c == close) return 0;
    if (c != ',') return fail(p, "expected ',' or end of container");
  }
}

static int parse_number(parser* p, json_value* v) {
  char* end;
  long long n = strtoll(&p->s[p->pos], &end, 10);
  if (end == &p->s[p->pos] || *end == '.' || *end == 'e' || *end == 'E')
    return fail(p, "bad integer");
  p->pos = (size_t)(end - p->s);
  v->kind = JSON_INT;
  v->num = n;
  return 0;
}

static int parse_word(parser* p, json_value* v, const char* word, json_kind kind, int64_t num) {
  if (strncmp(&p->s[p->pos], word, strlen(word)) != 0) return fail(p, "unexpected token");
  p->pos += strlen(word);
  v->kind = kind;
  v->num = num;
  return 0;
}

static int parse_value(parser* p, json_value* v) {
  memset(v, 0, sizeof *v);
  skip_ws(p);
  switch (p->s[p->pos]) {
    case '{':
      v->kind = JSON_OBJECT;
      return parse_container(p, v, '}');
    case '[':
      v->kind = JSON_ARRAY;
      return parse_container(p, v, ']');
    case '"':
      v->kind = JSON_STRING;
      return parse_string(p, &v->str, &v->str_len);
    case 't':
      return parse_word(p, v, "true", JSON_BOOL, 1);
    case 'f':
      return parse_word(p, v, "false", JSON_BOOL, 0);
    case 'n':
      return parse_word(p, v, "null", JSON_NULL, 0);
    default:
      return parse_number(p, v);
  }
}

int json_parse(const char* text, json_value* out, char* err, size_t err_cap) {
  parser p = {text, 0, err, err_cap};
  if (parse_value(&p, out)) {
    json_free(out);
    return -1;
  }
  skip_ws(&p);
  if (text[p.pos] != '\0') {
    json_free(out);
    return fail(&p, "trailing characters");
  }
  return 0;
}

void json_free(json_value* v) {
  for (size_t i = 0; i < v->n; i++) {
    json_free(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  memset(v, 0, sizeof *v);
}

const json_value* json_get(const json_value* v, const char* key) {
  if (v->kind != JSON_OBJECT) return NULL;
  for (size_t i = 0; i < v->n; i++) {
    if (strcmp(v->keys[i], key) == 0) return &v->items[i];
  }
  return NULL;
}
