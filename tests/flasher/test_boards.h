// Board descriptions for flasher tests, built in code (the catalog files are tested elsewhere).
#pragma once

#include "config/board.h"

namespace tockctl::flasher::testing {

/// qemu_rv32_virt: kernel 0x80000000+1 MiB, apps 0x80100000+1 MiB, RAM 0x80200000+2 MiB, 512-byte
/// pages.
inline config::HardwareBoard QemuBoard() {
  config::HardwareBoard b;
  b.name = "qemu_rv32_virt";
  b.arch = "rv32imac";
  b.memory.kernel_flash = {"kernel_flash", 0x80000000, 0x100000};
  b.memory.app_flash = {"app_flash", 0x80100000, 0x100000};
  b.memory.ram = {"ram", 0x80200000, 0x200000};
  b.page_size = 512;
  b.default_flash_method = "qemu";
  return b;
}

/// A board with a bootloader at 0x0..0x10000 and 4 KiB pages.
inline config::HardwareBoard BootloaderBoard() {
  config::HardwareBoard b;
  b.name = "nrf52840dk";
  b.arch = "armv7e-m";
  b.memory.kernel_flash = {"kernel_flash", 0x10000, 0x30000};
  b.memory.app_flash = {"app_flash", 0x40000, 0xc0000};
  b.memory.ram = {"ram", 0x20000000, 0x40000};
  b.memory.reserved = {{"bootloader", 0x0, 0x10000}};
  b.page_size = 4096;
  b.default_flash_method = "tock-bootloader";
  return b;
}

}  // namespace tockctl::flasher::testing
