/* The whole demo device minus the hardware: the simulated Tock system, its
 * trace buffer and the paced UART output. main.c drives it with the real
 * machine timer and UART; host tests drive it with simulated time and a
 * byte sink, so they run exactly the firmware's logic. Plain C99. */
#ifndef TOCKCTL_DEMO_DEVICE_H
#define TOCKCTL_DEMO_DEVICE_H

#include <stdint.h>

#include "demo_config.h"
#include "proc_console.h"
#include "tock_sim.h"
#include "trace_link.h"
#include "uart_pacer.h"

typedef struct demo_device {
  uint8_t ring[DEMO_TRACE_BUFFER_BYTES];
  trace_link link;
  tock_sim sim;
  uart_pacer pacer;
  uart_put_fn put;
  void* put_ctx;
  proc_console console;
} demo_device;

/** Boots the device at `now` (ticks); trace bytes go out through `put`. */
void demo_device_init(demo_device* d, uint64_t now, uart_put_fn put, void* put_ctx);

/** Tells the process console where the kernel's sections are (`kernel`). */
void demo_device_set_layout(demo_device* d, const kernel_layout* layout);

/** A byte received on the UART: goes to the process console, whose echo
 *  and replies are queued at once (between whole frames). */
void demo_device_receive(demo_device* d, uint8_t byte);

/** Handles everything due at `now` and sends what the line rate allows.
 *  Returns the tick at which to call it again. */
uint64_t demo_device_step(demo_device* d, uint64_t now);

#endif
