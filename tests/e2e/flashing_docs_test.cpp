// Runs the examples of docs/flashing.md ("$ command" lines in ```console blocks) in order, in a
// directory holding the test firmware, and compares what they print with the text under them.
// An expected line containing "…" matches any line that starts with the text before the "…".
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/file_io.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {

struct Example {
  std::string command;
  std::vector<std::string> expected;
};

std::vector<Example> ConsoleExamples(const std::string& markdown) {
  std::vector<Example> out;
  std::istringstream in(markdown);
  bool in_console = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      in_console = !in_console && line == "```console";
      continue;
    }
    if (!in_console) continue;
    if (line.rfind("$ ", 0) == 0) {
      out.push_back({line.substr(2), {}});
    } else if (!out.empty()) {
      out.back().expected.push_back(line);
    }
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool Matches(const std::string& expected, const std::string& actual) {
  size_t ellipsis = expected.find("…");
  if (ellipsis == std::string::npos) return expected == actual;
  return actual.rfind(expected.substr(0, ellipsis), 0) == 0;
}

std::vector<std::string> Words(const std::string& command) {
  std::vector<std::string> out;
  std::istringstream in(command);
  for (std::string w; in >> w;) out.push_back(w);
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
    spec.argv = Words(example.command);
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
    ASSERT_EQ(actual.size(), example.expected.size()) << r.stdout_text << r.stderr_text;
    for (size_t i = 0; i < actual.size(); ++i)
      EXPECT_TRUE(Matches(example.expected[i], actual[i]))
          << "expected: " << example.expected[i] << "\n  actual: " << actual[i];
  }
}

}  // namespace
}  // namespace tockctl::testing
