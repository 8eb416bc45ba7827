#include "config/json_document.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

std::string ErrorOf(const std::string& text) {
  try {
    JsonDocument::Parse(text, "b.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "no error";
}

TEST(JsonDocumentTest, NumbersTooLargeForADoubleAreMalformedJson) {
  // nlohmann's out_of_range used to escape as a non-tockctl exception (found by fuzz/board_json).
  EXPECT_EQ(ErrorOf("{\n  \"tier\": 775e17099\n}\n"),
            "b.json:2:11: malformed JSON: number 775e17099 is out of range");
  EXPECT_EQ(ErrorOf("[-1e400]"), "b.json:1:2: malformed JSON: number -1e400 is out of range");
}

TEST(JsonDocumentTest, HugeNumbersCanBeRecordedForAChecker) {
  JsonDocument doc = JsonDocument::Parse("{\"a\": [1, -1e400],\n \"b\": \"1e999\", \"c\": 2e308}",
                                         "b.json", HugeNumbers::kRecord);
  ASSERT_EQ(doc.huge_numbers().size(), 2u);
  EXPECT_EQ(doc.huge_numbers()[0].pointer, "/a/1");
  EXPECT_EQ(doc.huge_numbers()[0].literal, "-1e400");
  EXPECT_EQ(doc.huge_numbers()[1].pointer, "/c");
  EXPECT_EQ(doc.huge_numbers()[1].literal, "2e308");
  EXPECT_TRUE(doc.root()["a"][1].is_null());
  EXPECT_EQ(doc.root()["b"], "1e999");
  EXPECT_EQ(doc.PositionOf("/c").column, 21u);
  EXPECT_THROW(JsonDocument::Parse("[-Infinity]", "b.json", HugeNumbers::kRecord), Error);
}

TEST(JsonDocumentTest, DuplicateKeysAndDeepNestingAreRefused) {
  EXPECT_EQ(ErrorOf("{\"a\": 1, \"a\": 2}"), "b.json:1:10: duplicate key \"a\" in the same object");
  EXPECT_EQ(ErrorOf(std::string(65, '[') + std::string(65, ']')),
            "b.json:1:65: JSON nesting deeper than 64 levels; flatten the document");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
