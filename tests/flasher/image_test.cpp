#include "flasher/image.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "flasher/bin_image.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

std::string Text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

std::string LoadError(const std::string& path, const ImageLoadOptions& options = {}) {
  try {
    LoadImage(path, options);
  } catch (const Error& e) {
    return std::string(CategoryName(e.category())) + ": " + e.Describe();
  }
  return "no error";
}

TEST(ImageTest, DetectsFormatsByContentThenExtension) {
  tockctl::testing::ElfSpec spec;
  spec.segments = {{1, 0x1000, 0, {1, 2}, 0, ".text"}};
  auto elf = tockctl::testing::BuildElf(spec);
  EXPECT_EQ(DetectImageFormat(elf, "kernel.bin"), ImageFormat::kElf);
  std::string hex = "\n:00000001FF\n";
  EXPECT_EQ(DetectImageFormat({reinterpret_cast<const uint8_t*>(hex.data()), hex.size()}, "x"),
            ImageFormat::kIhex);
  std::vector<uint8_t> raw = {0, 1, 2};
  EXPECT_EQ(DetectImageFormat(raw, "app.tbf"), ImageFormat::kBin);
  try {
    DetectImageFormat(raw, "blob");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(
        e.Describe(),
        "blob: cannot tell the image format; pass --input-format elf|bin|ihex|uf2 (raw binaries "
        "also need --address)");
  }
}

TEST(ImageTest, LoadImageAddsTheFileToErrors) {
  tockctl::testing::TempDir dir;
  auto path = dir.Write("k.elf",
                        "\x7f"
                        "ELF\x01\x01\x01");
  EXPECT_EQ(LoadError(path.string()),
            "invalid input: " + path.string() +
                ": offset 0: ELF identification (16 bytes at offset 0) lies outside ELF file (7 "
                "bytes)");
  EXPECT_EQ(LoadError((dir.path() / "missing.elf").string()).substr(0, 5), "i/o: ");
}

TEST(ImageTest, RawBinaryNeedsAnAddress) {
  tockctl::testing::TempDir dir;
  auto path = dir.Write("app.bin", "abcd");
  EXPECT_EQ(LoadError(path.string()), "usage: " + path.string() +
                                          ": a raw binary image needs a load address; pass "
                                          "--address 0x...");
  ImageLoadOptions options;
  options.address = 0x80100000;
  Image image = LoadImage(path.string(), options);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].address, 0x80100000u);
  EXPECT_EQ(Text(image.segments[0].data), "abcd");
  EXPECT_EQ(image.segments[0].name, "binary");
  EXPECT_FALSE(image.entry.has_value());
}

TEST(ImageTest, RawBinaryAddressOverflowIsRejected) {
  std::vector<uint8_t> data(16);
  try {
    ParseRawBinary(data, "a.bin", 0xfffffffffffffff8ull);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "raw binary address 0xfffffffffffffff8 plus its size overflows 64 bits");
  }
}

TEST(ImageTest, WriteRawBinaryFillsGapsWithErasedBytes) {
  Image image;
  image.segments = {{0x100, {1, 2}, "a"}, {0x104, {3}, "b"}};
  EXPECT_EQ(WriteRawBinary(image), (std::vector<uint8_t>{1, 2, 0xff, 0xff, 3}));
  image.segments.push_back({0x100 + (65ull << 20), {1}, "c"});
  try {
    WriteRawBinary(image);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "a raw binary of 0x100..0x4100101 would be 68157441 bytes, more than 64 MiB; "
              "convert to ihex or uf2, which keep addresses");
  }
}

TEST(ImageTest, FormatNames) {
  EXPECT_EQ(ParseImageFormat("hex"), ImageFormat::kIhex);
  EXPECT_STREQ(ImageFormatName(ImageFormat::kUf2), "uf2");
  try {
    ParseImageFormat("srec");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "unknown image format `srec`; use one of: elf, bin, ihex, uf2");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
