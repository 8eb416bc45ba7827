/* Line-rate pacing of the trace UART; see uart_pacer.h. */
#include "uart_pacer.h"

void uart_pacer_init(uart_pacer* p, uint64_t now, uint32_t ticks_per_byte) {
  p->next_byte_at = now;
  p->ticks_per_byte = ticks_per_byte;
  p->idle = 1;
}

size_t uart_pacer_pump(uart_pacer* p, trace_link* link, uint64_t now, uart_put_fn put, void* ctx) {
  if (p->idle && p->next_byte_at < now) p->next_byte_at = now;
  size_t total = 0;
  int refused = 0;
  const uint8_t* bytes;
  size_t n;
  while (!refused && (n = trace_link_peek(link, &bytes)) > 0) {
    size_t sent = 0;
    while (sent < n && p->next_byte_at <= now) {
      if (!put(ctx, bytes[sent])) {
        refused = 1;
        break;
      }
      sent++;
      p->next_byte_at += p->ticks_per_byte;
    }
    trace_link_consume(link, sent);
    total += sent;
    if (sent < n) break;
  }
  p->idle = refused || trace_link_pending(link) == 0;
  return total;
}
