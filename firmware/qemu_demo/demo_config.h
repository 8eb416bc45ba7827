/* Compile-time knobs of the demo firmware. Override any of them with
 * -DNAME=value (the CMake cache variable QEMU_DEMO_DEFINES passes them). */
#ifndef TOCKCTL_DEMO_CONFIG_H
#define TOCKCTL_DEMO_CONFIG_H

/* Machine timer rate of QEMU's virt board (CLINT mtime), announced in HELLO. */
#ifndef DEMO_TICK_HZ
#define DEMO_TICK_HZ 10000000u
#endif

/* The UART is drained no faster than this 8N1 line rate would allow (QEMU's
 * 16550 itself is not rate-limited), so the stream looks like a real board's. */
#ifndef DEMO_UART_BAUD
#define DEMO_UART_BAUD 115200u
#endif

/* Trace buffer between the simulated kernel and the UART. Records that do not
 * fit are dropped and reported by OVERFLOW records. */
#ifndef DEMO_TRACE_BUFFER_BYTES
#define DEMO_TRACE_BUFFER_BYTES 4096u
#endif

/* Background activities (a sensor report, an RPC call, a received frame, ...)
 * started per second; each produces about three records. */
#ifndef DEMO_ACTIVITY_HZ
#define DEMO_ACTIVITY_HZ 40u
#endif

/* Length of the scripted cycle (client fault, radio down/up, multicast storm,
 * server fault), in milliseconds. */
#ifndef DEMO_CYCLE_MS
#define DEMO_CYCLE_MS 4000u
#endif

/* HELLO re-send period (the protocol requires at most 2 s). */
#ifndef DEMO_HELLO_PERIOD_MS
#define DEMO_HELLO_PERIOD_MS 1500u
#endif

/* Frames in the multicast storm of each cycle; large enough to overflow the
 * trace buffer. 0 disables the storm (and with it the OVERFLOW records). */
#ifndef DEMO_STORM_FRAMES
#define DEMO_STORM_FRAMES 48u
#endif

/* Seed of the deterministic PRNG: the same seed gives the same stream. */
#ifndef DEMO_SEED
#define DEMO_SEED 0x70C4C71u
#endif

#define DEMO_BOARD "qemu_rv32_virt"
/* The kernel version HELLO and the process console's `kernel` command give. */
#define DEMO_KERNEL_MAJOR_MINOR "2.2"
#define DEMO_KERNEL_BUILD "tockctl-demo"
#define DEMO_KERNEL_VERSION DEMO_KERNEL_MAJOR_MINOR "-" DEMO_KERNEL_BUILD
/* The same version as numbers, for the kernel attributes (main.c). */
#define DEMO_KERNEL_MAJOR 2
#define DEMO_KERNEL_MINOR 2
#define DEMO_KERNEL_PATCH 0

#endif
