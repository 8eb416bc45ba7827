#include "common/utf8.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(Utf8, ValidTextIsKept) {
  EXPECT_EQ(ValidUtf8("eth0 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
            "eth0 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_EQ(ValidUtf8(""), "");
}

TEST(Utf8, EachMaximalInvalidSubpartBecomesOneReplacementCharacter) {
  EXPECT_EQ(ValidUtf8("a\xff"
                      "b"),
            "a\uFFFDb");
  EXPECT_EQ(ValidUtf8("\xe2\x82"), "\uFFFD");  // truncated 3-byte sequence: one U+FFFD
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // surrogate: three
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), "\uFFFD\uFFFD");            // overlong
  EXPECT_EQ(ValidUtf8("x\xc3"), "x\uFFFD");
}

TEST(Utf8, PrefixDoesNotSplitACharacter) {
  EXPECT_EQ(Utf8Prefix("a\xe2\x82\xac", 3), "a");
  EXPECT_EQ(Utf8Prefix("a\xe2\x82\xac", 4), "a\xe2\x82\xac");
  EXPECT_EQ(Utf8Prefix("abc", 10), "abc");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
