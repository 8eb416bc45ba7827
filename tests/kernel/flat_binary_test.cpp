#include "kernel/flat_binary.h"

#include <gtest/gtest.h>

#include "common/elf_file.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/process.h"
#include "tests/kernel/fixture_tree.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::SourceDir;
using tockctl::testing::TempDir;

int RunTool(std::vector<std::string> argv, const std::filesystem::path& cwd = {}) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.cwd = cwd.string();
  spec.timeout = std::chrono::seconds(120);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  if (r.exit_code != 0) ADD_FAILURE() << spec.argv[0] << ": " << r.stderr_text << r.stdout_text;
  return r.exit_code;
}

// Our .bin and `OBJCOPY -O binary --remove-section .apps` must be the same bytes.
void ExpectSameAsObjcopy(const std::string& objcopy, const std::filesystem::path& elf_path) {
  TempDir dir;
  auto reference = dir.path() / "objcopy.bin";
  ASSERT_EQ(RunTool({objcopy, "-O", "binary", "--remove-section", ".apps", elf_path.string(),
                     reference.string()}),
            0);
  std::vector<uint8_t> bytes = ReadBinaryFile(elf_path);
  FlatBinary bin = MakeFlatBinary(ParseElfFile(bytes, elf_path.string()), bytes);
  std::vector<uint8_t> expected = ReadBinaryFile(reference);
  ASSERT_EQ(bin.bytes.size(), expected.size());
  EXPECT_TRUE(bin.bytes == expected) << "contents differ from " << objcopy << "'s";
}

TEST(FlatBinaryTest, FixtureKernelMatchesObjcopy) {
  testing::FixtureTree tree;
  ASSERT_EQ(tree.Make(), 0);
  ExpectSameAsObjcopy("riscv64-unknown-elf-objcopy", tree.release_elf());
  std::vector<uint8_t> bytes = ReadBinaryFile(tree.release_elf());
  FlatBinary bin = MakeFlatBinary(ParseElfFile(bytes, "kernel"), bytes);
  EXPECT_EQ(bin.address, 0x80000000u);
  EXPECT_EQ(bin.sections, (std::vector<std::string>{".text", ".relocate"}));
  // make's own .bin (objcopy with Tock's flags) is the same file.
  EXPECT_TRUE(bin.bytes == ReadBinaryFile(tree.release_elf().string() + ".bin"));
}

TEST(FlatBinaryTest, AppsSectionIsKeptOnlyWhenAsked) {
  testing::FixtureTree tree;
  ASSERT_EQ(tree.Make(), 0);
  std::vector<uint8_t> bytes = ReadBinaryFile(tree.release_elf());
  ElfFile elf = ParseElfFile(bytes, "kernel");
  FlatBinary with_apps = MakeFlatBinary(elf, bytes, {});
  EXPECT_EQ(with_apps.bytes.size(), 0x100004u);  // up to the 4 placeholder bytes at 0x80100000
  EXPECT_EQ(with_apps.bytes.back(), 0xff);
}

// The demo firmware (firmware/qemu_demo): many sections, .data loaded from flash.
TEST(FlatBinaryTest, DemoFirmwareMatchesObjcopy) {
  TempDir dir;
  auto argv = testing::DemoFirmwareGccArgv(dir.path() / "demo.elf");
  ASSERT_EQ(RunTool(argv), 0);
  ExpectSameAsObjcopy("riscv64-unknown-elf-objcopy", dir.path() / "demo.elf");
}

// A Cortex-M style ELF: flash at 0, RAM at 0x20000000, data initialisers after a gap.
TEST(FlatBinaryTest, ArmElfWithGapMatchesObjcopy) {
  if (!FindProgram("arm-none-eabi-gcc")) GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  TempDir dir;
  dir.Write("k.c",
            "const unsigned table[4] = {1, 2, 3, 4};\n"
            "unsigned counter = 0x11223344;\n"
            "__attribute__((section(\".late\"), used)) const unsigned char late[3] = {9, 8, 7};\n"
            "unsigned zeroed[8];\n"
            "void _start(void) { zeroed[counter & 7] = table[counter & 3]; for (;;) {} }\n");
  dir.Write("k.ld",
            "MEMORY { flash (rx) : ORIGIN = 0x0, LENGTH = 256K\n"
            "         ram (rwx) : ORIGIN = 0x20000000, LENGTH = 64K }\n"
            "SECTIONS {\n"
            "  .text : { *(.text*) *(.rodata*) } > flash\n"
            "  .late 0x800 : { KEEP(*(.late)) } > flash\n"
            "  .data : { *(.data*) } > ram AT > flash\n"
            "  .bss (NOLOAD) : { *(.bss*) *(COMMON) } > ram\n"
            "  .apps 0x20000 : { BYTE(0xff) BYTE(0xff) BYTE(0xff) BYTE(0xff) } > flash\n"
            "}\n");
  ASSERT_EQ(RunTool({"arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-nostdlib", "-O1", "-T",
                     "k.ld", "-o", "k.elf", "k.c"},
                    dir.path()),
            0);
  ExpectSameAsObjcopy("arm-none-eabi-objcopy", dir.path() / "k.elf");
  std::vector<uint8_t> bytes = ReadBinaryFile(dir.path() / "k.elf");
  FlatBinary bin = MakeFlatBinary(ParseElfFile(bytes, "k.elf"), bytes);
  EXPECT_EQ(bin.address, 0u);
  ASSERT_GE(bin.bytes.size(), 0x803u);
  EXPECT_EQ(bin.bytes[0x800], 9);
  EXPECT_EQ(bin.bytes[0x7ff], 0);  // the gap is zero-filled
}

TEST(FlatBinaryTest, FarApartSectionsAreRefused) {
  ElfFile elf;
  ElfSection text;
  text.name = ".text";
  text.type = kShtProgbits;
  text.flags = kShfAlloc | kShfExecInstr;
  text.size = 4;
  ElfSection data = text;
  data.name = ".data";
  data.address = data.load_address = 0x20000000;
  elf.sections = {text, data};
  std::vector<uint8_t> bytes(8, 0);
  try {
    MakeFlatBinary(elf, bytes);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "the loadable sections span 0x20000004 bytes, from .text at 0x0 to .data ending at "
              "0x20000004; a section has a load address outside the kernel's flash; check the "
              "board's layout.ld: initialised data must be placed AT > rom");
  }
}

TEST(FlatBinaryTest, NothingLoadableIsAnError) {
  ElfFile elf;
  std::vector<uint8_t> bytes;
  try {
    MakeFlatBinary(elf, bytes);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "the ELF file has no loadable sections");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
