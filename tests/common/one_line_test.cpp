#include "common/one_line.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(OneLineTest, EscapesControlCharactersOnly) {
  EXPECT_EQ(OneLine("plain text, \"quotes\" and UTF-8: \xc3\xa9"),
            "plain text, \"quotes\" and UTF-8: \xc3\xa9");
  EXPECT_EQ(OneLine("a\nb\r\tc\x7f\x1b[2J"), "a\\x0ab\\x0d\\x09c\\x7f\\x1b[2J");
  EXPECT_EQ(OneLine(std::string("\0", 1)), "\\x00");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
