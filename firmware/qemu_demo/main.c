/* Demo firmware entry: the demo device on QEMU's virt board, sleeping on
 * the machine timer between steps. */
#include "board.h"
#include "demo_device.h"

static demo_device g_device;

static int uart_put(void* ctx, uint8_t byte) {
  (void)ctx;
  return board_uart_try_put(byte);
}

int main(void) {
  board_init();
  demo_device_init(&g_device, board_mtime(), uart_put, 0);
  for (;;) board_sleep_until(demo_device_step(&g_device, board_mtime()));
}
