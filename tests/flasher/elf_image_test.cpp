#include "flasher/elf_image.h"

#include <gtest/gtest.h>

#include "common/byte_reader.h"
#include "common/error.h"
#include "tests/support/elf_builder.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::BuildElf;
using tockctl::testing::CountingBytes;
using tockctl::testing::ElfSpec;

ElfSpec TwoSegments() {
  ElfSpec spec;
  spec.entry = 0x80000000;
  spec.segments = {{1, 0x80000000, 0, CountingBytes(16), 0, ".text"},
                   {1, 0x80000400, 0x80200000, CountingBytes(8, 0x40), 0x100, ".data"}};
  return spec;
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  try {
    ParseElf(bytes, "k.elf");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "no error";
}

TEST(ElfImageTest, LoadsSegmentsAtPhysicalAddressesWithSectionNames) {
  Image image = ParseElf(BuildElf(TwoSegments()), "k.elf");
  ASSERT_EQ(image.segments.size(), 2u);
  EXPECT_EQ(image.format, "elf");
  EXPECT_EQ(image.entry, 0x80000000u);
  EXPECT_EQ(image.segments[0].address, 0x80000000u);
  EXPECT_EQ(image.segments[0].data, CountingBytes(16));
  EXPECT_EQ(image.segments[0].name, "PT_LOAD[0] (.text)");
  // .data: loaded at its LMA (p_paddr), only p_filesz bytes, the .bss tail is not written.
  EXPECT_EQ(image.segments[1].address, 0x80000400u);
  EXPECT_EQ(image.segments[1].data, CountingBytes(8, 0x40));
  EXPECT_EQ(image.segments[1].name, "PT_LOAD[1] (.data)");
}

TEST(ElfImageTest, EscapesControlBytesInSectionNames) {
  // Segment names end up in one-line messages (found by fuzz/elf).
  ElfSpec spec = TwoSegments();
  spec.segments[0].section = ".te\nxt\x7f";
  Image image = ParseElf(BuildElf(spec), "k.elf");
  EXPECT_EQ(image.segments[0].name, "PT_LOAD[0] (.te\\x0axt\\x7f)");
}

TEST(ElfImageTest, LeavesOutTocksAppsPlaceholderWithANote) {
  ElfSpec spec = TwoSegments();
  spec.segments.push_back({1, 0x80100000, 0x80100000, CountingBytes(4, 0), 0, ".apps"});
  Image image = ParseElf(BuildElf(spec), "k.elf");
  ASSERT_EQ(image.segments.size(), 2u);
  EXPECT_EQ(image.segments[1].name, "PT_LOAD[1] (.data)");
  ASSERT_EQ(image.notes.size(), 1u);
  EXPECT_EQ(image.notes[0],
            "skipped PT_LOAD[2] (.apps): Tock's app flash placeholder, which Tock's kernel binary "
            "leaves out");
}

TEST(ElfImageTest, ReadsElf64AndBigEndian) {
  for (bool is64 : {false, true}) {
    for (bool big : {false, true}) {
      ElfSpec spec = TwoSegments();
      spec.is64 = is64;
      spec.big_endian = big;
      if (is64) spec.segments[1].paddr = 0x100000000ull;
      Image image = ParseElf(BuildElf(spec), "k.elf");
      ASSERT_EQ(image.segments.size(), 2u) << is64 << big;
      EXPECT_EQ(image.segments[1].address, is64 ? 0x100000000ull : 0x80000400u);
      EXPECT_EQ(image.segments[1].data, CountingBytes(8, 0x40));
    }
  }
}

TEST(ElfImageTest, SkipsEmptyAndNonLoadSegments) {
  ElfSpec spec = TwoSegments();
  spec.segments.push_back({1, 0x80200000, 0, {}, 0x1000, ""});                // .bss only
  spec.segments.push_back({4, 0x90000000, 0, CountingBytes(4), 0, ".note"});  // PT_NOTE
  Image image = ParseElf(BuildElf(spec), "k.elf");
  EXPECT_EQ(image.segments.size(), 2u);
}

TEST(ElfImageTest, SortsSegmentsByAddress) {
  ElfSpec spec = TwoSegments();
  std::swap(spec.segments[0], spec.segments[1]);
  Image image = ParseElf(BuildElf(spec), "k.elf");
  EXPECT_EQ(image.segments[0].name, "PT_LOAD[1] (.text)");
}

TEST(ElfImageTest, RejectsOverlappingSegmentsNamingBoth) {
  ElfSpec spec = TwoSegments();
  spec.segments[1].paddr = 0x80000008;
  EXPECT_EQ(ErrorOf(BuildElf(spec)),
            "k.elf: segments PT_LOAD[0] (.text) 0x80000000..0x80000010 and PT_LOAD[1] (.data) "
            "0x80000008..0x80000010 overlap");
}

TEST(ElfImageTest, RejectsBadMagicClassAndType) {
  auto elf = BuildElf(TwoSegments());
  auto bad = elf;
  bad[1] = 'X';
  EXPECT_EQ(ErrorOf(bad), "k.elf: offset 0: not an ELF file (bad magic)");
  bad = elf;
  bad[4] = 3;
  EXPECT_EQ(ErrorOf(bad), "k.elf: offset 4: unknown ELF class 3 (want 1 or 2)");
  ElfSpec rel = TwoSegments();
  rel.type = 1;
  EXPECT_EQ(ErrorOf(BuildElf(rel)),
            "k.elf: offset 16: ELF file is a relocatable object (ET_REL); link it first");
}

TEST(ElfImageTest, RejectsFileSizeLargerThanMemorySize) {
  ElfSpec spec = TwoSegments();
  spec.segments[0].memsz = 4;
  EXPECT_EQ(ErrorOf(BuildElf(spec)),
            "k.elf: offset 52: PT_LOAD[0] has p_filesz 0x10 larger than p_memsz 0x4");
}

TEST(ElfImageTest, RejectsSegmentWrappingThe32BitAddressSpace) {
  ElfSpec spec = TwoSegments();
  spec.segments[1].paddr = 0xfffffffc;
  EXPECT_EQ(
      ErrorOf(BuildElf(spec)),
      "k.elf: offset 84: PT_LOAD[1] at 0xfffffffc with 0x8 bytes runs past the end of the address "
      "space");
}

TEST(ElfImageTest, RejectsHugeProgramHeaderCount) {
  auto elf = BuildElf(TwoSegments());
  StoreU16Le(&elf[44], 0xfffe);  // e_phnum
  // Headers 2..7 read the segment data as (non-PT_LOAD) headers; header 8 is past the end.
  EXPECT_EQ(
      ErrorOf(elf),
      "k.elf: offset 308: program header 8 (32 bytes at offset 308) lies outside ELF file (323 "
      "bytes)");
}

TEST(ElfImageTest, RejectsProgramHeaderOffsetOverflowing64Bits) {
  ElfSpec spec = TwoSegments();
  spec.is64 = true;
  auto elf = BuildElf(spec);
  StoreU64Le(&elf[32], 0xfffffffffffffff0ull);  // e_phoff
  EXPECT_EQ(ErrorOf(elf),
            "k.elf: offset 18446744073709551600: program header 0 (56 bytes at offset "
            "18446744073709551600) lies outside ELF file (479 bytes)");
  StoreU64Le(&elf[32], 0xffffffffffffffc0ull);  // entry 0 fits in 64 bits, entry 1 does not
  StoreU16Le(&elf[54], 0x40);                   // e_phentsize
  try {
    ParseElf(elf, "k.elf");
  } catch (const Error& e) {
    EXPECT_NE(e.Describe().find("lies outside ELF file"), std::string::npos) << e.Describe();
  }
}

TEST(ElfImageTest, RejectsSegmentOffsetOutsideFile) {
  ElfSpec spec = TwoSegments();
  spec.is64 = true;
  auto elf = BuildElf(spec);
  StoreU64Le(&elf[64 + 8], 0xffffffffffffff00ull);  // p_offset of PT_LOAD[0]
  std::string err = ErrorOf(elf);
  EXPECT_EQ(err,
            "k.elf: offset 18446744073709551360: PT_LOAD[0] contents (16 bytes at offset "
            "18446744073709551360) lies outside ELF file (" +
                std::to_string(elf.size()) + " bytes)");
}

TEST(ElfImageTest, RejectsExtendedNumberingAndShortEntries) {
  auto elf = BuildElf(TwoSegments());
  auto bad = elf;
  StoreU16Le(&bad[44], 0xffff);
  EXPECT_EQ(
      ErrorOf(bad),
      "k.elf: offset 44: ELF uses extended program header numbering (e_phnum 0xffff), which is not "
      "supported");
  bad = elf;
  StoreU16Le(&bad[42], 8);
  EXPECT_EQ(ErrorOf(bad), "k.elf: offset 42: program header size 8 is smaller than 32");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
