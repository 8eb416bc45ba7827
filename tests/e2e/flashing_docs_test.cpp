// Runs the examples of docs/flashing.md ("$ command" lines in ```console blocks) in order, in a
// directory holding the test firmware, and compares what they print with the text under them.
// Each "…" in a shown line stands for any text (tests/support/doc_examples.h).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/file_io.h"
#include "tests/e2e/flash_e2e_support.h"
#include "tests/support/doc_examples.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(FlashingDocsTest, ExamplesRunAndPrintWhatTheDocsShow) {
  TempDir dir;
  auto runtime = dir.path() / "runtime";
  std::filesystem::create_directory_symlink(SourceDir() / "tests", dir.path() / "tests");
  RecordedQemuGuard guard(runtime);
  auto examples = ConsoleExamples(ReadFile(SourceDir() / "docs" / "flashing.md"));
  ASSERT_GE(examples.size(), 7u);
  for (const auto& example : examples) {
    SCOPED_TRACE(example.command);
    ProcessSpec spec;
    spec.argv = CommandWords(example.command);
    if (spec.argv[0] == "tockctl") spec.argv[0] = TOCKCTL_BINARY;
    spec.cwd = dir.path().string();
    spec.env = {{"NO_COLOR", "1"},
                {"TOCKCTL_DATA_DIR", SourceDir().string()},
                {"TOCKCTL_RUNTIME_DIR", runtime.string()}};
    spec.timeout = std::chrono::seconds(60);
    PosixProcessRunner runner;
    ProcessResult r = runner.Run(spec);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    auto actual = Lines(r.stdout_text.empty() ? r.stderr_text : r.stdout_text);
    ASSERT_EQ(actual.size(), example.shown.size()) << r.stdout_text << r.stderr_text;
    for (size_t i = 0; i < actual.size(); ++i)
      EXPECT_TRUE(MatchesShown(example.shown[i], actual[i]))
          << "expected: " << example.shown[i] << "\n  actual: " << actual[i];
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
