/* Moves queued trace bytes to a UART no faster than a given line rate.
 * QEMU's 16550 accepts bytes as fast as the guest writes them; pacing keeps
 * the demo's stream (and its overflow behaviour) like a real board's.
 * Plain C99; the byte sink is a callback so host tests can use it too. */
#ifndef TOCKCTL_UART_PACER_H
#define TOCKCTL_UART_PACER_H

#include <stddef.h>
#include <stdint.h>

#include "trace_link.h"

typedef struct uart_pacer {
  uint64_t next_byte_at; /* when the line can take the next byte */
  uint32_t ticks_per_byte;
  int idle; /* nothing was left to send (or the UART refused) last time */
} uart_pacer;

/** Writes one byte; returns 0 if the UART cannot take it now. */
typedef int (*uart_put_fn)(void* ctx, uint8_t byte);

void uart_pacer_init(uart_pacer* p, uint64_t now, uint32_t ticks_per_byte);

/** Sends queued bytes of `link` through `put` as far as the line rate
 *  allows by `now`; a line that was idle earns no credit for the idle time.
 *  Returns the number of bytes sent. */
size_t uart_pacer_pump(uart_pacer* p, trace_link* link, uint64_t now, uart_put_fn put, void* ctx);

#endif
