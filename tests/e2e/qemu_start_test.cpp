// End to end: `tockctl qemu start IMAGE` with `--netdev` and `--qemu-arg` starts a QEMU whose
// machine really has the devices asked for. QEMU virt's eight virtio-mmio slots (0x10001000,
// 0x1000 apart) are read through QEMU's own gdbstub: magic "virt" at +0, device ID at +8
// (1 network card, 4 entropy source, 18 input), as a Tock kernel's probe reads them.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "flasher/gdb_rsp.h"
#include "flasher/link.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {

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

TEST_F(QemuStartTest, QemuOptionsWithAnotherMethodAreAUsageError) {
  CliRun r =
      RunTockctlIn(runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt", "--method",
                             "gdb", "--remote", "127.0.0.1:1", "--netdev", "user"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --netdev and --qemu-arg start QEMU, which the gdb method does not do; use "
            "--method qemu (or tockctl qemu start)\n");
  r = RunTockctlIn(runtime, {"qemu", "start", DemoElf().string(), "--netdev", "slirp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --netdev `slirp` is not a QEMU network back-end; use user (QEMU's NAT, no "
            "privileges) or tap (needs a tap device)\n");
}

}  // namespace
}  // namespace tockctl::testing
