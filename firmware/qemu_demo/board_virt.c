/* QEMU `virt` UART and timer access; see board.h. */
#include "board.h"

enum {
  UART0_BASE = 0x10000000u,
  UART_THR = 0, /* transmit holding register (write) */
  UART_RBR = 0, /* receive buffer register (read) */
  UART_IER = 1, /* interrupt enable */
  UART_FCR = 2, /* FIFO control (write) */
  UART_LCR = 3, /* line control */
  UART_LSR = 5, /* line status */
  UART_LCR_8N1 = 0x03,
  UART_FCR_ENABLE_CLEAR = 0x07,
  UART_LSR_DR = 0x01, /* data ready */
  UART_LSR_THRE = 0x20,
};

enum {
  CLINT_MTIMECMP0 = 0x02004000u, /* hart 0 */
  CLINT_MTIME = 0x0200BFF8u,
  MIE_MTIE = 1u << 7,
};

static volatile uint8_t* uart_reg(uint32_t offset) {
  return (volatile uint8_t*)(uintptr_t)(UART0_BASE + offset);
}

static volatile uint32_t* clint_word(uint32_t addr) { return (volatile uint32_t*)(uintptr_t)addr; }

void board_init(void) {
  *uart_reg(UART_IER) = 0;
  *uart_reg(UART_LCR) = UART_LCR_8N1;
  *uart_reg(UART_FCR) = UART_FCR_ENABLE_CLEAR;
  __asm__ volatile("csrs mie, %0" : : "r"(MIE_MTIE));
}

int board_uart_try_put(uint8_t byte) {
  if ((*uart_reg(UART_LSR) & UART_LSR_THRE) == 0) return 0;
  *uart_reg(UART_THR) = byte;
  return 1;
}

int board_uart_try_get(uint8_t* byte) {
  if ((*uart_reg(UART_LSR) & UART_LSR_DR) == 0) return 0;
  *byte = *uart_reg(UART_RBR);
  return 1;
}

uint64_t board_mtime(void) {
  volatile uint32_t* lo = clint_word(CLINT_MTIME);
  volatile uint32_t* hi = clint_word(CLINT_MTIME + 4);
  uint32_t h, l;
  do {
    h = *hi;
    l = *lo;
  } while (h != *hi); /* the low word wrapped between the reads */
  return ((uint64_t)h << 32) | l;
}

static void set_mtimecmp(uint64_t t) {
  volatile uint32_t* lo = clint_word(CLINT_MTIMECMP0);
  volatile uint32_t* hi = clint_word(CLINT_MTIMECMP0 + 4);
  *hi = 0xFFFFFFFFu; /* no spurious match while the halves are inconsistent */
  *lo = (uint32_t)t;
  *hi = (uint32_t)(t >> 32);
}

void board_sleep_until(uint64_t deadline) {
  set_mtimecmp(deadline);
  while (board_mtime() < deadline) __asm__ volatile("wfi");
}
