// Shared parts of the Wireshark extcap end-to-end tests (docs/extcap.md): a private home with
// tockctl installed into its Wireshark folders, and QEMU's UART connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/demo_e2e_support.h"
#include "tests/support/test_support.h"

namespace tockctl::testing {

/// A temporary HOME and XDG_CONFIG_HOME (so Wireshark's personal folders are private to the test)
/// and QEMU state directory, with `tockctl extcap --install` run in it.
class ExtcapHome {
 public:
  /// Runs `tockctl extcap --install` unless `install` is false.
  explicit ExtcapHome(bool install = true);

  const std::filesystem::path& dir() const { return temp_.path(); }
  std::filesystem::path runtime_dir() const { return dir() / "run"; }
  /// The environment tockctl and tshark run with here.
  std::map<std::string, std::string> Env() const;
  /// Runs the tockctl binary with `args` here (60 s limit).
  CliRun Tockctl(const std::vector<std::string>& args) const;
  /// Runs tshark with `args` here (60 s limit); the "Running as user root" note is dropped.
  CliRun Tshark(const std::vector<std::string>& args) const;
  /// `tshark ARGS` in the background, in dir(); killed when destroyed.
  std::unique_ptr<BackgroundProcess> StartTshark(const std::vector<std::string>& args) const;
  /// `tockctl flash` of the CMake-built demo firmware on qemu_rv32_virt, with `extra` options.
  CliRun FlashDemo(const std::vector<std::string>& extra) const;
  /// The output of `tockctl extcap --install`.
  const CliRun& install() const { return install_; }

 private:
  TempDir temp_;
  CliRun install_;
};

/// The demo firmware the CMake build makes (build/firmware/qemu_demo.elf).
std::filesystem::path DemoFirmware();

/// Waits until something holds a TCP connection to 127.0.0.1:`port` (an extcap capture reading
/// QEMU's UART), from /proc/net/tcp; false after `timeout`.
bool WaitForTcpClient(uint16_t port, std::chrono::milliseconds timeout);

}  // namespace tockctl::testing
