/* The process console of the demo kernel: what Tock's process console
 * capsule answers on the UART, so `tockctl console` and tests can drive the
 * demo like a real kernel. Command names, echo and output formats follow
 * Tock's process console; commands that would change the simulated system
 * (stop, start, fault, ...) say they are not simulated. Plain C99. */
#ifndef TOCKCTL_PROC_CONSOLE_H
#define TOCKCTL_PROC_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "tock_sim.h"

/** Where the kernel's sections are (the `kernel` command's memory map). */
typedef struct kernel_layout {
  uint32_t text_start, rodata_start, text_end; /* code, then read-only data */
  uint32_t relocate_start, relocate_end;       /* initialised data in RAM */
  uint32_t bss_start, bss_end;
  uint32_t stack_start, stack_end;
} kernel_layout;

enum { PROC_CONSOLE_LINE = 64, PROC_CONSOLE_OUT = 2048 };

typedef struct proc_console {
  char line[PROC_CONSOLE_LINE]; /* the command being typed */
  uint32_t len;
  uint8_t previous;           /* last byte received (CR LF counts as one line end) */
  uint8_t hibernating;        /* after console-stop, until console-start */
  uint8_t escape;             /* inside an escape sequence: 1 after ESC, 2 after ESC [ */
  char out[PROC_CONSOLE_OUT]; /* replies not yet handed to the UART */
  uint32_t out_len;
  kernel_layout layout;
} proc_console;

void proc_console_init(proc_console* c, const kernel_layout* layout);

/** One byte from the UART: echoed, edited (backspace, DEL), or a line end
 *  that runs the command against `sim` and prints the prompt again. */
void proc_console_receive(proc_console* c, uint8_t byte, const tock_sim* sim);

/** Bytes of reply waiting; `*bytes` points at them. */
size_t proc_console_pending(const proc_console* c, const char** bytes);

/** Drops the first `n` waiting bytes (they were sent). */
void proc_console_consume(proc_console* c, size_t n);

#endif
