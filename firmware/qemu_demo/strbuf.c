/* Bounded text building; see strbuf.h. */
#include "strbuf.h"

void sb_init(strbuf* b, char* buf, size_t cap) {
  b->buf = buf;
  b->cap = cap;
  b->len = 0;
  buf[0] = '\0';
}

static void sb_putc(strbuf* b, char c) {
  if (b->len + 1 >= b->cap) return;
  b->buf[b->len++] = c;
  b->buf[b->len] = '\0';
}

void sb_puts(strbuf* b, const char* s) {
  while (*s) sb_putc(b, *s++);
}

void sb_putu(strbuf* b, uint32_t v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0);
  while (n > 0) sb_putc(b, digits[--n]);
}

void sb_puthex32(strbuf* b, uint32_t v) {
  static const char kHex[] = "0123456789abcdef";
  sb_puts(b, "0x");
  for (int shift = 28; shift >= 0; shift -= 4) sb_putc(b, kHex[(v >> shift) & 0xFu]);
}

void sb_put_tenths(strbuf* b, int32_t tenths) {
  uint32_t mag = tenths < 0 ? (uint32_t)0 - (uint32_t)tenths : (uint32_t)tenths;
  if (tenths < 0) sb_putc(b, '-');
  sb_putu(b, mag / 10u);
  sb_putc(b, '.');
  sb_putc(b, (char)('0' + mag % 10u));
}
