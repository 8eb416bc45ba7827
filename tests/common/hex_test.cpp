#include "common/hex.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(Hex, NumberIsLowercaseWithoutPadding) {
  EXPECT_EQ(HexNumber(0), "0x0");
  EXPECT_EQ(HexNumber(0x20000000), "0x20000000");
  EXPECT_EQ(HexNumber(0xABCDEF), "0xabcdef");
  EXPECT_EQ(HexNumber(UINT64_MAX), "0xffffffffffffffff");
}

TEST(Hex, WordHasAtLeastEightDigits) {
  EXPECT_EQ(HexWord(0x1a2b), "0x00001a2b");
  EXPECT_EQ(HexWord(0x80000000), "0x80000000");
  EXPECT_EQ(HexWord(0x123456789), "0x123456789");
}

TEST(Hex, DigitValues) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('x'), -1);
}

TEST(Hex, AppendsLittleEndian) {
  std::vector<uint8_t> out{0xaa};
  AppendLe32(out, 0x11223344);
  EXPECT_EQ(out, (std::vector<uint8_t>{0xaa, 0x44, 0x33, 0x22, 0x11}));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
