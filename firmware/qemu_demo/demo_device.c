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
}

uint64_t demo_device_step(demo_device* d, uint64_t now) {
  tock_sim_run(&d->sim, now);
  uart_pacer_pump(&d->pacer, &d->link, now, d->put, d->put_ctx);
  /* Report drops even if no record follows; never stamp before the last one. */
  trace_link_flush_overflow(&d->link, now > d->sim.clock ? now : d->sim.clock);
  uint64_t wake = tock_sim_next_due(&d->sim);
  if (trace_link_pending(&d->link) > 0 && now + PUMP_PERIOD_TICKS < wake) {
    wake = now + PUMP_PERIOD_TICKS;
  }
  return wake;
}
