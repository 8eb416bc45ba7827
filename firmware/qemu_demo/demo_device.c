/* The demo device minus the hardware; see demo_device.h. */
#include "demo_device.h"

enum {
  TICKS_PER_BYTE = DEMO_TICK_HZ / (DEMO_UART_BAUD / 10u), /* 8N1: 10 bits per byte */
  PUMP_PERIOD_TICKS = DEMO_TICK_HZ / 1000u,               /* poll each 1 ms while sending */
};

void demo_device_init(demo_device* d, uint64_t now, uart_put_fn put, void* put_ctx) {
  d->put = put;
  d->put_ctx = put_ctx;
  trace_link_init(&d->link, d->ring, sizeof d->ring);
  uart_pacer_init(&d->pacer, now, TICKS_PER_BYTE);
  tock_sim_init(&d->sim, &d->link, now);
  proc_console_init(&d->console, 0);
}

void demo_device_set_layout(demo_device* d, const kernel_layout* layout) {
  d->console.layout = *layout;
}

/* Moves process console replies into the link as far as it has room; the
 * rest waits for the next step, so nothing the console says is lost. */
static void queue_console_replies(demo_device* d) {
  const char* bytes;
  size_t n = proc_console_pending(&d->console, &bytes);
  size_t room = d->link.cap - trace_link_pending(&d->link);
  if (n > room) n = room;
  if (n > 0 && trace_link_console(&d->link, bytes, n)) proc_console_consume(&d->console, n);
}

void demo_device_receive(demo_device* d, uint8_t byte) {
  proc_console_receive(&d->console, byte, &d->sim);
  queue_console_replies(d);
}

uint64_t demo_device_step(demo_device* d, uint64_t now) {
  tock_sim_run(&d->sim, now);
  queue_console_replies(d);
  uart_pacer_pump(&d->pacer, &d->link, now, d->put, d->put_ctx);
  /* Report drops even if no record follows; never stamp before the last one. */
  trace_link_flush_overflow(&d->link, now > d->sim.clock ? now : d->sim.clock);
  uint64_t wake = tock_sim_next_due(&d->sim);
  const char* replies;
  const int busy =
      trace_link_pending(&d->link) > 0 || proc_console_pending(&d->console, &replies) > 0;
  if (busy && now + PUMP_PERIOD_TICKS < wake) {
    wake = now + PUMP_PERIOD_TICKS;
  }
  return wake;
}
