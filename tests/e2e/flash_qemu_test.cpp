// End to end: the real tockctl binary flashes firmware built here into QEMU through the gdb
// back-end, checks the memory map, verifies, starts it and reads its UART. Every QEMU a test
// starts is stopped by a guard, whatever happens.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devices/qemu_instance.h"
#include "flasher/gdb_rsp.h"
#include "flasher/link.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kBanner[] = "tockctl-e2e: firmware running";

std::shared_ptr<spdlog::logger> Quiet() {
  auto log = std::make_shared<spdlog::logger>("e2e");
  log->set_level(spdlog::level::off);
  return log;
}

// Reads `length` bytes at `address` through QEMU's gdbstub with a separate client (hex 'm').
std::string ReadMemoryHex(const std::string& endpoint, uint64_t address, size_t length) {
  auto link = flasher::ConnectTcp(endpoint, 2s);
  flasher::GdbRspClient client(*link, 2s, Quiet());
  char request[64];
  std::snprintf(request, sizeof request, "m%llx,%zx", static_cast<unsigned long long>(address),
                length);
  return client.Request(request, "read");
}

void WriteMemoryHex(const std::string& endpoint, uint64_t address, const std::string& hex) {
  auto link = flasher::ConnectTcp(endpoint, 2s);
  flasher::GdbRspClient client(*link, 2s, Quiet());
  char request[64];
  std::snprintf(request, sizeof request, "M%llx,%zx:", static_cast<unsigned long long>(address),
                hex.size() / 2);
  ASSERT_EQ(client.Request(std::string(request) + hex, "write"), "OK");
}

class FlashQemuTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path runtime = dir.path() / "runtime";
};

TEST_F(FlashQemuTest, GdbMethodFlashesVerifiesStartsAndFirmwareTalksOnUart) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  QemuUnderTest qemu;
  CliRun r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method",
                                    "gdb", "--remote", qemu.gdb_endpoint()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("verify "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(", verified, started at 0x80000000"), std::string::npos) << r.err;
  std::string uart = ReadTcpUntil(qemu.uart_port(), kBanner, 10s);
  EXPECT_NE(uart.find(kBanner), std::string::npos) << uart;
}

TEST_F(FlashQemuTest, SegmentOutsideKernelFlashIsRefusedAndTheDeviceIsUntouched) {
  auto good = BuildTestFirmware(dir, "uart_hello.ld", "good.elf");
  auto bad = BuildTestFirmware(dir, "uart_hello_outside.ld", "bad.elf");
  QemuUnderTest qemu;
  std::string before_kernel = ReadMemoryHex(qemu.gdb_endpoint(), 0x80000000, 64);
  std::string before_apps = ReadMemoryHex(qemu.gdb_endpoint(), 0x80100000, 64);
  CliRun r = RunTockctlIn(runtime, {"flash", bad.string(), "--board", "qemu_rv32_virt", "--method",
                                    "gdb", "--remote", qemu.gdb_endpoint()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: " + bad.string() +
                ": segment PT_LOAD[2] (.rodata) 0x80100000..0x8010001f lies outside kernel flash "
                "0x80000000..0x80100000 of qemu_rv32_virt; use --force to write it anyway\n");
  EXPECT_EQ(ReadMemoryHex(qemu.gdb_endpoint(), 0x80000000, 64), before_kernel);
  EXPECT_EQ(ReadMemoryHex(qemu.gdb_endpoint(), 0x80100000, 64), before_apps);
  // The good image goes through on the same device.
  r = RunTockctlIn(runtime, {"flash", good.string(), "--board", "qemu_rv32_virt", "--method", "gdb",
                             "--remote", qemu.gdb_endpoint(), "--no-start"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadMemoryHex(qemu.gdb_endpoint(), 0x80000000, 64), before_kernel);
}

TEST_F(FlashQemuTest, CorruptedMemoryFailsVerificationWithTheAddress) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  QemuUnderTest qemu;
  CliRun r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method",
                                    "gdb", "--remote", qemu.gdb_endpoint(), "--no-start"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string original = ReadMemoryHex(qemu.gdb_endpoint(), 0x80000030, 1);
  std::string corrupt = original == "5a" ? "a5" : "5a";
  WriteMemoryHex(qemu.gdb_endpoint(), 0x80000030, corrupt);
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method", "gdb",
                             "--remote", qemu.gdb_endpoint(), "--verify-only"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("error: verify failed: segment PT_LOAD[1] (.text .rodata) differs from the "
                       "image at 0x80000030 (read 0x" +
                       corrupt + ", expected 0x" + original + ") (gdb: verify); flash again"),
            std::string::npos)
      << r.err;
  // Flashing again repairs it.
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method", "gdb",
                             "--remote", qemu.gdb_endpoint()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadTcpUntil(qemu.uart_port(), kBanner, 10s).find(kBanner), std::string::npos);
}

TEST_F(FlashQemuTest, QemuMethodStartsQemuThatStatusAndStopManage) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Started QEMU (pid "), std::string::npos) << r.err;
  int first_pid = guard.RecordedPid();
  ASSERT_GT(first_pid, 0);
  EXPECT_NE(ReadTcpUntil(guard.RecordedUartPort(), kBanner, 10s).find(kBanner), std::string::npos);

  CliRun status = RunTockctlIn(runtime, {"--json", "qemu", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["running"], true);
  EXPECT_EQ(j["pid"], first_pid);
  EXPECT_EQ(j["uart"], "127.0.0.1:" + std::to_string(guard.RecordedUartPort()));

  // A second flash replaces the running QEMU and says so.
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Stopping the QEMU started earlier (pid " + std::to_string(first_pid)),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(devices::QemuProcessAlive(first_pid));
  int second_pid = guard.RecordedPid();
  EXPECT_NE(second_pid, first_pid);

  // flash --method gdb finds the running QEMU by itself.
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method", "gdb",
                             "--verify-only"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  r = RunTockctlIn(runtime, {"qemu", "stop"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "Stopped QEMU pid " + std::to_string(second_pid) + "\n");
  EXPECT_FALSE(devices::QemuProcessAlive(second_pid));
  status = RunTockctlIn(runtime, {"qemu", "status"});
  EXPECT_EQ(status.out,
            "No QEMU started by tockctl (state file " + (runtime / "qemu.json").string() + ")\n");
}

TEST_F(FlashQemuTest, StaleStateIsDetectedAndCleanedUp) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int pid = guard.RecordedPid();
  devices::StopQemuProcess(pid, 100ms);
  CliRun status = RunTockctlIn(runtime, {"--json", "qemu", "status"});
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["running"], false);
  EXPECT_EQ(j["stale"], true);
  CliRun stop = RunTockctlIn(runtime, {"qemu", "stop"});
  EXPECT_EQ(stop.err, "QEMU pid " + std::to_string(pid) +
                          " was already gone; removed the stale state file\n");
  EXPECT_FALSE(std::filesystem::exists(runtime / "qemu.json"));
}

TEST_F(FlashQemuTest, DemoFirmwareFlashesAndSendsItsTraceHello) {
  std::filesystem::path demo = BuildDir() / "firmware" / "qemu_demo.elf";
  if (!std::filesystem::exists(demo)) GTEST_SKIP() << "demo firmware not built: " << demo;
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"flash", demo.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string uart = ReadTcpUntil(guard.RecordedUartPort(), "qemu_rv32_virt", 10s);
  EXPECT_NE(uart.find("qemu_rv32_virt"), std::string::npos) << uart.size() << " bytes read";
}

}  // namespace
}  // namespace tockctl::testing
