// End to end: the app commands of the real tockctl binary on QEMU's qemu_rv32_virt, through the
// gdb back-end (a QEMU the test starts, read back with a separate gdb client) and through the
// qemu method (a QEMU tockctl started, power-cycled afterwards so that the firmware boots again
// from the flash it had).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apps/tab.h"
#include "common/file_io.h"
#include "devices/qemu_instance.h"
#include "flasher/gdb_rsp.h"
#include "flasher/link.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace std::chrono_literals;

constexpr char kBanner[] = "tockctl-e2e: firmware running";
constexpr uint64_t kAppFlash = 0x80100000;

std::string Fixture(const std::string& name) {
  return std::string(TOCKCTL_SOURCE_DIR) + "/tests/fixtures/apps/" + name;
}

std::vector<uint8_t> Rv32Tbf(const std::string& tab) {
  for (const apps::TabTbf& t : apps::LoadAppBundle(Fixture(tab)).tbfs)
    if (t.arch == "rv32imac") return t.tbf.bytes;
  ADD_FAILURE() << tab << " has no rv32imac.tbf";
  return {};
}

// Reads memory through QEMU's gdbstub with a client of the test's own (hex 'm' packets).
std::vector<uint8_t> ReadMemory(const std::string& endpoint, uint64_t address, size_t length) {
  auto log = std::make_shared<spdlog::logger>("e2e");
  log->set_level(spdlog::level::off);
  auto link = flasher::ConnectTcp(endpoint, 2s);
  flasher::GdbRspClient client(*link, 2s, log);
  std::vector<uint8_t> out;
  for (size_t done = 0; done < length; done += 256) {
    const size_t n = std::min<size_t>(256, length - done);
    const uint64_t at = address + done;
    char request[64];
    std::snprintf(request, sizeof request, "m%llx,%zx", static_cast<unsigned long long>(at), n);
    const auto bytes = flasher::FromHex(client.Request(request, "read"), "memory");
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

std::string LastLine(const std::string& text) {
  std::string t = text.substr(0, text.find_last_not_of('\n') + 1);
  return t.substr(t.find_last_of('\n') + 1);
}

class AppQemuTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::filesystem::path runtime_ = dir_.path() / "runtime";

  CliRun Gdb(const QemuUnderTest& qemu, std::vector<std::string> args) {
    args.insert(args.begin(), "app");
    for (const std::string& a :
         {std::string("--board"), std::string("qemu_rv32_virt"), std::string("--method"),
          std::string("gdb"), std::string("--tcp"), qemu.gdb_endpoint()})
      args.push_back(a);
    return RunTockctlIn(runtime_, args);
  }
};

TEST_F(AppQemuTest, GdbInstallListUpdateUninstall) {
  QemuUnderTest qemu;
  CliRun r = Gdb(qemu, {"install", Fixture("blink.tab"), Fixture("rot13_service.tab")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // PMP: 4-byte granularity, so the apps go one after another in the order given.
  const auto blink = Rv32Tbf("blink.tab");
  const auto rot13 = Rv32Tbf("rot13_service.tab");
  EXPECT_EQ(ReadMemory(qemu.gdb_endpoint(), kAppFlash, blink.size()), blink);
  EXPECT_EQ(ReadMemory(qemu.gdb_endpoint(), kAppFlash + blink.size(), rot13.size()), rot13);
  EXPECT_EQ(ReadMemory(qemu.gdb_endpoint(), kAppFlash + blink.size() + rot13.size(), 16),
            std::vector<uint8_t>(16, 0xFF));
  // A GDB server's reset is its own: the target runs on, and the summary says so.
  EXPECT_NE(LastLine(r.err).find(", verified; the board was left running, not reset: reset it so "
                                 "that its kernel loads the new app list"),
            std::string::npos)
      << r.err;

  r = Gdb(qemu, {"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(blink.size(), 2048u);
  EXPECT_EQ(r.out,
            "ADDRESS     SIZE  NAME              VERSION  FLAGS\n"
            "0x80100000  2048  blink             1        enabled\n"
            "0x80100800  " +
                std::to_string(rot13.size()) + "  org.tockos.rot13  3        enabled\n");

  // A new build of blink from tockctl app pack replaces the old one in place.
  const std::string blink2 = (dir_.path() / "blink2.tbf").string();
  r = RunTockctlIn(runtime_, {"app", "pack", Fixture("hello.elf"), "--name", "blink",
                              "--minimum-size", "2048", "-o", blink2});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Gdb(qemu, {"update", blink2});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto packed = ReadBinaryFile(blink2);
  EXPECT_EQ(ReadMemory(qemu.gdb_endpoint(), kAppFlash, packed.size()), packed);
  EXPECT_EQ(ReadMemory(qemu.gdb_endpoint(), kAppFlash + blink.size(), rot13.size()), rot13);

  r = Gdb(qemu, {"uninstall", "blink"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadMemory(qemu.gdb_endpoint(), kAppFlash, rot13.size()), rot13);
  r = RunTockctlIn(runtime_, {"--json", "app", "list", "--board", "qemu_rv32_virt", "--method",
                              "gdb", "--tcp", qemu.gdb_endpoint()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(LastLine(r.out));
  ASSERT_EQ(j["apps"].size(), 1u);
  EXPECT_EQ(j["apps"][0]["name"], "org.tockos.rot13");
  EXPECT_EQ(j["apps"][0]["address"], "0x80100000");
}

// The qemu method works on the QEMU tockctl started and restarts it afterwards as a power cycle:
// a new QEMU on the same ports whose flash (kernel and apps) is the old one's, RAM cleared, run
// from its reset vector. The firmware then runs from the flash that was carried over.
TEST_F(AppQemuTest, QemuMethodPowerCyclesTheMachineAfterInstalling) {
  auto elf = BuildTestFirmware(dir_, "uart_hello.ld", "hello.elf");
  RecordedQemuGuard guard(runtime_);
  CliRun r = RunTockctlIn(runtime_, {"flash", elf.string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const uint16_t uart = guard.RecordedUartPort();
  const int pid = guard.RecordedPid();
  ASSERT_NE(uart, 0);
  r = RunTockctlIn(runtime_, {"app", "install", Fixture("blink.tab"), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Using the QEMU started earlier (pid " + std::to_string(pid)),
            std::string::npos)
      << r.err;
  const int restarted = guard.RecordedPid();
  EXPECT_NE(restarted, pid);
  EXPECT_FALSE(devices::QemuProcessAlive(pid));
  EXPECT_TRUE(devices::QemuProcessAlive(restarted));
  EXPECT_NE(LastLine(r.err).find(", verified, restarted QEMU (pid " + std::to_string(pid) +
                                 " stopped, pid " + std::to_string(restarted) +
                                 " started with the same flash: a power cycle)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(guard.RecordedUartPort(), uart);
  EXPECT_NE(ReadTcpUntil(uart, kBanner, 10s).find(kBanner), std::string::npos)
      << "the firmware does not run after the restart";
  r = RunTockctlIn(runtime_, {"app", "list", "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0x80100000  2048  blink  1        enabled\n"), std::string::npos) << r.out;
}

TEST_F(AppQemuTest, QemuMethodWithoutARunningQemuSaysSo) {
  CliRun r = RunTockctlIn(runtime_, {"app", "list", "--board", "qemu_rv32_virt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: no QEMU started by tockctl is running to attach to; flash the image first "
            "(tockctl flash IMAGE --board qemu_rv32_virt)\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
