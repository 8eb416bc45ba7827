#include "common/text_diff.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(TextDiffTest, EqualTextsHaveNoDiff) {
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "x", "y"), "");
}

TEST(TextDiffTest, InsertionAndReplacementWithContext) {
  std::string old_text = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
  std::string new_text = "1\n2\nnew\n3\n4\n5\n6\n7\n8\n9\n10\nten\n12\n";
  EXPECT_EQ(UnifiedDiff(old_text, new_text, "a/f", "b/f"),
            "--- a/f\n+++ b/f\n"
            "@@ -1,5 +1,6 @@\n 1\n 2\n+new\n 3\n 4\n 5\n"
            "@@ -8,5 +9,5 @@\n 8\n 9\n 10\n-11\n+ten\n 12\n");
}

TEST(TextDiffTest, NearbyChangesShareAHunk) {
  EXPECT_EQ(UnifiedDiff("a\nb\nc\nd\n", "A\nb\nc\nD\n", "o", "n", 1),
            "--- o\n+++ n\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n-d\n+D\n");
}

TEST(TextDiffTest, AddingToAnEmptyFile) {
  EXPECT_EQ(UnifiedDiff("", "x\n", "o", "n"), "--- o\n+++ n\n@@ -0,0 +1,1 @@\n+x\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
