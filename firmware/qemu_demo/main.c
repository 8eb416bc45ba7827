/* Demo firmware entry: runs the simulated Tock system and streams its trace
 * records over the UART, paced like a real DEMO_UART_BAUD line. */
#include "board.h"
#include "demo_config.h"
#include "tock_sim.h"
#include "trace_link.h"

int main(void);

enum {
  TICKS_PER_BYTE = DEMO_TICK_HZ / (DEMO_UART_BAUD / 10u), /* 8N1: 10 bits per byte */
  UART_FIFO_BYTES = 16,                                   /* a 16550's burst */
  PUMP_PERIOD_TICKS = DEMO_TICK_HZ / 1000u,               /* wake each 1 ms while sending */
};

static uint8_t g_ring[DEMO_TRACE_BUFFER_BYTES];
static trace_link g_link;
static tock_sim g_sim;
static uint64_t g_next_byte_at; /* earliest time the line can take the next byte */

/* Moves queued trace bytes to the UART no faster than the line rate. */
static void pump_uart(uint64_t now) {
  uint64_t burst = (uint64_t)UART_FIFO_BYTES * TICKS_PER_BYTE;
  if (g_next_byte_at + burst < now) g_next_byte_at = now - burst; /* idle: no more credit */
  const uint8_t *bytes;
  size_t n;
  while ((n = trace_link_peek(&g_link, &bytes)) > 0) {
    size_t sent = 0;
    while (sent < n && g_next_byte_at <= now && board_uart_try_put(bytes[sent])) {
      sent++;
      g_next_byte_at += TICKS_PER_BYTE;
    }
    trace_link_consume(&g_link, sent);
    if (sent < n) return;
  }
}

int main(void) {
  board_init();
  trace_link_init(&g_link, g_ring, sizeof g_ring);
  uint64_t now = board_mtime();
  g_next_byte_at = now;
  tock_sim_init(&g_sim, &g_link, now);
  for (;;) {
    now = board_mtime();
    tock_sim_run(&g_sim, now);
    pump_uart(now);
    trace_link_flush_overflow(&g_link, now);
    uint64_t wake = tock_sim_next_due(&g_sim);
    if (trace_link_pending(&g_link) > 0 && now + PUMP_PERIOD_TICKS < wake) {
      wake = now + PUMP_PERIOD_TICKS;
    }
    board_sleep_until(wake);
  }
}
