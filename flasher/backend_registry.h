// Flash back-ends by method name ("gdb", "qemu", "tock-bootloader", ...). The methods themselves
// (names, summaries, board JSON keys) are config/flash_methods.h; this file maps each name to the
// factory that builds its back-end (docs/development.md, "Add a flash back-end").
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/board.h"
#include "flasher/flash_backend.h"

namespace tockctl {
class ProcessRunner;
}

namespace tockctl::flasher {

/// Everything a back-end may need to build itself. Creating a back-end must not touch a device.
struct BackendOptions {
  const config::HardwareBoard* board = nullptr;  ///< Never null.
  const config::FlashMethod* method_settings =
      nullptr;                             ///< The board's entry for the method, or null.
  std::string method;                      ///< Method name being created.
  std::optional<std::string> remote;       ///< --tcp HOST:PORT (gdb server, ...).
  std::optional<std::string> port;         ///< --serial DEVICE (serial port).
  std::optional<std::string> probe;        ///< --usb VID:PID[:SERIAL] (USB device selection).
  std::optional<std::string> output;       ///< --output FILE (methods that write a file, e.g. uf2).
  std::optional<std::string> mount;        ///< --mount DIR (uf2: a mounted UF2 drive).
  std::string image;                       ///< The image file being flashed (labels, state files).
  std::optional<std::string> qemu_netdev;  ///< qemu: --netdev user|tap.
  std::vector<std::string> qemu_args;      ///< qemu: --qemu-arg, in order.
  std::string qemu_name = "default";       ///< qemu: the instance (--qemu-name, --name).
  bool force = false;                      ///< --force: write despite a board mismatch.
  bool verify_only = false;                ///< --verify-only: compare, never start or replace.
  bool attach = false;  ///< Attach to what runs (a QEMU started earlier), never start it anew.
  std::shared_ptr<spdlog::logger> log;  ///< Never null.
  ProcessRunner* runner = nullptr;      ///< Never null; starts external tools and QEMU.
};

/// Creates a back-end; throws Error(kUsage/kInvalidInput) when options are missing or wrong.
using BackendFactory = std::unique_ptr<FlashBackend> (*)(const BackendOptions& options);

/// One row of the back-end table.
struct BackendEntry {
  const char* method;  ///< A name of config::FlashMethodSpecs().
  BackendFactory create;
};

/// The factory of every method in config::FlashMethodSpecs(), in the same order.
const std::vector<BackendEntry>& BackendTable();

/// Creates the back-end for options.method; throws Error(kUsage) listing the known methods when
/// the name is unknown.
std::unique_ptr<FlashBackend> CreateBackend(const BackendOptions& options);

/// Comma-separated known method names ("gdb, qemu, ...").
std::string KnownMethods();

}  // namespace tockctl::flasher
