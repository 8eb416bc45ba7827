/* Line-rate pacing of the trace UART; see uart_pacer.h. */
#include "uart_pacer.h"

void uart_pacer_init(uart_pacer *p, uint64_t now, uint32_t ticks_per_byte, uint32_t burst_bytes) {
  p->next_byte_at = now;
  p->ticks_per_byte = ticks_per_byte;
  p->burst_bytes = burst_bytes;
}

size_t uart_pacer_pump(uart_pacer *p, trace_link *link, uint64_t now, uart_put_fn put, void *ctx) {
  uint64_t burst = (uint64_t)p->burst_bytes * p->ticks_per_byte;
  if (p->next_byte_at + burst < now) p->next_byte_at = now - burst; /* idle: no more credit */
  size_t total = 0;
  const uint8_t *bytes;
  size_t n;
  while ((n = trace_link_peek(link, &bytes)) > 0) {
    size_t sent = 0;
    while (sent < n && p->next_byte_at <= now && put(ctx, bytes[sent])) {
      sent++;
      p->next_byte_at += p->ticks_per_byte;
    }
    trace_link_consume(link, sent);
    total += sent;
    if (sent < n) break;
  }
  return total;
}
