// End to end: `tockctl qemu start IMAGE` with `--netdev` and `--qemu-arg` starts a QEMU whose
// machine really has the devices asked for. QEMU virt's eight virtio-mmio slots (0x10001000,
// 0x1000 apart) are read through QEMU's own gdbstub: magic "virt" at +0, device ID at +8
// (1 network card, 4 entropy source, 18 input), as a Tock kernel's probe reads them.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/file_io.h"
#include "flasher/gdb_rsp.h"
#include "flasher/link.h"
#include "tests/e2e/demo_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace std::chrono_literals;

constexpr uint32_t kVirtioNet = 1;
constexpr uint32_t kVirtioRng = 4;

std::filesystem::path DemoElf() { return BuildDir() / "firmware" / "qemu_demo.elf"; }

uint32_t WordFromHex(const std::string& hex) {
  uint32_t v = 0;
  for (size_t i = 0; i + 1 < hex.size() && i < 8; i += 2)
    v |= static_cast<uint32_t>(std::stoul(hex.substr(i, 2), nullptr, 16)) << (4 * i);
  return v;
}

// The device IDs of the virtio-mmio slots that hold a device, read through the gdbstub.
std::vector<uint32_t> VirtioDeviceIds(uint16_t gdb_port) {
  auto log = std::make_shared<spdlog::logger>("e2e");
  log->set_level(spdlog::level::off);
  auto link = flasher::ConnectTcp("127.0.0.1:" + std::to_string(gdb_port), 2s);
  flasher::GdbRspClient client(*link, 2s, log);
  std::vector<uint32_t> ids;
  for (uint64_t slot = 0; slot < 8; ++slot) {
    char request[32];
    std::snprintf(request, sizeof request, "m%llx,4",
                  static_cast<unsigned long long>(0x10001000 + slot * 0x1000));
    EXPECT_EQ(client.Request(request, "read magic"), "76697274");  // "virt"
    std::snprintf(request, sizeof request, "m%llx,4",
                  static_cast<unsigned long long>(0x10001008 + slot * 0x1000));
    uint32_t id = WordFromHex(client.Request(request, "read device id"));
    if (id != 0) ids.push_back(id);
  }
  return ids;
}

uint16_t RecordedGdbPort(const std::filesystem::path& runtime) {
  CliRun status = RunTockctlIn(runtime, {"--json", "qemu", "status"});
  return nlohmann::json::parse(status.out)["gdb_port"].get<uint16_t>();
}

size_t Count(const std::vector<uint32_t>& ids, uint32_t id) {
  return static_cast<size_t>(std::count(ids.begin(), ids.end(), id));
}

class QemuStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(DemoElf())) GTEST_SKIP() << "demo firmware not built";
  }
  TempDir dir;
  std::filesystem::path runtime = dir.path() / "runtime";
};

TEST_F(QemuStartTest, NetdevUserAddsAVirtioNetworkCard) {
  RecordedQemuGuard guard(runtime);
  CliRun plain = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--no-start"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto without = VirtioDeviceIds(RecordedGdbPort(runtime));
  EXPECT_EQ(Count(without, kVirtioNet), 0u);
  EXPECT_EQ(Count(without, kVirtioRng), 1u);

  CliRun r = RunTockctlIn(runtime,
                          {"qemu", "start", DemoElf().string(), "--netdev", "user", "--no-start"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto with = VirtioDeviceIds(RecordedGdbPort(runtime));
  EXPECT_EQ(Count(with, kVirtioNet), 1u);
  EXPECT_EQ(Count(with, kVirtioRng), 1u);
}

TEST_F(QemuStartTest, QemuArgsGoOnTheCommandLine) {
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--no-start",
                                    "--qemu-arg=-device", "--qemu-arg=virtio-rng-device"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(VirtioDeviceIds(RecordedGdbPort(runtime)), kVirtioRng), 2u);
}

nlohmann::json NamedStatus(const std::filesystem::path& runtime, const std::string& name) {
  CliRun status = RunTockctlIn(runtime, {"--json", "qemu", "status", "--name", name});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  return nlohmann::json::parse(status.out);
}

// Two trace records read through `trace --qemu-name NAME` (JSON lines, console text and the
// statistics around them).
CliRun TraceRecords(const std::filesystem::path& runtime, const std::string& name) {
  return RunTockctlIn(runtime, {"trace", "--qemu-name", name, "--format", "json", "--count", "2",
                                "--duration", "20"});
}

size_t RecordLines(const std::string& out) {
  size_t records = 0;
  for (const auto& line : SplitLines(out)) records += line.rfind("{\"seq\":", 0) == 0 ? 1 : 0;
  return records;
}

// Two kernels at once, each under its own name, ports and state file; stopping one leaves the
// other running and readable.
TEST_F(QemuStartTest, TwoNamedInstancesRunSideBySide) {
  RecordedQemuGuard guard(runtime);
  for (const char* name : {"node-a", "node-b"}) {
    CliRun r = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--name", name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("stop it with `tockctl qemu stop --name " + std::string(name) + "`"),
              std::string::npos)
        << r.err;
  }
  nlohmann::json a = NamedStatus(runtime, "node-a");
  nlohmann::json b = NamedStatus(runtime, "node-b");
  EXPECT_EQ(a["running"], true);
  EXPECT_EQ(b["running"], true);
  EXPECT_NE(a["pid"], b["pid"]);
  std::set<uint16_t> ports = {a["gdb_port"], a["uart_port"], b["gdb_port"], b["uart_port"]};
  EXPECT_EQ(ports.size(), 4u);
  CliRun all = RunTockctlIn(runtime, {"--json", "qemu", "status", "--all"});
  auto list = nlohmann::json::parse(all.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "node-a");
  EXPECT_EQ(list[1]["name"], "node-b");
  EXPECT_EQ(RunTockctlIn(runtime, {"--json", "qemu", "status"}).out.find("\"running\":true"),
            std::string::npos);  // nothing runs under the default name
  EXPECT_EQ(RunTockctlIn(runtime, {"qemu", "status"}).out,
            "No QEMU started by tockctl (state file " + (runtime / "qemu.json").string() +
                ")\nAlso recorded: node-a, node-b (tockctl qemu status --all)\n");

  for (const char* name : {"node-a", "node-b"}) {
    CliRun trace = TraceRecords(runtime, name);
    EXPECT_EQ(trace.exit_code, 0) << name << ": " << trace.err;
    EXPECT_EQ(RecordLines(trace.out), 2u) << trace.out;
  }

  CliRun stop = RunTockctlIn(runtime, {"qemu", "stop", "--name", "node-a"});
  EXPECT_EQ(stop.err, "Stopped QEMU node-a pid " + std::to_string(a["pid"].get<int>()) + "\n");
  EXPECT_EQ(NamedStatus(runtime, "node-b")["running"], true);
  CliRun gone = TraceRecords(runtime, "node-a");
  EXPECT_EQ(gone.exit_code, 5) << gone.err;
  EXPECT_EQ(gone.err, "error: no QEMU named node-a started by tockctl is running (no " +
                          (runtime / "qemu-node-a.json").string() +
                          "); start it with: tockctl qemu start IMAGE --name node-a\n");
  CliRun still = TraceRecords(runtime, "node-b");
  EXPECT_EQ(still.exit_code, 0) << still.err;
  EXPECT_EQ(RecordLines(still.out), 2u) << still.out;
}

// How many established TCP connections on 127.0.0.1 have `port` at one end (/proc/net/tcp).
int EstablishedLoopbackConnections(uint16_t port) {
  char end[16];
  std::snprintf(end, sizeof end, "0100007F:%04X", port);
  std::string table = ReadFile("/proc/net/tcp");
  int count = 0;
  for (const auto& line : SplitLines(table)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "01" && (local == end || remote == end)) ++count;
  }
  return count;
}

// `--netdev listen:PORT` and `connect:PORT` put two instances on one Ethernet link: the second
// QEMU's socket back-end is connected to the first one's.
TEST_F(QemuStartTest, ListenAndConnectLinkTwoInstances) {
  RecordedQemuGuard guard(runtime);
  const uint16_t port = flasher::PickFreeLocalPort();
  const std::string p = std::to_string(port);
  CliRun a = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--name", "node-a",
                                    "--netdev", "listen:" + p, "--no-start"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(EstablishedLoopbackConnections(port), 0);
  CliRun b = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--name", "node-b",
                                    "--netdev", "connect:" + p, "--no-start"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(EstablishedLoopbackConnections(port), 2);  // both ends: node-a's and node-b's
  const auto b_gdb = NamedStatus(runtime, "node-b")["gdb_port"].get<uint16_t>();
  EXPECT_EQ(Count(VirtioDeviceIds(b_gdb), kVirtioNet), 1u);
}

// `flash --qemu-name` picks the instance: --verify-only compares with the one named, and a
// restart under one name leaves the other alone.
TEST_F(QemuStartTest, FlashQemuNamePicksTheInstance) {
  RecordedQemuGuard guard(runtime);
  for (const char* name : {"left", "right"})
    ASSERT_EQ(
        RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--name", name}).exit_code, 0);
  const int left = NamedStatus(runtime, "left")["pid"];
  const int right = NamedStatus(runtime, "right")["pid"];
  CliRun verify = RunTockctlIn(runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt",
                                         "--verify-only", "--qemu-name", "right"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.err.find("Using the QEMU started earlier (pid " + std::to_string(right) + ","),
            std::string::npos)
      << verify.err;
  CliRun restart = RunTockctlIn(
      runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt", "--qemu-name", "right"});
  EXPECT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_EQ(NamedStatus(runtime, "left")["pid"], left);
  EXPECT_NE(NamedStatus(runtime, "right")["pid"], right);
  CliRun bad = RunTockctlIn(
      runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt", "--qemu-name", "../x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "error: --qemu-name `../x` is not a QEMU instance name; use 1 to 32 letters, digits, "
            "'-', '_' or '.' (not starting with '.')\n");
}

TEST_F(QemuStartTest, QemuOptionsWithAnotherMethodAreAUsageError) {
  CliRun r = RunTockctlIn(runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt",
                                    "--method", "gdb", "--tcp", "127.0.0.1:1", "--netdev", "user"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --netdev and --qemu-arg start QEMU, which the gdb method does not do; use "
            "--method qemu (or tockctl qemu start)\n");
  r = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--netdev", "slirp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --netdev `slirp` is not a QEMU network back-end; use user (QEMU's NAT, no "
            "privileges), tap (needs a tap device), or listen:PORT and connect:PORT (one Ethernet "
            "link between two QEMUs over 127.0.0.1:PORT)\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
