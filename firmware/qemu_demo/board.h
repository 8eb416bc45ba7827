/* The few pieces of QEMU's RISC-V `virt` machine the demo firmware touches:
 * the 16550 UART at 0x10000000 and the CLINT machine timer (10 MHz). */
#ifndef TOCKCTL_BOARD_H
#define TOCKCTL_BOARD_H

#include <stdint.h>

/** 8N1, FIFOs on, UART interrupts off; machine timer interrupt enabled as a
 *  wake-up source for wfi (interrupts stay globally disabled). */
void board_init(void);

/** Writes `byte` if the transmit holding register is empty; 0 if busy. */
int board_uart_try_put(uint8_t byte);

/** Reads a received byte into `*byte` if one is waiting (LSR data ready);
 *  0 if none. */
int board_uart_try_get(uint8_t* byte);

/** Machine timer (mtime), ticks since reset. */
uint64_t board_mtime(void);

/** Sleeps (wfi) until mtime reaches `deadline`. */
void board_sleep_until(uint64_t deadline);

#endif
