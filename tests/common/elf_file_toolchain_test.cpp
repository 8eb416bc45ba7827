// The shared ELF reader on files linked by the cross toolchains: ELF64 little-endian RISC-V and
// ELF32 big-endian ARM, with initialised data loaded in flash and run from RAM; and every
// truncation or corruption of them fails with tockctl's Error.
#include <gtest/gtest.h>

#include <random>

#include "common/elf_file.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::TempDir;

constexpr const char* kLinkerScript = R"(
MEMORY { flash (rx) : ORIGIN = 0x10000, LENGTH = 64K
         ram (rw) : ORIGIN = 0x20000000, LENGTH = 64K }
ENTRY(reset)
SECTIONS {
  .text : { *(.text*) } > flash
  .rodata : { *(.rodata*) } > flash
  .data : { *(.data*) } > ram AT > flash
  .bss : { *(.bss*) } > ram
  data_load = LOADADDR(.data);
}
)";

constexpr const char* kData = R"(
  .section .rodata
  .global table
table: .word 1, 2, 3, 4
  .section .data
  .global counter
counter: .word 0x11223344
  .section .bss
  .global zeroed
zeroed: .space 32
)";

struct Toolchain {
  std::vector<std::string> gcc;
  std::string code;
};

Toolchain RiscV64() {
  return {{"riscv64-unknown-elf-gcc", "-march=rv64imac", "-mabi=lp64", "-mcmodel=medany"},
          "  .text\n  .global reset\nreset: j reset\n"};
}

Toolchain ArmBigEndian() {
  return {{"arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mbig-endian"},
          "  .syntax unified\n  .thumb\n  .text\n  .global reset\n  .type reset, %function\n"
          "reset: b reset\n"};
}

// Links the program with `toolchain` in `dir` and returns the ELF bytes.
std::vector<uint8_t> Link(const Toolchain& toolchain, const TempDir& dir) {
  dir.Write("layout.ld", kLinkerScript);
  dir.Write("program.S", toolchain.code + kData);
  ProcessSpec spec;
  spec.argv = toolchain.gcc;
  for (const char* arg :
       {"-nostdlib", "-nostartfiles", "-T", "layout.ld", "program.S", "-o", "program.elf"})
    spec.argv.push_back(arg);
  spec.cwd = dir.path().string();
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  return ReadBinaryFile(dir.path() / "program.elf");
}

void ExpectLinkedLayout(const ElfFile& elf, std::span<const uint8_t> bytes) {
  const ElfSection* text = elf.FindSection(".text");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->address, 0x10000u);
  EXPECT_TRUE(text->executable());
  EXPECT_EQ(elf.entry, elf.Symbol("reset"));
  EXPECT_EQ(elf.Symbol("table"), elf.FindSection(".rodata")->address);
  const ElfSection* data = elf.FindSection(".data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->address, 0x20000000u);
  EXPECT_EQ(elf.Symbol("counter"), 0x20000000u);
  EXPECT_EQ(data->load_address, elf.Symbol("data_load"));
  EXPECT_LT(data->load_address, 0x20000u);
  auto counter = SectionContents(bytes, *data);
  std::vector<uint8_t> expected = elf.big_endian ? std::vector<uint8_t>{0x11, 0x22, 0x33, 0x44}
                                                 : std::vector<uint8_t>{0x44, 0x33, 0x22, 0x11};
  EXPECT_EQ(std::vector<uint8_t>(counter.begin(), counter.end()), expected);
  const ElfSection* bss = elf.FindSection(".bss");
  ASSERT_NE(bss, nullptr);
  EXPECT_FALSE(bss->has_contents());
  EXPECT_EQ(elf.Symbol("zeroed"), bss->address);
  EXPECT_EQ(bss->size, 32u);
}

TEST(ElfFileToolchainTest, ReadsRiscV64LittleEndian) {
  TempDir dir;
  auto bytes = Link(RiscV64(), dir);
  ElfFile elf = ParseElfFile(bytes, "program.elf");
  EXPECT_TRUE(elf.is64);
  EXPECT_FALSE(elf.big_endian);
  EXPECT_EQ(ElfMachineName(elf.machine), "RISC-V");
  ExpectLinkedLayout(elf, bytes);
}

TEST(ElfFileToolchainTest, ReadsArmBigEndian) {
  TempDir dir;
  auto bytes = Link(ArmBigEndian(), dir);
  ElfFile elf = ParseElfFile(bytes, "program.elf");
  EXPECT_FALSE(elf.is64);
  EXPECT_TRUE(elf.big_endian);
  EXPECT_EQ(ElfMachineName(elf.machine), "ARM");
  ExpectLinkedLayout(elf, bytes);
}

// Parses `bytes` and expects success or tockctl's Error for invalid input, nothing else.
void ParsesOrRefuses(std::span<const uint8_t> bytes) {
  try {
    ParseElfFile(bytes, "cut.elf");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput) << e.Describe();
  }
}

TEST(ElfFileToolchainTest, TruncationsAndCorruptionsFailCleanly) {
  TempDir dir;
  for (const Toolchain& toolchain : {RiscV64(), ArmBigEndian()}) {
    auto bytes = Link(toolchain, dir);
    for (size_t n = 0; n < bytes.size(); n += (n < 256 ? 1 : 7))
      ParsesOrRefuses(std::span<const uint8_t>(bytes.data(), n));
    std::mt19937 rng(7);
    for (int round = 0; round < 3000; ++round) {
      std::vector<uint8_t> corrupt = bytes;
      for (int k = 0; k < 4; ++k) {
        size_t at = round % 2 ? rng() % 256 : rng() % corrupt.size();
        corrupt[at] = static_cast<uint8_t>(rng());
      }
      ParsesOrRefuses(corrupt);
    }
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
