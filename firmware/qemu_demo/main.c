/* Demo firmware entry: the demo device on QEMU's virt board, sleeping on
 * the machine timer between steps and polling the UART for typed keys. */
#include "board.h"
#include "demo_config.h"
#include "demo_device.h"

/* Keys are polled this often at least (1 ms at the 10 MHz mtime); QEMU's
 * UART holds back input while its FIFO is full, so none is lost. */
enum { KEY_POLL_TICKS = DEMO_TICK_HZ / 1000u };

/* Section bounds from qemu_demo.ld, for the process console's `kernel`. */
extern char __text_start[], __rodata_start[], __rodata_end[], __data_start[], __data_end[];
extern char __bss_start[], __bss_end[], __stack_bottom[], __stack_top[];

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

static uint32_t addr(const char* symbol) { return (uint32_t)(uintptr_t)symbol; }

static void set_layout(void) {
  const kernel_layout layout = {addr(__text_start), addr(__rodata_start), addr(__rodata_end),
                                addr(__data_start), addr(__data_end),     addr(__bss_start),
                                addr(__bss_end),    addr(__stack_bottom), addr(__stack_top)};
  demo_device_set_layout(&g_device, &layout);
}

int main(void) {
  board_init();
  demo_device_init(&g_device, board_mtime(), uart_put, 0);
  set_layout();
  for (;;) {
    uint8_t key;
    while (board_uart_try_get(&key)) demo_device_receive(&g_device, key);
    const uint64_t now = board_mtime();
    uint64_t wake = demo_device_step(&g_device, now);
    if (wake > now + KEY_POLL_TICKS) wake = now + KEY_POLL_TICKS;
    board_sleep_until(wake);
  }
}
