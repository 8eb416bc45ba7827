#include "flasher/image_tools.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_io.h"
#include "flasher/uf2_image.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

std::filesystem::path WriteElf(const tockctl::testing::TempDir& dir) {
  tockctl::testing::ElfSpec spec;
  spec.entry = 0x10000100;
  std::vector<uint8_t> text(700), data(40);
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<uint8_t>(i * 13);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(0xa0 + i);
  spec.segments = {{1, 0x10000100, 0, text, 0, ".text"},
                   {1, 0x10001000, 0x20000000, data, 64, ".data"}};
  auto bytes = tockctl::testing::BuildElf(spec);
  auto path = dir.path() / "k.elf";
  WriteFileAtomic(path, bytes);
  return path;
}

void ExpectSameData(const Image& a, const Image& b) {
  ASSERT_EQ(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < a.segments.size(); ++i) {
    EXPECT_EQ(a.segments[i].address, b.segments[i].address);
    EXPECT_EQ(a.segments[i].data, b.segments[i].data);
  }
}

TEST(ImageToolsTest, ConvertsElfToHexAndBackKeepingAddressesAndEntry) {
  tockctl::testing::TempDir dir;
  auto elf = WriteElf(dir);
  auto hex = (dir.path() / "k.hex").string();
  ConvertResult r = ConvertImageFile(elf.string(), hex, {});
  EXPECT_EQ(r.output_format, ImageFormat::kIhex);
  Image back = LoadImage(hex);
  ExpectSameData(LoadImage(elf.string()), back);
  EXPECT_EQ(back.entry, 0x10000100u);
}

TEST(ImageToolsTest, ConvertsToUf2WithAFamilyAndToRawBinary) {
  tockctl::testing::TempDir dir;
  auto elf = WriteElf(dir);
  auto uf2 = (dir.path() / "k.uf2").string();
  ConvertOptions options;
  options.uf2_family = ParseUf2Family("rp2040");
  ConvertResult r = ConvertImageFile(elf.string(), uf2, options);
  EXPECT_EQ(r.output_bytes, 4u * 512);  // pages 0x10000100, 0x10000200, 0x10000300, 0x10001000
  EXPECT_EQ(RenderConvertResult(uf2, r), "Wrote " + uf2 +
                                             " (uf2, 2.0 KiB, 4 blocks, family rp2040) from " +
                                             elf.string() + " (elf, 2 segments)");
  Image from_uf2 = LoadImage(uf2);
  EXPECT_EQ(from_uf2.uf2_family, 0xe48bff56u);
  auto bin = (dir.path() / "k.bin").string();
  r = ConvertImageFile(uf2, bin, {});
  EXPECT_EQ(r.base_address, 0x10000100u);
  EXPECT_EQ(r.output_bytes, 0x1000u - 0x100u + 256u);
  ImageLoadOptions at;
  at.address = 0x10000100;
  Image raw = LoadImage(bin, at);
  EXPECT_EQ(raw.segments[0].data[0], 0);
  EXPECT_EQ(raw.segments[0].data[1], 13);
}

TEST(ImageToolsTest, Uf2OutputNeedsAFamily) {
  tockctl::testing::TempDir dir;
  auto elf = WriteElf(dir);
  try {
    ConvertImageFile(elf.string(), (dir.path() / "k.uf2").string(), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    EXPECT_EQ(e.Describe(),
              "UF2 output needs a family ID; pass --family rp2040|rp2350-arm-s|rp2350-riscv|0x...");
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "k.uf2"));
}

TEST(ImageToolsTest, InfoListsSegments) {
  tockctl::testing::TempDir dir;
  auto elf = WriteElf(dir);
  Image image = LoadImage(elf.string());
  EXPECT_EQ(RenderImageInfo(image), elf.string() +
                                        ": elf, 2 segments, 740 bytes, entry 0x10000100\n"
                                        "  SEGMENT             START       END         SIZE\n"
                                        "  PT_LOAD[0] (.text)  0x10000100  0x100003bc  700\n"
                                        "  PT_LOAD[1] (.data)  0x10001000  0x10001028  40\n");
  auto j = ImageToJson(image);
  EXPECT_EQ(j["segments"][1]["start"], "0x10001000");
  EXPECT_EQ(j["bytes"], 740);
}

TEST(ImageToolsTest, Uf2FamilyComesFromTheBoardsMethods) {
  config::HardwareBoard board;
  board.name = "pico";
  EXPECT_FALSE(Uf2FamilyForBoard(board).has_value());
  board.flash_methods.push_back({"picoboot", {{"method", "picoboot"}, {"family", "rp2350"}}});
  EXPECT_EQ(Uf2FamilyForBoard(board), 0xe48bff59u);
  board.flash_methods.push_back({"uf2", {{"method", "uf2"}, {"family_id", "0xe48bff56"}}});
  EXPECT_EQ(Uf2FamilyForBoard(board), 0xe48bff56u);
  board.flash_methods.back().settings["family_id"] = "esp32s2";
  try {
    Uf2FamilyForBoard(board);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "board pico names UF2 family `esp32s2`, which tockctl does not know");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
