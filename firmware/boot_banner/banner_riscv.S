/* Prints BANNER on the machine's console UART, pausing between lines, forever. No stack, no RAM:
   the machine's reset path jumps straight here. */
#if defined(UART_SIFIVE)
#define UART_BASE 0x10013000
#define BANNER "tockctl boot banner: sifive_e UART0 at 0x10013000\n"
#elif defined(UART_NS16550)
#define UART_BASE 0x10000000
#define BANNER "tockctl boot banner: virt 16550 UART at 0x10000000\n"
#elif defined(UART_OPENTITAN)
#define UART_BASE 0x40000000
#define BANNER "tockctl boot banner: opentitan UART0 at 0x40000000\n"
#else
#error "define UART_SIFIVE, UART_NS16550 or UART_OPENTITAN"
#endif

  .section .text.start, "ax"
  .globl _start
_start:
  li    s0, UART_BASE
#if defined(UART_SIFIVE)
  li    t0, 1
  sw    t0, 0x08(s0)          /* txctrl: txen */
#elif defined(UART_NS16550)
  /* QEMU's 16550 sends what is written to THR (+0) at once; nothing to set up. */
#else
  li    t0, 1
  sw    t0, 0x10(s0)          /* CTRL: TX enable */
#endif
line:
  la    s1, banner
next_char:
  lbu   t2, 0(s1)
  beqz  t2, pause
wait_room:
#if defined(UART_SIFIVE)
  lw    t3, 0x00(s0)          /* txdata reads bit 31 set while the FIFO is full */
  bltz  t3, wait_room
  sw    t2, 0x00(s0)
#elif defined(UART_NS16550)
  sb    t2, 0x00(s0)          /* THR */
#else
  /* QEMU 7.2's OpenTitan UART never drains a FIFO filled while no client was connected to a TCP
     serial, so a FIFO that stays full is reset (FIFO_CTRL.TXRST) instead of waited for forever. */
  li    t4, 100000
1:
  lw    t3, 0x14(s0)          /* STATUS bit 0: TX FIFO full */
  andi  t3, t3, 1
  beqz  t3, room
  addi  t4, t4, -1
  bnez  t4, 1b
  li    t3, 2
  sw    t3, 0x20(s0)          /* FIFO_CTRL: TXRST */
room:
  sw    t2, 0x1c(s0)          /* WDATA */
#endif
  addi  s1, s1, 1
  j     next_char
pause:
  li    t3, 2000000
1:
  addi  t3, t3, -1
  bnez  t3, 1b
  j     line

  .section .rodata, "a"
banner:
  .asciz BANNER
