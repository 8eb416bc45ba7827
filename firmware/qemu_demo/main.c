/* Demo firmware entry: the demo device on QEMU's virt board, sleeping on
 * the machine timer between steps. */
#include "board.h"
#include "demo_config.h"
#include "demo_device.h"

static demo_device g_device;

/* The kernel version TLV of Tock's kernel attributes, laid out as Tock's
 * kernel/src/lib.rs lays out TockAttributesKernelVersion (major, minor,
 * patch, prerelease, then type 0x0103 and length 8, all u16). qemu_demo.ld
 * places it at the front of the .attributes block at the end of flash. */
typedef struct {
  uint16_t major, minor, patch, prerelease, tlv_type, tlv_len;
} tock_attributes_kernel_version;

__attribute__((section(".tock.attr.kernel_version"), used))
const tock_attributes_kernel_version g_kernel_version_attribute = {
    DEMO_KERNEL_MAJOR, DEMO_KERNEL_MINOR, DEMO_KERNEL_PATCH, 0, 0x0103, 8};

static int uart_put(void* ctx, uint8_t byte) {
  (void)ctx;
  return board_uart_try_put(byte);
}

int main(void) {
  board_init();
  demo_device_init(&g_device, board_mtime(), uart_put, 0);
  for (;;) board_sleep_until(demo_device_step(&g_device, board_mtime()));
}
