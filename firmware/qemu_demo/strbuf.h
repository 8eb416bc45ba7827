/* Bounded, always NUL-terminated text building for LOG records and
 * payloads (the firmware has no libc). Output that does not fit is cut. */
#ifndef TOCKCTL_STRBUF_H
#define TOCKCTL_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
  char* buf;
  size_t cap; /* including the terminating NUL */
  size_t len;
} strbuf;

/** Starts an empty string in `buf` (`cap` >= 1 bytes). */
void sb_init(strbuf* b, char* buf, size_t cap);
void sb_puts(strbuf* b, const char* s);
/** Decimal. */
void sb_putu(strbuf* b, uint32_t v);
/** "0x" and eight lowercase hex digits. */
void sb_puthex32(strbuf* b, uint32_t v);
/** `tenths` / 10 with one decimal, e.g. 214 -> "21.4", -5 -> "-0.5". */
void sb_put_tenths(strbuf* b, int32_t tenths);

#endif
