#include "kernel/memory_report.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "common/kernel_attributes.h"
#include "common/process.h"
#include "config/board_catalog.h"
#include "tests/kernel/fixture_tree.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::FixtureTree;

config::MemoryMap BoardMemory(const std::string& name) {
  return config::BoardCatalog::Load(tockctl::testing::SourceDir() / "boards").Find(name).memory;
}

class MemoryReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tree_ = new FixtureTree();
    ASSERT_EQ(tree_->Make(), 0);
    bytes_ = new std::vector<uint8_t>(ReadBinaryFile(tree_->release_elf()));
  }
  static void TearDownTestSuite() {
    delete bytes_;
    delete tree_;
  }
  static ElfFile Elf() { return ParseElfFile(*bytes_, "kernel"); }
  static uint64_t TextSize() { return Elf().FindSection(".text")->size; }
  static FixtureTree* tree_;
  static std::vector<uint8_t>* bytes_;
};

FixtureTree* MemoryReportTest::tree_ = nullptr;
std::vector<uint8_t>* MemoryReportTest::bytes_ = nullptr;

// What the report reads from the fixture kernel through the shared ELF reader.
TEST_F(MemoryReportTest, FixtureKernelHasLoadAddressesAndTockSymbols) {
  ElfFile elf = Elf();
  EXPECT_FALSE(elf.is64);
  EXPECT_EQ(ElfMachineName(elf.machine), "RISC-V");
  EXPECT_EQ(elf.entry, 0x80000000u);
  const ElfSection* text = elf.FindSection(".text");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->address, 0x80000000u);
  EXPECT_EQ(text->load_address, 0x80000000u);
  const ElfSection* relocate = elf.FindSection(".relocate");
  ASSERT_NE(relocate, nullptr);
  EXPECT_EQ(relocate->address, 0x80202000u);
  EXPECT_EQ(relocate->load_address, *elf.Symbol("_etext"));
  EXPECT_TRUE(relocate->writable());
  const ElfSection* stack = elf.FindSection(".stack");
  ASSERT_NE(stack, nullptr);
  EXPECT_FALSE(stack->has_contents());
  EXPECT_EQ(stack->size, 0x2000u);
  EXPECT_EQ(elf.Symbol("_sstack"), 0x80200000u);
  EXPECT_EQ(elf.Symbol("_estack"), 0x80202000u);
  EXPECT_EQ(elf.Symbol("_sapps"), 0x80100000u);
  EXPECT_EQ(elf.Symbol("_eapps"), 0x80200000u);
  EXPECT_EQ(elf.Symbol("_sappmem"), 0x80203000u);
  EXPECT_EQ(elf.Symbol("_eappmem"), 0x80400000u);
  EXPECT_EQ(elf.Symbol("STACK_SIZE"), 0x2000u);
}

TEST_F(MemoryReportTest, GroupsTheFixtureKernelsSections) {
  MemoryReport r = AnalyzeMemory(Elf(), BoardMemory("qemu_rv32_virt"));
  EXPECT_EQ(r.code, TextSize());
  EXPECT_EQ(r.data_init, 4u);
  EXPECT_EQ(r.data, 4u);
  EXPECT_EQ(r.bss, 256u);
  EXPECT_EQ(r.stack, 0x2000u);
  EXPECT_EQ(r.stack_source, "_sstack.._estack");
  EXPECT_EQ(r.kernel_flash.used, TextSize() + 4);
  EXPECT_FALSE(r.attributes);  // The fixture's layout.ld has no .attributes section.
  EXPECT_EQ(r.kernel_flash.Headroom(), 0x100000u - TextSize() - 4);
  EXPECT_EQ(r.kernel_ram.used, 0x2104u);
  EXPECT_EQ(r.kernel_ram.Headroom(), 0x200000u - 0x2104u);
  EXPECT_EQ(r.app_flash.start, 0x80100000u);
  EXPECT_EQ(r.app_flash.Size(), 0x100000u);
  EXPECT_EQ(r.app_ram.start, 0x80203000u);
  EXPECT_EQ(r.app_ram.end, 0x80400000u);
  EXPECT_EQ(r.app_ram.source, "_sappmem.._eappmem");
  EXPECT_TRUE(r.notes.empty());
  EXPECT_TRUE(r.problems.empty());
  EXPECT_NO_THROW(ThrowIfOverflowing(r, "kernel"));
}

TEST_F(MemoryReportTest, FormatsForPeople) {
  MemoryReport r = AnalyzeMemory(Elf(), BoardMemory("qemu_rv32_virt"));
  std::string code = std::to_string(TextSize()), used = std::to_string(TextSize() + 4);
  std::string free = std::to_string(0x100000 - TextSize() - 4);
  auto right = [](std::string s, size_t w) { return std::string(w - s.size(), ' ') + s; };
  EXPECT_EQ(
      FormatMemoryReport(r),
      "  kernel flash 0x80000000..0x80100000  " + right(used, 9) + " of 1048576 bytes (0.0%), " +
          free +
          " free\n"
          "    code and constants  " +
          right(code, 9) +
          "\n"
          "    data initializers           4\n"
          "  kernel RAM   0x80200000..0x80400000       8452 of 2097152 bytes (0.4%), 2088700 free\n"
          "    stack                    8192  (_sstack.._estack)\n"
          "    data                        4\n"
          "    bss                       256\n"
          "  app flash    0x80100000..0x80200000    1048576 bytes  (_sapps.._eapps)\n"
          "  app RAM      0x80203000..0x80400000    2084864 bytes  (_sappmem.._eappmem)\n");
}

TEST_F(MemoryReportTest, TinyKernelFlashOverflows) {
  config::MemoryMap memory = BoardMemory("qemu_rv32_virt");
  memory.kernel_flash.length = 0x40;
  MemoryReport r = AnalyzeMemory(Elf(), memory);
  ASSERT_EQ(r.problems.size(), 2u);
  char end[24];
  std::snprintf(end, sizeof end, "0x%llx", 0x80000000ull + TextSize());
  EXPECT_EQ(r.problems[0], "kernel flash overflows: .text (code and constants) ends at " +
                               std::string(end) + ", " + std::to_string(TextSize() - 0x40) +
                               " bytes past the end of kernel flash 0x80000000..0x80000040");
  EXPECT_GT(r.kernel_flash.Percent(), 100.0);
  EXPECT_EQ(r.kernel_flash.Headroom(), 0u);
  try {
    ThrowIfOverflowing(r, "target/k");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    EXPECT_EQ(e.Describe(), "target/k: " + r.problems[0] +
                                " (and 1 more problem); make the kernel smaller or give it more "
                                "room in layout.ld and the board JSON");
  }
}

TEST_F(MemoryReportTest, OtherBoardsMapPutsSectionsOutside) {
  MemoryReport r = AnalyzeMemory(Elf(), BoardMemory("nrf52840dk"));
  ASSERT_FALSE(r.problems.empty());
  EXPECT_EQ(r.problems[0],
            ".stack (stack) at 0x80200000 is outside kernel RAM 0x20000000..0x20040000; the ELF "
            "was linked for another memory map than the board JSON's");
}

TEST_F(MemoryReportTest, WithoutSymbolsFallsBack) {
  tockctl::testing::TempDir dir;
  auto stripped = dir.path() / "stripped";
  ProcessSpec spec;
  spec.argv = {"riscv64-unknown-elf-objcopy", "--strip-all", tree_->release_elf().string(),
               stripped.string()};
  PosixProcessRunner runner;
  ASSERT_EQ(runner.Run(spec).exit_code, 0);
  auto bytes = ReadBinaryFile(stripped);
  MemoryReport r = AnalyzeMemory(ParseElfFile(bytes, "stripped"), BoardMemory("qemu_rv32_virt"));
  EXPECT_EQ(r.stack, 0x2000u);
  EXPECT_EQ(r.stack_source, ".stack section");
  EXPECT_EQ(r.app_flash.source, "board JSON app_flash");
  EXPECT_EQ(r.app_ram.start, 0x80202104u);
  EXPECT_EQ(r.notes, (std::vector<std::string>{
                         "stack size from the .stack section (no _sstack/_estack symbols)",
                         "app flash from the board JSON (no _sapps/_eapps symbols)",
                         "app RAM is the RAM after the kernel's last byte (no _sappmem/_eappmem "
                         "symbols)"}));
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(MemoryReportTest, LayoutDisagreeingWithTheBoardIsNoted) {
  config::MemoryMap memory = BoardMemory("qemu_rv32_virt");
  memory.app_flash.length = 0x80000;
  MemoryReport r = AnalyzeMemory(Elf(), memory);
  EXPECT_EQ(r.notes, (std::vector<std::string>{
                         "the ELF puts app flash at 0x80100000..0x80200000 but the board JSON's "
                         "app_flash is 0x80100000..0x80180000"}));
}

TEST_F(MemoryReportTest, JsonHasEveryFigure) {
  auto j = MemoryReportToJson(AnalyzeMemory(Elf(), BoardMemory("qemu_rv32_virt")));
  EXPECT_EQ(j["kernel_ram"]["stack"], 0x2000);
  EXPECT_EQ(j["kernel_ram"]["stack_source"], "_sstack.._estack");
  EXPECT_EQ(j["kernel_flash"]["data_initializers"], 4);
  EXPECT_EQ(j["app_ram"]["size"], 0x80400000 - 0x80203000);
  EXPECT_EQ(j["problems"].size(), 0u);
  EXPECT_EQ(j["sections"].size(), 5u);  // .stack, .text, .relocate (data + initializers), .sram
  // Addresses are "0x..." strings (docs/cli.md, JSON output), sizes numbers.
  EXPECT_EQ(j["kernel_flash"]["origin"], "0x80000000");
  EXPECT_EQ(j["app_ram"]["start"], "0x80203000");
  EXPECT_EQ(j["app_ram"]["end"], "0x80400000");
  EXPECT_TRUE(j["sections"][0]["address"].is_string());
}

// The demo firmware carries Tock's attributes block at the very end of kernel flash, as a Tock
// board's layout does: the kernel's size is its own bytes, the attributes are reported apart.
class MemoryReportAttributesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessSpec spec;
    spec.argv = testing::DemoFirmwareGccArgv(dir_.path() / "demo.elf");
    spec.timeout = std::chrono::seconds(120);
    PosixProcessRunner runner;
    ASSERT_EQ(runner.Run(spec).exit_code, 0);
    bytes_ = ReadBinaryFile(dir_.path() / "demo.elf");
  }
  tockctl::testing::TempDir dir_;
  std::vector<uint8_t> bytes_;
};

TEST_F(MemoryReportAttributesTest, KernelAndAttributesApart) {
  ElfFile elf = ParseElfFile(bytes_, "demo.elf");
  MemoryReport r = AnalyzeMemory(elf, BoardMemory("qemu_rv32_virt"));
  const ElfSection* section = elf.FindSection(".attributes");
  ASSERT_NE(section, nullptr);
  KernelAttributes a =
      ParseKernelAttributes(SectionContents(bytes_, *section), 0x80100000, "demo.elf");
  ASSERT_TRUE(a.kernel_flash);
  EXPECT_EQ(r.kernel_flash.used, a.kernel_flash->size);  // What the kernel says of itself.
  EXPECT_LT(r.kernel_flash.used, 0x10000u);
  ASSERT_TRUE(r.attributes);
  EXPECT_EQ(r.attributes->address, 0x80100000u - 44);
  EXPECT_EQ(r.attributes->size, 44u);
  EXPECT_EQ(r.kernel_flash.Headroom(), 0x100000u - r.kernel_flash.used - 44);
  EXPECT_TRUE(r.problems.empty());
  std::string report = FormatMemoryReport(r);
  EXPECT_NE(
      report.find("\n    kernel attributes          44  (0x800fffd4..0x80100000, at the end)\n"),
      std::string::npos)
      << report;
  auto j = MemoryReportToJson(r);
  EXPECT_EQ(j["kernel_flash"]["attributes"].dump(), R"({"address":"0x800fffd4","size":44})");
  EXPECT_EQ(j["kernel_flash"]["used"], r.kernel_flash.used);
}

TEST_F(MemoryReportAttributesTest, KernelRunningIntoTheAttributesIsAProblem) {
  ElfFile elf = ParseElfFile(bytes_, "demo.elf");
  for (ElfSection& s : elf.sections)
    if (s.name == ".attributes") s.load_address = 0x80001000;  // Inside the demo's code.
  MemoryReport r = AnalyzeMemory(elf, BoardMemory("qemu_rv32_virt"));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0], "kernel flash overflows: the kernel ends at " +
                               HexNumber(0x80000000 + r.kernel_flash.used) +
                               ", past the start of the kernel attributes at 0x80001000");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
