#include "kernel/text_template.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(TextTemplateTest, ReplacesPlaceholders) {
  EXPECT_EQ(ExpandTemplate("a @X@ b @Y_2@@X@", {{"X", "1"}, {"Y_2", "two"}}, "t"), "a 1 b two1");
}

TEST(TextTemplateTest, LeavesOtherAtSignsAlone) {
  EXPECT_EQ(ExpandTemplate("x @ y @lower@ me@host @", {}, "t"), "x @ y @lower@ me@host @");
}

TEST(TextTemplateTest, UnknownPlaceholderNamesTheLine) {
  try {
    ExpandTemplate("line one\nline @TWO@\n", {{"ONE", "1"}}, "tpl.rs.in");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "tpl.rs.in:2: unknown placeholder @TWO@; known placeholders: @ONE@");
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
