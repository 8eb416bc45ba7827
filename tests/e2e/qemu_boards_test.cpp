// End to end: `tockctl qemu start IMAGE --board BOARD` boots every QEMU board of the catalog the
// way the board's Makefile runs it (its machine, CPU and -kernel loading), shown by our own boot
// banner firmware (firmware/boot_banner/) printing on that machine's console UART, read back with
// `tockctl trace --qemu`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

struct BootCase {
  const char* board;
  const char* firmware;  ///< In build/firmware/.
  const char* banner;
};

void PrintTo(const BootCase& c, std::ostream* os) { *os << c.board; }

class QemuBoardBootTest : public ::testing::TestWithParam<BootCase> {
 protected:
  TempDir dir;
  std::filesystem::path runtime = dir.path() / "runtime";
};

TEST_P(QemuBoardBootTest, BootsTheBannerFirmwareAndItsUartArrives) {
  const BootCase& c = GetParam();
  const std::filesystem::path elf = BuildDir() / "firmware" / c.firmware;
  ASSERT_TRUE(std::filesystem::exists(elf)) << elf << " is built by firmware/CMakeLists.txt";
  RecordedQemuGuard guard(runtime);
  CliRun start = RunTockctlIn(runtime, {"qemu", "start", elf.string(), "--board", c.board});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_NE(start.err.find("Started QEMU (pid "), std::string::npos) << start.err;

  CliRun trace = RunTockctlIn(runtime, {"trace", "--qemu", "--console-only", "--duration", "2"});
  EXPECT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_NE(trace.out.find(std::string(c.banner) + "\n"), std::string::npos) << trace.out;

  CliRun status = RunTockctlIn(runtime, {"--json", "qemu", "status"});
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["running"], true);
  EXPECT_EQ(j["board"], c.board);
}

INSTANTIATE_TEST_SUITE_P(
    CatalogQemuBoards, QemuBoardBootTest,
    ::testing::Values(BootCase{"hifive1", "banner_sifive_e.elf",
                               "tockctl boot banner: sifive_e UART0 at 0x10013000"},
                      BootCase{"redboard_redv", "banner_sifive_e.elf",
                               "tockctl boot banner: sifive_e UART0 at 0x10013000"},
                      BootCase{"earlgrey-cw310", "banner_opentitan.elf",
                               "tockctl boot banner: opentitan UART0 at 0x40000000"},
                      BootCase{"qemu_rv64_virt", "banner_rv64_virt.elf",
                               "tockctl boot banner: virt 16550 UART at 0x10000000"},
                      BootCase{"qemu_i486_q35", "banner_i486.elf",
                               "tockctl boot banner: q35 i486 COM1 at 0x3f8"}),
    [](const ::testing::TestParamInfo<BootCase>& param_info) {
      std::string name = param_info.param.board;
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

// QEMU's -kernel reads an ELF; a raw image for such a board is refused before any QEMU starts.
TEST(QemuBoardImageTest, ARawImageForAKernelLoadedBoardIsAUsageError) {
  TempDir dir;
  const std::filesystem::path raw = dir.path() / "kernel.bin";
  WriteFileAtomic(raw, std::string(64, '\x13'));
  CliRun r = RunTockctlIn(dir.path() / "runtime", {"flash", raw.string(), "--board", "hifive1",
                                                   "--method", "qemu", "--address", "0x20010000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: " + raw.string() +
                       ": board hifive1 boots its kernel with QEMU's -kernel, which needs an ELF "
                       "file; flash the kernel's .elf instead of a raw or hex image\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
