#include "flasher/uf2_image.h"

#include <gtest/gtest.h>

#include "common/byte_reader.h"
#include "common/error.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

std::vector<uint8_t> Data(size_t n, uint8_t first = 0) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

Image OneSegment(uint64_t address, size_t n) {
  Image image;
  image.segments.push_back({address, Data(n), "s"});
  return image;
}

std::string ErrorOf(const std::vector<uint8_t>& bytes, std::optional<uint32_t> family = {}) {
  try {
    ParseUf2(bytes, "f.uf2", family);
  } catch (const Error& e) {
    return e.Describe();
  }
  return "no error";
}

uint32_t Field(const std::vector<uint8_t>& f, size_t block, size_t off) {
  ByteReader r(f);
  r.Skip(block * 512 + off);
  return r.U32Le();
}

TEST(Uf2ImageTest, WritesPicotoolStyleBlocks) {
  auto file = WriteUf2(OneSegment(0x10000000, 600), 0xe48bff56);
  ASSERT_EQ(file.size(), 3u * 512);
  EXPECT_EQ(Field(file, 0, 0), 0x0A324655u);
  EXPECT_EQ(Field(file, 0, 4), 0x9E5D5157u);
  EXPECT_EQ(Field(file, 1, 8), 0x2000u);       // FAMILY_ID_PRESENT
  EXPECT_EQ(Field(file, 1, 12), 0x10000100u);  // address
  EXPECT_EQ(Field(file, 1, 16), 256u);         // payload size
  EXPECT_EQ(Field(file, 1, 20), 1u);           // block number
  EXPECT_EQ(Field(file, 1, 24), 3u);           // number of blocks
  EXPECT_EQ(Field(file, 1, 28), 0xe48bff56u);  // family
  EXPECT_EQ(Field(file, 2, 508), 0x0AB16F30u);
  EXPECT_EQ(file[2 * 512 + 32 + 600 - 512 - 1], static_cast<uint8_t>(599));
  EXPECT_EQ(file[2 * 512 + 32 + 600 - 512], 0);  // rest of the last page is zero
}

TEST(Uf2ImageTest, RoundTripsAndPadsUnalignedStartsToPages) {
  auto file = WriteUf2(OneSegment(0x10000010, 300), 0xe48bff59);
  Image image = ParseUf2(file, "f.uf2", std::nullopt);
  EXPECT_EQ(image.uf2_family, 0xe48bff59u);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].address, 0x10000000u);
  EXPECT_EQ(image.segments[0].data.size(), 512u);
  EXPECT_EQ(image.segments[0].data[0x10], 0);
  EXPECT_EQ(image.segments[0].data[0x11], 1);
  EXPECT_EQ(image.segments[0].name, "uf2 blocks 0-1");
}

TEST(Uf2ImageTest, SkipsNotMainFlashBlocksWithANote) {
  auto file = WriteUf2(OneSegment(0x10000000, 512), 0xe48bff56);
  StoreU32Le(&file[512 + 8], 0x2001);
  Image image = ParseUf2(file, "f.uf2", std::nullopt);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].data.size(), 256u);
  EXPECT_EQ(image.notes, std::vector<std::string>{"skipped 1 UF2 blocks flagged NOT_MAIN_FLASH"});
}

TEST(Uf2ImageTest, SeveralFamiliesNeedAChoice) {
  auto a = WriteUf2(OneSegment(0x10000000, 256), 0xe48bff59);
  auto b = WriteUf2(OneSegment(0x20000000, 256), 0xe48bff5a);
  a.insert(a.end(), b.begin(), b.end());
  EXPECT_EQ(ErrorOf(a),
            "UF2 file holds blocks of several families (rp2350-arm-s, rp2350-riscv); choose one "
            "with --family");
  Image image = ParseUf2(a, "f.uf2", 0xe48bff5a);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].address, 0x20000000u);
  EXPECT_EQ(image.notes, std::vector<std::string>{"skipped 1 UF2 blocks of other families"});
  EXPECT_EQ(ErrorOf(a, 0xe48bff56), "UF2 file has no blocks of family rp2040");
}

TEST(Uf2ImageTest, ChecksSizeMagicsPayloadAndNumbering) {
  auto file = WriteUf2(OneSegment(0x10000000, 768), 0xe48bff56);
  auto bad = file;
  bad.pop_back();
  EXPECT_EQ(ErrorOf(bad), "offset 1024: UF2 file size 1535 is not a positive multiple of 512");
  bad = file;
  bad[512 + 4] ^= 1;
  EXPECT_EQ(ErrorOf(bad), "offset 512: UF2 block 1 has a bad start magic");
  bad = file;
  bad[1024 + 508] ^= 1;
  EXPECT_EQ(ErrorOf(bad), "offset 1532: UF2 block 2 has a bad end magic");
  bad = file;
  StoreU32Le(&bad[16], 477);
  EXPECT_EQ(ErrorOf(bad), "offset 16: UF2 block 0 has payload size 477, more than 476");
  bad = file;
  StoreU32Le(&bad[1024 + 20], 1);
  EXPECT_EQ(ErrorOf(bad), "offset 1044: UF2 block 2 is number 1 of 3, expected 2 of 3");
  bad = std::vector<uint8_t>(file.begin(), file.begin() + 1024);
  EXPECT_EQ(ErrorOf(bad),
            "offset 512: UF2 file is incomplete: the run ends at block number 1 of 3");
  bad = file;
  StoreU32Le(&bad[12], 0xffffff80);
  EXPECT_EQ(ErrorOf(bad), "offset 12: UF2 block 0 at 0xffffff80 runs past 4 GiB");
}

TEST(Uf2ImageTest, RejectsDuplicateAddresses) {
  auto file = WriteUf2(OneSegment(0x10000000, 512), 0xe48bff56);
  StoreU32Le(&file[512 + 12], 0x10000080);
  EXPECT_EQ(ErrorOf(file),
            "segments uf2 blocks 0-0 0x10000000..0x10000100 and uf2 blocks 1-1 "
            "0x10000080..0x10000180 overlap");
}

TEST(Uf2ImageTest, FamilyNames) {
  EXPECT_EQ(ParseUf2Family("rp2040"), 0xe48bff56u);
  EXPECT_EQ(ParseUf2Family("0xe48bff5b"), 0xe48bff5bu);
  EXPECT_EQ(Uf2FamilyName(0xe48bff5a), "rp2350-riscv");
  EXPECT_EQ(Uf2FamilyName(0x12345678), "0x12345678");
  try {
    ParseUf2Family("esp32");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    EXPECT_EQ(e.Describe(),
              "unknown UF2 family `esp32`; use one of rp2040, absolute, data, rp2350-arm-s, "
              "rp2350-riscv, rp2350-arm-ns, or a 32-bit number such as 0xe48bff56");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
