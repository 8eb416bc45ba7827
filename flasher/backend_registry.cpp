#include "flasher/backend_registry.h"

#include "common/error.h"
#include "flasher/gdb_remote_flasher.h"
#include "flasher/qemu_flasher.h"

namespace tockctl::flasher {

// clang-format off
const std::vector<BackendEntry>& BackendTable() {
  static const std::vector<BackendEntry> table = {
      // One line per back-end: {"method", &CreateXBackend, "summary"}.
      {"gdb", &CreateGdbBackend, "GDB remote protocol over TCP or a serial port (QEMU, Black Magic Probe, OpenOCD, J-Link GDB server)"},
      {"qemu", &CreateQemuBackend, "Start qemu-system-riscv32 (qemu_rv32_virt) halted and load the image through its gdbstub"},
  };
  return table;
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
