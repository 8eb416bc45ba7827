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

const std::vector<BackendEntry>& BackendTable() {
  static const std::vector<BackendEntry> kTable = {
      {"qemu", &CreateQemuBackend},
      {"gdb", &CreateGdbBackend},
      {"openocd", &CreateExternalToolBackend},
      {"jlink", &CreateExternalToolBackend},
      {"probe-rs", &CreateExternalToolBackend},
      {"nrfutil", &CreateExternalToolBackend},
      {"tock-bootloader", &CreateTockBootloaderBackend},
      {"picoboot", &CreatePicobootBackend},
      {"uf2", &CreateUf2Backend},
      {"dfu", &CreateDfuBackend},
      {"external", &CreateBoardToolBackend},
  };
  return kTable;
}

std::string KnownMethods() { return config::KnownFlashMethodList(); }

std::unique_ptr<FlashBackend> CreateBackend(const BackendOptions& options) {
  if (!config::FindFlashMethodSpec(options.method))
    throw Error(ErrorCategory::kUsage, "unknown flash method `" + options.method + "`",
                ErrorContext{}, "use one of: " + KnownMethods());
  for (const auto& entry : BackendTable()) {
    if (options.method == entry.method) return entry.create(options);
  }
  throw Error(ErrorCategory::kInternal, "flash method `" + options.method +
                                            "` has no back-end in flasher/backend_registry.cpp");
}

}  // namespace tockctl::flasher
