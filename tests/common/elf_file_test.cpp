// The shared ELF reader on ELF files built in memory (every class and byte order, hostile
// headers, whole error messages).
#include "common/elf_file.h"

#include <gtest/gtest.h>

#include "common/byte_reader.h"
#include "common/error.h"
#include "tests/support/elf_builder.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::BuildElf;
using testing::CountingBytes;
using testing::ElfSpec;

// .text at 0x08000000; .data linked for RAM at 0x20000000 but loaded after .text in flash, with
// a .bss tail; two symbols and an undefined one.
ElfSpec Firmware() {
  ElfSpec spec;
  spec.entry = 0x08000000;
  spec.segments = {{1, 0x08000000, 0, CountingBytes(16), 0, ".text", kShfAlloc | kShfExecInstr, ""},
                   {1, 0x08000010, 0x20000000, CountingBytes(8, 0x40), 0x100, ".data",
                    kShfAlloc | kShfWrite, ".bss"},
                   {4, 0, 0, CountingBytes(4, 0x80), 0, "", kShfAlloc, ""}};
  spec.symbols = {{"_start", 0x08000000, true},
                  {"counter", 0x20000000, true},
                  {"_start", 0x1234, true},
                  {"printf", 0, false}};
  return spec;
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  try {
    ParseElfFile(bytes, "fw.elf");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "no error";
}

TEST(ElfFileTest, ReadsHeaderAndProgramHeadersInEveryClassAndByteOrder) {
  for (bool is64 : {false, true}) {
    for (bool big : {false, true}) {
      ElfSpec spec = Firmware();
      spec.is64 = is64;
      spec.big_endian = big;
      ElfFile elf = ParseElfFile(BuildElf(spec), "fw.elf");
      EXPECT_EQ(elf.is64, is64);
      EXPECT_EQ(elf.big_endian, big);
      EXPECT_EQ(elf.type, kEtExec);
      EXPECT_EQ(ElfMachineName(elf.machine), "RISC-V");
      EXPECT_EQ(elf.entry, 0x08000000u);
      ASSERT_EQ(elf.segments.size(), 3u);
      const ElfSegment& data = elf.segments[1];
      EXPECT_EQ(data.index, 1u);
      EXPECT_EQ(data.header_offset, is64 ? 64u + 56u : 52u + 32u);
      EXPECT_EQ(data.type, kPtLoad);
      EXPECT_EQ(data.offset, (is64 ? 64u + 3 * 56u : 52u + 3 * 32u) + 16u);
      EXPECT_EQ(data.vaddr, 0x20000000u);
      EXPECT_EQ(data.paddr, 0x08000010u);
      EXPECT_EQ(data.filesz, 8u);
      EXPECT_EQ(data.memsz, 0x100u);
      EXPECT_EQ(elf.Symbol("counter"), 0x20000000u);
    }
  }
}

TEST(ElfFileTest, ReadsSectionsWithNamesFlagsAndLoadAddresses) {
  ElfFile elf = ParseElfFile(BuildElf(Firmware()), "fw.elf");
  std::vector<std::string> names;
  for (const ElfSection& s : elf.sections) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"", ".shstrtab", ".text", ".data", ".bss", ".symtab",
                                             ".strtab"}));
  const ElfSection* text = elf.FindSection(".text");
  ASSERT_NE(text, nullptr);
  EXPECT_TRUE(text->executable() && text->allocated() && !text->writable());
  EXPECT_EQ(text->load_address, 0x08000000u);
  // objcopy's load addresses: .data where its bytes are in the segment, .bss where it would be.
  const ElfSection* data = elf.FindSection(".data");
  EXPECT_EQ(data->address, 0x20000000u);
  EXPECT_EQ(data->load_address, 0x08000010u);
  EXPECT_TRUE(data->writable());
  const ElfSection* bss = elf.FindSection(".bss");
  EXPECT_FALSE(bss->has_contents());
  EXPECT_EQ(bss->address, 0x20000008u);
  EXPECT_EQ(bss->load_address, 0x08000018u);
  EXPECT_EQ(bss->size, 0xf8u);
  EXPECT_EQ(elf.FindSection(".symtab")->link, 6u);
  EXPECT_EQ(elf.FindSection(".nowhere"), nullptr);
}

TEST(ElfFileTest, ReadsDefinedSymbolsFirstDefinitionWinning) {
  ElfFile elf = ParseElfFile(BuildElf(Firmware()), "fw.elf");
  EXPECT_EQ(elf.symbols,
            (std::map<std::string, uint64_t>{{"_start", 0x08000000}, {"counter", 0x20000000}}));
  EXPECT_FALSE(elf.Symbol("printf").has_value());
  EXPECT_TRUE(ParseElfFile(BuildElf(Firmware()), "fw.elf", ElfSymbols::kSkip).symbols.empty());
}

TEST(ElfFileTest, GivesSectionAndSegmentBytes) {
  auto bytes = BuildElf(Firmware());
  ElfFile elf = ParseElfFile(bytes, "fw.elf");
  auto data = SectionContents(bytes, *elf.FindSection(".data"));
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), CountingBytes(8, 0x40));
  EXPECT_TRUE(SectionContents(bytes, *elf.FindSection(".bss")).empty());
  EXPECT_TRUE(SectionContents(bytes, elf.sections[0]).empty());
  auto note = SegmentContents(bytes, elf.segments[2]);
  EXPECT_EQ(std::vector<uint8_t>(note.begin(), note.end()), CountingBytes(4, 0x80));
  ElfSegment outside = elf.segments[0];
  outside.offset = bytes.size() - 8;
  try {
    SegmentContents(bytes, outside);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "offset 602: PT_LOAD[0] contents (16 bytes at offset 602) lies outside "
              "ELF file (610 bytes)");
  }
}

TEST(ElfFileTest, LabelsNameTheTableEntry) {
  ElfFile elf = ParseElfFile(BuildElf(Firmware()), "fw.elf");
  EXPECT_EQ(elf.segments[1].Label(), "PT_LOAD[1]");
  EXPECT_EQ(elf.segments[2].Label(), "program header 2");
  EXPECT_EQ(elf.sections[3].Label(), "section 3 (.data)");
  EXPECT_EQ(elf.sections[0].Label(), "section 0");
  ElfSection long_name;
  long_name.index = 9;
  long_name.name = std::string(70, 'x');
  EXPECT_EQ(long_name.Label(), "section 9 (" + std::string(64, 'x') + "...)");
}

TEST(ElfFileTest, RefusesBadIdentification) {
  auto elf = BuildElf(Firmware());
  auto bad = elf;
  bad[1] = 'X';
  EXPECT_EQ(ErrorOf(bad), "fw.elf: offset 0: not an ELF file (bad magic)");
  bad = elf;
  bad[4] = 3;
  EXPECT_EQ(ErrorOf(bad), "fw.elf: offset 4: unknown ELF class 3 (want 1 or 2)");
  bad = elf;
  bad[5] = 0;
  EXPECT_EQ(ErrorOf(bad), "fw.elf: offset 5: unknown ELF byte order 0 (want 1 or 2)");
  bad = elf;
  bad[6] = 2;
  EXPECT_EQ(ErrorOf(bad), "fw.elf: offset 6: unknown ELF version 2 (want 1)");
  EXPECT_EQ(ErrorOf({0x7f, 'E', 'L', 'F', 1}),
            "fw.elf: offset 0: ELF identification (16 bytes at offset 0) lies outside ELF file (5 "
            "bytes)");
}

TEST(ElfFileTest, RefusesUnsupportedOrTooSmallTableEntries) {
  ElfSpec spec = Firmware();
  spec.is64 = true;
  auto elf = BuildElf(spec);
  auto bad = elf;
  StoreU16Le(&bad[56], 0xffff);  // e_phnum
  EXPECT_EQ(ErrorOf(bad),
            "fw.elf: offset 56: ELF uses extended program header numbering (e_phnum 0xffff), "
            "which is not supported");
  bad = elf;
  StoreU16Le(&bad[54], 40);  // e_phentsize
  EXPECT_EQ(ErrorOf(bad), "fw.elf: offset 54: program header size 40 is smaller than 56");
  bad = elf;
  StoreU16Le(&bad[58], 63);  // e_shentsize
  EXPECT_EQ(ErrorOf(bad), "fw.elf: offset 58: section header size 63 is smaller than 64");
}

TEST(ElfFileTest, RefusesTablesAndSectionsOutsideTheFile) {
  auto elf = BuildElf(Firmware());
  auto bad = elf;
  StoreU32Le(&bad[32], static_cast<uint32_t>(elf.size() - 100));  // e_shoff
  EXPECT_EQ(ErrorOf(bad),
            "fw.elf: offset 590: section header 2 (40 bytes at offset 590) lies outside ELF file "
            "(610 bytes)");
  bad = elf;
  uint32_t shoff = static_cast<uint32_t>(elf.size() - 7 * 40);
  StoreU32Le(&bad[shoff + 3 * 40 + 20], 0x1000);  // sh_size of .data
  EXPECT_EQ(ErrorOf(bad),
            "fw.elf: offset 164: section 3 (.data) contents (4096 bytes at offset 164) lies "
            "outside ELF file (610 bytes)");
  bad = elf;
  StoreU32Le(&bad[shoff + 1 * 40 + 16], 0x10000);  // sh_offset of .shstrtab
  EXPECT_EQ(ErrorOf(bad),
            "fw.elf: offset 65536: section name table (section 1) (44 bytes at offset 65536) lies "
            "outside ELF file (610 bytes)");
}

TEST(ElfFileTest, ToleratesAMissingNameTable) {
  auto elf = BuildElf(Firmware());
  StoreU16Le(&elf[50], 0xfffe);  // e_shstrndx out of range: sections have no names
  ElfFile parsed = ParseElfFile(elf, "fw.elf");
  EXPECT_EQ(parsed.FindSection(".text"), nullptr);
  EXPECT_EQ(parsed.sections.size(), 7u);
  EXPECT_EQ(parsed.Symbol("counter"), 0x20000000u);  // symbol names have their own table
}

TEST(ElfFileTest, KnowsTheMagicAndMachines) {
  EXPECT_TRUE(LooksLikeElf(std::vector<uint8_t>{0x7f, 'E', 'L', 'F'}));
  EXPECT_FALSE(LooksLikeElf(std::vector<uint8_t>{0x7f, 'E', 'L'}));
  EXPECT_EQ(ElfMachineName(40), "ARM");
  EXPECT_EQ(ElfMachineName(62), "x86-64");
  EXPECT_EQ(ElfMachineName(7), "machine 7");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
