#include "tests/e2e/flash_e2e_support.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "devices/qemu_instance.h"
#include "flasher/link.h"

namespace tockctl::testing {

std::filesystem::path BuildTestFirmware(const TempDir& dir, const std::string& linker_script,
                                        const std::string& name) {
  auto fixtures = SourceDir() / "tests" / "e2e" / "fixtures";
  auto out = dir.path() / name;
  ProcessSpec spec;
  spec.argv = {"riscv64-unknown-elf-gcc",
               "-march=rv32imac",
               "-mabi=ilp32",
               "-nostdlib",
               "-T",
               (fixtures / linker_script).string(),
               (fixtures / "uart_hello.S").string(),
               "-o",
               out.string()};
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  return out;
}

int RecordedQemuGuard::RecordedPid() const {
  auto q = devices::QemuStateStore(dir_).Load();
  return q ? q->pid : 0;
}

uint16_t RecordedQemuGuard::RecordedUartPort() const {
  auto q = devices::QemuStateStore(dir_).Load();
  return q ? q->uart_port : 0;
}

RecordedQemuGuard::~RecordedQemuGuard() {
  std::vector<int> pids;
  for (const auto& name : devices::RecordedQemuNames(dir_))
    if (auto q = devices::QemuStateStore(dir_, name).Load()) pids.push_back(q->pid);
  RunTockctlIn(dir_, {"qemu", "stop", "--all"});
  for (int pid : pids) {
    if (pid > 0 && devices::QemuProcessAlive(pid)) {
      ::kill(pid, SIGKILL);
      devices::StopQemuProcess(pid, std::chrono::milliseconds(100));
    }
  }
}

QemuUnderTest::QemuUnderTest() {
  gdb_port_ = flasher::PickFreeLocalPort();
  uart_port_ = flasher::PickFreeLocalPort();
  ProcessSpec spec;
  spec.argv = {"qemu-system-riscv32",
               "-machine",
               "virt",
               "-bios",
               "none",
               "-display",
               "none",
               "-monitor",
               "none",
               "-serial",
               "tcp:127.0.0.1:" + std::to_string(uart_port_) + ",server=on,wait=off",
               "-gdb",
               "tcp:127.0.0.1:" + std::to_string(gdb_port_),
               "-S"};
  PosixProcessRunner runner;
  child_ = runner.Spawn(spec, "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (flasher::TryConnectTcp(gdb_endpoint(), std::chrono::milliseconds(200))) return;
    if (!child_->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "QEMU did not open its gdbstub on " << gdb_endpoint();
}

QemuUnderTest::~QemuUnderTest() {
  if (child_) child_->Stop(std::chrono::milliseconds(2000));
}

std::string ReadTcpUntil(uint16_t port, const std::string& text,
                         std::chrono::milliseconds timeout) {
  std::string seen;
  auto link = flasher::TryConnectTcp("127.0.0.1:" + std::to_string(port), std::chrono::seconds(2));
  if (!link) return seen;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[4096];
  while (seen.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    size_t n = link->Read(buf, std::chrono::milliseconds(100));
    seen.append(reinterpret_cast<char*>(buf), n);
  }
  return seen;
}

}  // namespace tockctl::testing
