#include "config/validation_report.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

const char* const kText = "{\n  \"ipc\": {\n    \"backend\": \"shared\",\n    \"zz\": 1\n  }\n}\n";

TEST(ValidationReportTest, FindingsTakeTheirPositionsFromTheDocument) {
  JsonDocument doc = JsonDocument::Parse(kText, "b.json");
  ValidationReport report(&doc);
  report.Error("/ipc/backend", "no sharing here", "copy, auto");
  report.KeyWarning("/ipc/zz", "unknown key \"zz\" is kept but not used");
  ASSERT_EQ(report.findings().size(), 2u);
  EXPECT_EQ(FormatFindings("b.json", report),
            "b.json:3:16: error: /ipc/backend: no sharing here; valid: copy, auto\n"
            "b.json:4:5: warning: /ipc/zz: unknown key \"zz\" is kept but not used\n");
}

TEST(ValidationReportTest, EachFindingIsOneLine) {
  // Messages quote keys and values, which may hold "\n" (found by fuzz/board_json).
  JsonDocument doc = JsonDocument::Parse(kText, "b.json");
  ValidationReport report(&doc);
  report.Error("/ipc/backend", "unknown value \"sh\nared\"", "copy, auto");
  EXPECT_EQ(FormatFindings("b.json", report),
            "b.json:3:16: error: /ipc/backend: unknown value \"sh\\x0aared\"; valid: copy, auto\n");
}

TEST(ValidationReportTest, SortOrdersByPositionAndKeepsTiesInOrder) {
  JsonDocument doc = JsonDocument::Parse(kText, "b.json");
  ValidationReport report(&doc);
  report.Warning("/ipc/zz", "second");
  report.Error("/ipc/backend", "first");
  report.Error("/ipc/backend", "first again");
  report.Sort();
  EXPECT_EQ(report.findings()[0].message, "first");
  EXPECT_EQ(report.findings()[1].message, "first again");
  EXPECT_EQ(report.findings()[2].message, "second");
}

TEST(ValidationReportTest, CountsAndSummary) {
  ValidationReport report;
  EXPECT_EQ(CountSummary(report), "no errors, no warnings");
  report.Error("/a", "x");
  EXPECT_EQ(CountSummary(report), "1 error, no warnings");
  report.Warning("/b", "y");
  report.Warning("/c", "z");
  report.Error("/d", "w");
  EXPECT_EQ(report.ErrorCount(), 2);
  EXPECT_EQ(report.WarningCount(), 2);
  EXPECT_EQ(CountSummary(report), "2 errors, 2 warnings");
}

TEST(ValidationReportTest, RootPointerIsPrintedAsSlash) {
  ValidationReport report;
  report.Error("", "expected an object, found an array", "an object");
  EXPECT_EQ(FormatFinding("f.json", report.findings()[0]),
            "f.json:1:1: error: /: expected an object, found an array; valid: an object");
}

TEST(ValidationReportTest, JsonFormHasEveryField) {
  JsonDocument doc = JsonDocument::Parse(kText, "b.json");
  ValidationReport report(&doc);
  report.Error("/ipc/backend", "no sharing here", "copy");
  EXPECT_EQ(FindingsToJson("b.json", report).dump(),
            R"([{"column":16,"file":"b.json","line":3,"message":"no sharing here",)"
            R"("pointer":"/ipc/backend","severity":"error","valid":"copy"}])");
}

TEST(ValidationReportTest, ThrowFirstErrorSkipsWarnings) {
  ValidationReport report;
  report.Warning("/w", "just a warning");
  EXPECT_NO_THROW(ThrowFirstError(report));
  report.Error("/ipc/backend", "bad backend", "copy");
  try {
    ThrowFirstError(report);
    FAIL() << "no throw";
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    EXPECT_EQ(e.Describe(), "/ipc/backend: bad backend; valid: copy");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
