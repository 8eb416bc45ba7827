// End to end: the real tockctl binary flashes firmware built here into QEMU through the gdb
// back-end, checks the memory map, verifies, starts it and reads its UART. Every QEMU a test
// starts is stopped by a guard, whatever happens.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "devices/qemu_instance.h"
#include "flasher/gdb_rsp.h"
#include "flasher/link.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace std::chrono_literals;

constexpr char kBanner[] = "tockctl-e2e: firmware running";

std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

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
                                    "gdb", "--tcp", qemu.gdb_endpoint()});
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
                                    "gdb", "--tcp", qemu.gdb_endpoint()});
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
                             "--tcp", qemu.gdb_endpoint(), "--no-start"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadMemoryHex(qemu.gdb_endpoint(), 0x80000000, 64), before_kernel);
}

TEST_F(FlashQemuTest, CorruptedMemoryFailsVerificationWithTheAddress) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  QemuUnderTest qemu;
  CliRun r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method",
                                    "gdb", "--tcp", qemu.gdb_endpoint(), "--no-start"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string original = ReadMemoryHex(qemu.gdb_endpoint(), 0x80000030, 1);
  std::string corrupt = original == "5a" ? "a5" : "5a";
  WriteMemoryHex(qemu.gdb_endpoint(), 0x80000030, corrupt);
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method", "gdb",
                             "--tcp", qemu.gdb_endpoint(), "--verify-only"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("error: verify failed: segment PT_LOAD[1] (.text .rodata) differs from the "
                       "image at 0x80000030 (read 0x" +
                       corrupt + ", expected 0x" + original + ") (gdb: verify); flash again"),
            std::string::npos)
      << r.err;
  // Flashing again repairs it.
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--method", "gdb",
                             "--tcp", qemu.gdb_endpoint()});
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

// --verify-only and --dry-run compare with or plan against the running QEMU; they never stop it
// or start another (an empty QEMU would fail verification and blame the hardware).
TEST_F(FlashQemuTest, VerifyOnlyAndDryRunNeverStartOrReplaceQemu) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  RecordedQemuGuard guard(runtime);
  CliRun r =
      RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--verify-only"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: no QEMU started by tockctl is running to attach to; flash the image first "
            "(tockctl flash IMAGE --board qemu_rv32_virt)\n");
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(guard.RecordedPid(), 0) << "a dry run started QEMU";

  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int pid = guard.RecordedPid();
  ASSERT_GT(pid, 0);
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunTockctlIn(runtime, {"flash", elf.string(), "--board", "qemu_rv32_virt", "--verify-only"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Using the QEMU started earlier (pid " + std::to_string(pid) + ", image " +
                       elf.string() + ")\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("Stopping the QEMU"), std::string::npos) << r.err;
  EXPECT_EQ(guard.RecordedPid(), pid);
  EXPECT_TRUE(devices::QemuProcessAlive(pid));
}

// flash --json gives QEMU's ports as fields (not only inside a message); qemu stop --json says
// what is true after the stop.
TEST_F(FlashQemuTest, JsonGivesQemuPortsAsFieldsAndStopSaysTheStateAfter) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"--json", "flash", elf.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> lines;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_FALSE(lines.empty());
  const auto& summary = lines.back();
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["file"], nullptr);
  const int pid = guard.RecordedPid();
  EXPECT_EQ(summary["qemu"]["pid"], pid);
  EXPECT_EQ(summary["qemu"]["running"], true);
  EXPECT_EQ(summary["qemu"]["uart_port"], guard.RecordedUartPort());
  EXPECT_TRUE(summary["qemu"]["gdb_port"].is_number_unsigned());
  EXPECT_EQ(summary["qemu"]["gdb"],
            "127.0.0.1:" + std::to_string(summary["qemu"]["gdb_port"].get<int>()));

  r = RunTockctlIn(runtime, {"--json", "qemu", "stop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stop = nlohmann::json::parse(r.out);
  EXPECT_EQ(stop["stopped"], true);
  EXPECT_EQ(stop["running"], false);
  EXPECT_EQ(stop["stale"], false);
  EXPECT_EQ(stop["pid"], pid);
  EXPECT_FALSE(devices::QemuProcessAlive(pid));
  r = RunTockctlIn(runtime, {"--json", "qemu", "stop"});
  stop = nlohmann::json::parse(r.out);
  EXPECT_EQ(stop["stopped"], false);
  EXPECT_EQ(stop["running"], false);
}

// Starts `tockctl --json flash` of a 1 MiB image into QEMU, waits for the first write progress
// event, does `interrupt` to it, and returns tockctl's exit code and output (stdout and stderr
// go to one log).
struct InterruptedFlash {
  int exit_code = -1;
  std::string log;
  int qemu_pid = 0;
};

template <typename Interrupt>
InterruptedFlash FlashAndInterrupt(const TempDir& dir, const std::filesystem::path& runtime,
                                   Interrupt interrupt) {
  const auto image = dir.path() / "big.bin";
  {
    std::ofstream out(image, std::ios::binary);
    for (int i = 0; i < 1024 * 1024; ++i) out.put(static_cast<char>(i * 7));
  }
  ProcessSpec spec;
  spec.argv = {TOCKCTL_BINARY,   "--json",    "flash",      image.string(), "--board",
               "qemu_rv32_virt", "--address", "0x80000000", "--format",     "bin"};
  spec.env["TOCKCTL_DATA_DIR"] = SourceDir().string();
  spec.env["TOCKCTL_RUNTIME_DIR"] = runtime.string();
  const auto log_path = dir.path() / "flash.log";
  PosixProcessRunner runner;
  auto child = runner.Spawn(spec, log_path.string());
  InterruptedFlash result;
  bool writing = false;
  for (int i = 0; i < 2000 && !writing && child->Running(); ++i) {
    std::this_thread::sleep_for(5ms);
    writing =
        ReadFileText(log_path).find(R"("event":"progress","phase":"write")") != std::string::npos;
  }
  EXPECT_TRUE(writing) << "no write progress seen: " << ReadFileText(log_path);
  result.qemu_pid = devices::QemuStateStore(runtime).Load().value_or(devices::QemuInstance{}).pid;
  interrupt(child->pid(), result.qemu_pid);
  for (int i = 0; i < 1000 && child->Running(); ++i) std::this_thread::sleep_for(10ms);
  result.exit_code = child->Stop();
  result.log = ReadFileText(log_path);
  return result;
}

// The last line of `text`.
std::string LastLine(const std::string& text) {
  const size_t end = text.find_last_not_of('\n');
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

TEST_F(FlashQemuTest, CtrlCMidWriteExits130AndSaysTheImageIsPartial) {
  RecordedQemuGuard guard(runtime);
  const auto run = FlashAndInterrupt(
      dir, runtime, [](int tockctl, int) { ASSERT_EQ(::kill(tockctl, SIGINT), 0); });
  EXPECT_EQ(run.exit_code, 130) << run.log;
  // Under load the stop may land in verify, which follows write at once.
  const std::regex line(
      "error: interrupted during (write; the image on the device is partial \\([0-9.]+ [KM]?i?B "
      "of 1\\.00 MiB written\\) and will not start: flash again|verify; the image was written "
      "completely but not verified: check it with --verify-only)");
  EXPECT_TRUE(std::regex_match(LastLine(run.log), line)) << run.log;
}

TEST_F(FlashQemuTest, QemuKilledMidWriteIsNamedWithThePhaseAndThePartialImage) {
  RecordedQemuGuard guard(runtime);
  const auto run = FlashAndInterrupt(dir, runtime, [](int, int qemu) {
    ASSERT_GT(qemu, 0);
    ASSERT_EQ(::kill(qemu, SIGKILL), 0);
  });
  EXPECT_EQ(run.exit_code, 5) << run.log;
  const std::regex line("error: " + (runtime / "qemu.log").string() + ": QEMU \\(pid " +
                        std::to_string(run.qemu_pid) +
                        "\\) exited during (write|verify) \\(killed by signal 9 \\(Killed\\), "
                        "with nothing in its log\\); the image (on the device is partial "
                        "\\([0-9.]+ [KM]?i?B of 1\\.00 MiB written\\) and will not start: "
                        "flash again|was written completely but not verified: check it with "
                        "--verify-only); `tockctl qemu status` shows what tockctl knows about it");
  EXPECT_TRUE(std::regex_match(LastLine(run.log), line)) << run.log;
}

// A QEMU that exits at once without a word: the error gives its exit status instead of nothing.
TEST_F(FlashQemuTest, QemuExitingWhileStartingSaysHowItEnded) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  const auto fake = dir.Write("qemu-system-silent", "#!/bin/sh\nexit 3\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  auto board = nlohmann::json::parse(ReadFileText(SourceDir() / "boards/qemu_rv32_virt.json"));
  board["board"]["flash"]["methods"][0]["binary"] = fake.string();
  const auto config = dir.Write("board.json", board.dump());
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"flash", elf.string(), "--config", config.string()});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.err, "error: " + (runtime / "qemu.log").string() +
                       ": QEMU exited while starting (exit status 3, with nothing in its log); run "
                       "with -v to see QEMU's command line, and run that by hand to see more\n");
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

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
