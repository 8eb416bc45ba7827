#include "flasher/backend_registry.h"

#include "common/error.h"
#include "flasher/dfu.h"
#include "flasher/external_tools.h"
#include "flasher/gdb_remote_flasher.h"
#include "flasher/picoboot.h"
#include "flasher/qemu_flasher.h"
#include "flasher/tock_bootloader_backend.h"
#include "flasher/uf2_backend.h"

namespace tockctl::flasher {

// clang-format off
const std::vector<BackendEntry>& BackendTable() {
  static const std::vector<BackendEntry> kTable = {
      // One line per back-end: {"method", &CreateXBackend, "summary"}.
      {"gdb", &CreateGdbBackend, "GDB remote protocol over TCP or a serial port (QEMU, Black Magic Probe, OpenOCD, J-Link GDB server)"},
      {"qemu", &CreateQemuBackend, "Start qemu-system-riscv32 (qemu_rv32_virt) halted and load the image through its gdbstub"},
      {"tock-bootloader", &CreateTockBootloaderBackend, "Tock's serial bootloader over a serial port (512-byte pages, CRC check)"},
      {"picoboot", &CreatePicobootBackend, "RP2040/RP2350 in BOOTSEL mode over USB (PICOBOOT)"},
      {"uf2", &CreateUf2Backend, "Write a UF2 file next to the image, to --output, or onto a UF2 drive (--mount)"},
      {"dfu", &CreateDfuBackend, "USB DFU 1.1 and STM32 DfuSe bootloaders"},
      {"openocd", &CreateExternalToolBackend, "OpenOCD with the board's scripts"},
      {"jlink", &CreateExternalToolBackend, "SEGGER JLinkExe with a generated commander script"},
      {"probe-rs", &CreateExternalToolBackend, "probe-rs download/verify/reset"},
      {"nrfutil", &CreateExternalToolBackend, "Nordic nrfutil device program/fw-verify/reset"},
  };
  return kTable;
}
// clang-format on

std::string KnownMethods() {
  std::string out;
  for (const auto& entry : BackendTable()) {
    if (!out.empty()) out += ", ";
    out += entry.method;
  }
  return out;
}

std::unique_ptr<FlashBackend> CreateBackend(const BackendOptions& options) {
  for (const auto& entry : BackendTable()) {
    if (options.method == entry.method) return entry.create(options);
  }
  throw Error(ErrorCategory::kUsage, "unknown flash method `" + options.method + "`",
              ErrorContext{}, "use one of: " + KnownMethods());
}

}  // namespace tockctl::flasher
