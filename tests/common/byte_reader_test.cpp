#include "common/byte_reader.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ByteReaderTest, ReadsLittleAndBigEndian) {
  std::vector<uint8_t> data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
  ByteReader r(data);
  EXPECT_EQ(r.U16Le(), 0x0201);
  EXPECT_EQ(r.U32Be(), 0x03040506u);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReaderTest, TruncationNamesInputAndOffset) {
  std::vector<uint8_t> data = {1, 2, 3};
  ByteReader r(data, "ELF header", 100);
  r.U16Le();
  try {
    r.U32Le();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "offset 102: ELF header is truncated: u32 needs 4 bytes but only 1 remain");
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  }
}

TEST(ByteReaderTest, AtRejectsRangesOutsideInputEvenWhenTheyOverflow) {
  std::vector<uint8_t> data(16);
  ByteReader r(data, "file");
  EXPECT_THROW(r.At(8, 9, "segment"), Error);
  EXPECT_THROW(r.At(std::numeric_limits<uint64_t>::max(), 2, "segment"), Error);
  EXPECT_EQ(r.At(8, 8, "segment").remaining(), 8u);
}

TEST(ByteReaderTest, CheckedArithmetic) {
  EXPECT_EQ(CheckedAdd(1, 2), 3u);
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<uint64_t>::max(), 1));
  EXPECT_FALSE(CheckedMul(1ull << 33, 1ull << 33));
  EXPECT_EQ(CheckedMul(0, 5), 0u);
  EXPECT_THROW(AddOrThrow(std::numeric_limits<uint64_t>::max(), 1, "segment end"), Error);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
