// End to end: `tockctl info` reads the kernel attributes that the demo firmware carries at the end
// of its kernel flash (laid out as Tock's linker script lays them out) from the ELF, from the .bin,
// and from QEMU's memory through the gdb and qemu back-ends, and all four agree with the ELF's
// own symbols.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/elf_file.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "tests/e2e/demo_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"
#include "tests/support/doc_examples.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

std::filesystem::path DemoElf() { return BuildDir() / "firmware" / "qemu_demo.elf"; }
std::filesystem::path DemoBin() { return BuildDir() / "firmware" / "qemu_demo.bin"; }

// The attribute lines `tockctl info` must print for the demo, from the ELF's symbols.
std::string ExpectedAttributes() {
  std::vector<uint8_t> bytes = ReadBinaryFile(DemoElf());
  ElfFile elf = ParseElfFile(bytes, DemoElf().string());
  uint64_t kernel_end =
      *elf.Symbol("__data_load") + (*elf.Symbol("__data_end") - *elf.Symbol("__data_start"));
  uint64_t app = *elf.Symbol("_sappmem"), app_end = *elf.Symbol("_eappmem");
  return "kernel version  2.2.0\n"
         "kernel flash    0x80000000.." +
         HexNumber(kernel_end) + "  " + std::to_string(kernel_end - 0x80000000) +
         " bytes\n"
         "app memory      " +
         HexNumber(app) + ".." + HexNumber(app_end) + "  " + std::to_string(app_end - app) +
         " bytes\n"
         "attributes      0x800fffd4..0x80100000  44 bytes, version 1, 3 TLVs\n";
}

class KernelInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(DemoElf())) GTEST_SKIP() << "demo firmware not built";
  }
  TempDir dir;
  std::filesystem::path runtime = dir.path() / "runtime";
};

TEST_F(KernelInfoTest, FromTheElfsAttributesSection) {
  CliRun r = RunTockctl({"info", DemoElf().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "source          " + DemoElf().string() + " (.attributes section)\n" +
                       ExpectedAttributes());
  EXPECT_EQ(r.err, "");
}

TEST_F(KernelInfoTest, FromTheBinPlacedWhereItsAttributesSay) {
  CliRun r = RunTockctl({"info", DemoBin().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "source          " + DemoBin().string() +
                       " (placed at 0x80000000, the kernel flash start it gives)\n" +
                       ExpectedAttributes());
  CliRun board = RunTockctl({"info", DemoBin().string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(board.exit_code, 0) << board.err;
  EXPECT_EQ(board.out, "source          " + DemoBin().string() + "\n" + ExpectedAttributes());
}

TEST_F(KernelInfoTest, JsonHasTheSameFigures) {
  CliRun r = RunTockctl({"--json", "info", DemoElf().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kernel_version"]["text"], "2.2.0");
  EXPECT_EQ(j["kernel_flash"]["start"], "0x80000000");
  EXPECT_EQ(j["attributes"]["address"], "0x800fffd4");
  EXPECT_EQ(j["attributes"]["size"], 44);
  EXPECT_EQ(j["attributes"]["tlvs"].size(), 3u);
}

TEST_F(KernelInfoTest, ThroughTheGdbBackEndFromQemu) {
  QemuUnderTest qemu;
  CliRun flash = RunTockctlIn(runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt",
                                        "--method", "gdb", "--tcp", qemu.gdb_endpoint()});
  ASSERT_EQ(flash.exit_code, 0) << flash.err;
  CliRun r = RunTockctlIn(runtime, {"info", "--board", "qemu_rv32_virt", "--method", "gdb", "--tcp",
                                    qemu.gdb_endpoint()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "source          board qemu_rv32_virt via gdb\n" + ExpectedAttributes());
  EXPECT_TRUE(qemu.running());
}

TEST_F(KernelInfoTest, ThroughTheQemuMethodAttachingToTheRunningQemu) {
  RecordedQemuGuard guard(runtime);
  CliRun flash = RunTockctlIn(runtime, {"flash", DemoElf().string(), "--board", "qemu_rv32_virt"});
  ASSERT_EQ(flash.exit_code, 0) << flash.err;
  int pid = guard.RecordedPid();
  CliRun r = RunTockctlIn(runtime, {"info", "--board", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "source          board qemu_rv32_virt via qemu\n" + ExpectedAttributes());
  EXPECT_EQ(guard.RecordedPid(), pid);  // The same QEMU, not a new empty one.
}

// With no QEMU running, the qemu method has nothing to read; the message fits info as well as
// flash --verify-only (it used to say "nothing to verify").
TEST_F(KernelInfoTest, NoQemuRunningSaysSoOnOneLine) {
  RecordedQemuGuard guard(runtime);
  CliRun r = RunTockctlIn(runtime, {"info", "--board", "qemu_rv32_virt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: no QEMU started by tockctl is running to attach to; flash the image first "
            "(tockctl flash IMAGE --board qemu_rv32_virt)\n");
  EXPECT_EQ(guard.RecordedPid(), 0) << "info started a QEMU";
}

TEST_F(KernelInfoTest, BoardWithoutAKernelSaysSoOnOneLine) {
  QemuUnderTest qemu;  // Nothing flashed: QEMU's RAM is zeros.
  CliRun r = RunTockctlIn(runtime, {"info", "--board", "qemu_rv32_virt", "--method", "gdb", "--tcp",
                                    qemu.gdb_endpoint()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: board qemu_rv32_virt via gdb: no kernel attributes: the 4 bytes before "
            "0x80100000 are 00 00 00 00, not the sentinel \"TOCK\" (54 4f 43 4b); Tock's linker "
            "script puts the attributes at the very end of kernel flash; is this a Tock kernel, "
            "and is the address or board right?\n");
}

TEST_F(KernelInfoTest, ImagesWithoutAttributesSaySoOnOneLine) {
  auto elf = BuildTestFirmware(dir, "uart_hello.ld", "hello.elf");
  CliRun r = RunTockctl({"info", elf.string(), "--board", "qemu_rv32_virt"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + elf.string() +
                       ": no kernel attributes: the image has no bytes just before 0x80100000, "
                       "where they would end; pass the --board the kernel was built for, or "
                       "--address for a raw binary\n");
  auto zeros = dir.path() / "zeros.bin";
  dir.Write("zeros.bin", std::string(64, '\0'));
  r = RunTockctl({"info", zeros.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: " + zeros.string() +
                       ": no kernel attributes: the 4 bytes before 0x40 are 00 00 00 00, not the "
                       "sentinel \"TOCK\" (54 4f 43 4b); Tock's linker script puts the attributes "
                       "at the very end of kernel flash; is this a Tock kernel, and is the address "
                       "or board right?\n");
}

TEST_F(KernelInfoTest, NeitherImageNorBoardIsAUsageError) {
  CliRun r = RunTockctl({"info"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: tockctl info needs an IMAGE file or a board to read; pass IMAGE, or --board "
            "NAME (or --config FILE) for a running board\n");
}

// The "$ command" lines of docs/info.md, in order, from a directory whose build/ is the build
// directory, compared whole with the lines shown under them ("…" stands for any text).
TEST_F(KernelInfoTest, DocsExamplesRunAndPrintWhatTheDocsShow) {
  std::filesystem::create_directory_symlink(BuildDir(), dir.path() / "build");
  RecordedQemuGuard guard(runtime);
  auto examples = ConsoleExamples(ReadFile(SourceDir() / "docs" / "info.md"));
  ASSERT_EQ(examples.size(), 5u);
  for (const auto& example : examples) {
    SCOPED_TRACE(example.command);
    std::vector<std::string> words = CommandWords(example.command);
    ASSERT_EQ(words.at(0), "tockctl");
    words.erase(words.begin());
    CliRun r = RunTockctlIn(runtime, words, dir.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    auto actual = SplitLines(r.out);
    ASSERT_EQ(actual.size(), example.shown.size()) << r.out;
    for (size_t i = 0; i < actual.size(); ++i)
      EXPECT_TRUE(MatchesShown(example.shown[i], actual[i]))
          << "expected: " << example.shown[i] << "\n  actual: " << actual[i];
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
