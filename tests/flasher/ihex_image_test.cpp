#include "flasher/ihex_image.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

Image Parse(const std::string& text) {
  return ParseIntelHex(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
      "k.hex");
}

std::string ErrorOf(const std::string& text) {
  try {
    Parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "no error";
}

// Records from the Intel HEX specification's examples and objcopy output.
const char* kLinear =
    ":020000040800F2\n"
    ":10000000000102030405060708090A0B0C0D0E0F78\n"
    ":0400100010111213A6\n"
    ":0400000508000131BD\n"
    ":00000001FF\n";

TEST(IhexImageTest, ParsesExtendedLinearAddressesAndStartAddress) {
  Image image = Parse(kLinear);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.format, "ihex");
  EXPECT_EQ(image.segments[0].address, 0x08000000u);
  EXPECT_EQ(image.segments[0].data.size(), 20u);
  EXPECT_EQ(image.segments[0].data[19], 0x13);
  EXPECT_EQ(image.segments[0].name, "hex lines 2-3");
  EXPECT_EQ(image.entry, 0x08000131u);
}

TEST(IhexImageTest, ParsesExtendedSegmentAndStartSegmentAddresses) {
  Image image = Parse(
      ":020000021000EC\n"
      ":0300300002337A1E\n"
      ":04000003000038C100\n"
      ":00000001FF\r\n");
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].address, 0x10030u);
  EXPECT_EQ(image.entry, 0x38C1u);
}

TEST(IhexImageTest, SplitsDiscontiguousRecordsIntoSegments) {
  Image image = Parse(
      ":0400000001020304F2\n"
      "\n"
      ":0400100005060708D2\n"
      ":00000001FF\n");
  ASSERT_EQ(image.segments.size(), 2u);
  EXPECT_EQ(image.segments[0].name, "hex lines 1-1");
  EXPECT_EQ(image.segments[1].name, "hex lines 3-3");
  EXPECT_EQ(image.segments[1].address, 0x10u);
}

TEST(IhexImageTest, ReportsChecksumWithLineAndColumn) {
  EXPECT_EQ(ErrorOf(":020000040800F2\n:10000000000102030405060708090A0B0C0D0E0F79\n"),
            "k.hex:2:42: checksum is 0x79, expected 0x78");
}

TEST(IhexImageTest, ReportsMalformedRecords) {
  EXPECT_EQ(ErrorOf("020000040800F2\n"), "k.hex:1:1: record does not start with ':'");
  EXPECT_EQ(ErrorOf(":0200000408G0F2\n"), "k.hex:1:12: 'G' is not a hex digit");
  // Control bytes are shown escaped so the message stays on one line (found by fuzz/ihex).
  EXPECT_EQ(ErrorOf(":00\r00001FF\n"), "k.hex:1:4: '\\x0d' is not a hex digit");
  EXPECT_EQ(ErrorOf(":0200000408F2\n"), "k.hex:1: record says 2 data bytes but holds 1");
  EXPECT_EQ(ErrorOf(":02000004080\n"), "k.hex:1:12: record has an odd number of hex digits");
  EXPECT_EQ(ErrorOf(":0000\n"), "k.hex:1: record is too short: 2 bytes, need at least 5");
  EXPECT_EQ(ErrorOf(":00000006FA\n"), "k.hex:1:8: unknown record type 0x06 (valid: 00 to 05)");
  EXPECT_EQ(ErrorOf(":0100000408F3\n"), "k.hex:1: record type 0x04 needs 2 data bytes, has 1");
  EXPECT_EQ(ErrorOf(":0100000100FE\n"), "k.hex:1: end-of-file record (01) must have no data");
}

TEST(IhexImageTest, RequiresEndOfFileAndNothingAfterIt) {
  EXPECT_EQ(ErrorOf(":0400000001020304F2\n"), "k.hex:2: missing end-of-file record (:00000001FF)");
  EXPECT_EQ(ErrorOf(":00000001FF\n:0400000001020304F2\n"),
            "k.hex:2:1: data after the end-of-file record (01)");
}

TEST(IhexImageTest, RejectsOverlappingRecords) {
  EXPECT_EQ(ErrorOf(":0400000001020304F2\n:0400100005060708D2\n:0400020001020304F0\n"
                    ":00000001FF\n"),
            "segments hex lines 1-1 0x0..0x4 and hex lines 3-3 0x2..0x6 overlap");
}

TEST(IhexImageTest, WriteThenParseRoundTripsAcross64KiBBoundaries) {
  Image image;
  image.entry = 0x80000000;
  std::vector<uint8_t> data(100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  image.segments.push_back({0x8000ffd0, data, "a"});
  image.segments.push_back({0x80100000, {1, 2, 3}, "b"});
  std::string hex = WriteIntelHex(image);
  Image back = Parse(hex);
  ASSERT_EQ(back.segments.size(), 2u);
  EXPECT_EQ(back.segments[0].address, 0x8000ffd0u);
  EXPECT_EQ(back.segments[0].data, data);
  EXPECT_EQ(back.segments[1].data, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(back.entry, 0x80000000u);
  EXPECT_EQ(hex.substr(0, 16), ":0200000480007A\n");
  EXPECT_EQ(hex.substr(hex.size() - 12), ":00000001FF\n");
}

TEST(IhexImageTest, WriteRefusesAddressesAbove4GiB) {
  Image image;
  image.segments.push_back({0x100000000ull, {1}, "PT_LOAD[0]"});
  try {
    WriteIntelHex(image);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "segment PT_LOAD[0] 0x100000000..0x100000001 lies above 4 GiB, which Intel HEX "
              "cannot address");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
