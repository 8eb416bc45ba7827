// Shared parts of the flashing end-to-end tests: building test firmware with the cross compiler,
// running tockctl with a private runtime directory, QEMU guards, and reading QEMU's UART.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl::testing {

/// Builds tests/e2e/fixtures/uart_hello.S with `linker_script` (a file in fixtures/) into `dir`;
/// returns the ELF path. Fails the test if the compiler fails.
std::filesystem::path BuildTestFirmware(const TempDir& dir, const std::string& linker_script,
                                        const std::string& name);

/// Stops every QEMU instance `tockctl flash` recorded in `runtime_dir` when destroyed: `tockctl
/// qemu stop --all`, then SIGKILL of each recorded pid that still exists.
class RecordedQemuGuard {
 public:
  explicit RecordedQemuGuard(std::filesystem::path runtime_dir) : dir_(std::move(runtime_dir)) {}
  ~RecordedQemuGuard();
  RecordedQemuGuard(const RecordedQemuGuard&) = delete;
  RecordedQemuGuard& operator=(const RecordedQemuGuard&) = delete;
  /// The pid in the state file, or 0.
  int RecordedPid() const;
  /// The UART port in the state file, or 0.
  uint16_t RecordedUartPort() const;

 private:
  std::filesystem::path dir_;
};

/// A qemu-system-riscv32 -M virt started by the test itself, halted, gdbstub and UART on
/// 127.0.0.1 ports; killed (with its process group) when destroyed.
class QemuUnderTest {
 public:
  QemuUnderTest();
  ~QemuUnderTest();
  QemuUnderTest(const QemuUnderTest&) = delete;
  QemuUnderTest& operator=(const QemuUnderTest&) = delete;
  std::string gdb_endpoint() const { return "127.0.0.1:" + std::to_string(gdb_port_); }
  uint16_t uart_port() const { return uart_port_; }
  bool running() { return child_ && child_->Running(); }

 private:
  std::unique_ptr<ChildProcess> child_;
  uint16_t gdb_port_ = 0;
  uint16_t uart_port_ = 0;
};

/// Connects to 127.0.0.1:`port` and reads until `text` appears or `timeout` passes; returns all
/// that was read.
std::string ReadTcpUntil(uint16_t port, const std::string& text, std::chrono::milliseconds timeout);

}  // namespace tockctl::testing
