#include "config/object_reader.h"

#include <gtest/gtest.h>

#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Lines;

TEST(ObjectReaderTest, ParseUnsignedAcceptsIntegersAndHexStringsOnly) {
  EXPECT_EQ(ParseUnsigned(OrderedJson(42)), 42u);
  EXPECT_EQ(ParseUnsigned(OrderedJson("0x2a")), 42u);
  EXPECT_EQ(ParseUnsigned(OrderedJson("0X2A")), 42u);
  EXPECT_EQ(ParseUnsigned(OrderedJson("0xffffffffffffffff")), UINT64_MAX);
  for (const OrderedJson& bad : {OrderedJson(-1), OrderedJson("42"), OrderedJson("0x"),
                                 OrderedJson("0x-1"), OrderedJson("0x1g"), OrderedJson(1.5),
                                 OrderedJson("0x10000000000000000"), OrderedJson(true)})
    EXPECT_FALSE(ParseUnsigned(bad)) << bad.dump();
}

TEST(ObjectReaderTest, ReportsEveryProblemAndKeepsReading) {
  OrderedJson obj = OrderedJson::parse(
      R"({"s": 5, "e": "x", "n": 99, "b": "yes", "o": [], "a": {}, "l": ["ok", 3], "extra": 1})");
  ValidationReport report;
  ObjectReader r(obj, "/t", report);
  EXPECT_FALSE(r.String("s"));
  EXPECT_FALSE(r.Enum("e", {"a", "b"}));
  EXPECT_FALSE(r.Unsigned("n", 1, 10));
  EXPECT_FALSE(r.Bool("b"));
  EXPECT_EQ(r.Object("o"), nullptr);
  EXPECT_EQ(r.Array("a"), nullptr);
  auto list = r.StringList("l");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<std::string>{"ok", ""}));
  EXPECT_FALSE(r.String("missing", true));
  r.WarnUnknownKeys();
  EXPECT_EQ(Lines(report),
            (std::vector<std::string>{
                "error: /t/s: expected a string, found an integer; valid: a string",
                "error: /t/e: unknown e \"x\"; valid: a, b",
                "error: /t/n: n 99 is out of range; valid: 1..10",
                "error: /t/b: expected true or false, found a string; valid: true or false",
                "error: /t/o: expected an object, found an array; valid: an object",
                "error: /t/a: expected an array, found an object; valid: an array",
                "error: /t/l/1: unknown l entry 3; valid: a string",
                "error: /t/missing: missing required key \"missing\"; valid: add \"missing\" to /t",
                "warning: /t/extra: unknown key \"extra\" is kept but not used; valid: s, e, n, b, "
                "o, a, l, missing"}));
}

TEST(ObjectReaderTest, NonObjectIsOneErrorAndReadsAsEmpty) {
  OrderedJson arr = OrderedJson::array();
  ValidationReport report;
  ObjectReader r(arr, "/ipc", report);
  EXPECT_FALSE(r.String("name", true));
  r.WarnUnknownKeys();
  EXPECT_EQ(Lines(report),
            (std::vector<std::string>{
                "error: /ipc: expected an object, found an array; valid: an object"}));
}

TEST(ObjectReaderTest, KeysWithSlashesAreEscapedInPointers) {
  OrderedJson obj = OrderedJson::parse(R"({"a/b~c": 1})");
  ValidationReport report;
  ObjectReader r(obj, "", report);
  r.WarnUnknownKeys();
  ASSERT_EQ(report.findings().size(), 1u);
  EXPECT_EQ(report.findings()[0].pointer, "/a~1b~0c");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
