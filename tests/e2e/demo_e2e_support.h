// Shared parts of the demo end-to-end tests (docs/demo.md): a private workspace for one run of
// build -> flash -> trace -> qemu stop, a background process guard for `tockctl trace`, a QEMU
// restarted by hand on a given UART port, and tshark.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/process.h"
#include "tests/support/background_process.h"
#include "tests/support/test_support.h"

namespace tockctl::testing {

/// One run of the demo: a temporary directory holding the QEMU state directory
/// (TOCKCTL_RUNTIME_DIR) and the build's target directory (CARGO_TARGET_DIR), so runs never share
/// a QEMU or a build, and the demo files of the source tree.
class DemoWorkspace {
 public:
  DemoWorkspace();

  const std::filesystem::path& dir() const { return temp_.path(); }
  std::filesystem::path runtime_dir() const { return dir() / "runtime"; }
  /// firmware/qemu_demo/board.json in the source tree.
  static std::filesystem::path BoardFile();
  /// firmware/tock-tree in the source tree.
  static std::filesystem::path TockTree();
  /// The kernel ELF `tockctl build` leaves in this workspace.
  std::filesystem::path KernelElf() const;
  /// The environment tockctl runs with here (also NO_COLOR and NO_RUSTUP=1).
  std::map<std::string, std::string> Env() const;

  /// Runs tockctl with `args` in this workspace (60 s limit).
  CliRun Tockctl(const std::vector<std::string>& args) const;
  /// `tockctl build --config BOARD --tock-dir TREE`.
  CliRun Build() const;
  /// `tockctl flash ELF --config BOARD` followed by `extra`.
  CliRun Flash(const std::vector<std::string>& extra) const;

 private:
  TempDir temp_;
};

/// `tockctl trace ARGS` as a BackgroundProcess in `workspace`.
std::unique_ptr<BackgroundProcess> StartTrace(const DemoWorkspace& workspace,
                                              const std::vector<std::string>& args);

/// qemu-system-riscv32 -M virt running `elf` (as -bios) with its UART served on
/// 127.0.0.1:`uart_port`: a QEMU restarted by hand on the port the trace follows. Killed when
/// destroyed.
class QemuOnPort {
 public:
  QemuOnPort(const std::filesystem::path& elf, uint16_t uart_port);
  ~QemuOnPort();
  QemuOnPort(const QemuOnPort&) = delete;
  QemuOnPort& operator=(const QemuOnPort&) = delete;

 private:
  std::unique_ptr<ChildProcess> child_;
};

/// Runs tshark with `args` (stderr kept apart; the "Running as user root" note is dropped).
CliRun RunTshark(const std::vector<std::string>& args);

/// The JSON objects of a JSON Lines text (lines that are not objects are skipped).
std::vector<nlohmann::json> ParseJsonLines(const std::string& text);

/// Lines of `text` without the trailing newline.
std::vector<std::string> SplitLines(const std::string& text);

/// Counts of each distinct line.
std::map<std::string, int> CountLines(const std::vector<std::string>& lines);

}  // namespace tockctl::testing
