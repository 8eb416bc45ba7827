// Runs the examples of docs/build.md ("$ command" lines in ```console blocks) in order, in a
// directory holding a copy of the fixture Tock tree as tock/ and kernel/tock-config beside it,
// and checks that every line shown under a command appears in what it printed (stdout or
// stderr). "…" in a shown line matches any text. A command whose shown output has an "error:"
// line must fail; the others must succeed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {

namespace fs = std::filesystem;
using testing::SourceDir;
using testing::TempDir;

struct Example {
  std::string command;
  std::vector<std::string> shown;
};

std::vector<Example> ConsoleExamples(const std::string& markdown) {
  std::vector<Example> out;
  std::istringstream in(markdown);
  bool in_console = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) {
      in_console = !in_console && line == "```console";
      continue;
    }
    if (!in_console) continue;
    if (line.starts_with("$ "))
      out.push_back({line.substr(2), {}});
    else if (!out.empty())
      out.back().shown.push_back(line);
  }
  return out;
}

// True if `actual` matches `shown`, where each "…" in `shown` stands for any text.
bool Matches(const std::string& shown, const std::string& actual) {
  const std::string ellipsis = "…";
  size_t from = 0, at = 0;
  bool first = true;
  while (true) {
    size_t next = shown.find(ellipsis, from);
    std::string piece = shown.substr(from, next == std::string::npos ? next : next - from);
    if (next == std::string::npos) {
      if (first) return actual == piece;
      return actual.size() >= at + piece.size() &&
             actual.compare(actual.size() - piece.size(), piece.size(), piece) == 0;
    }
    if (first) {
      if (actual.compare(0, piece.size(), piece) != 0) return false;
      at = piece.size();
    } else {
      size_t found = actual.find(piece, at);
      if (found == std::string::npos) return false;
      at = found + piece.size();
    }
    first = false;
    from = next + ellipsis.size();
  }
}

// "NAME=value ... tockctl ARGS" as an environment and an argument vector.
ProcessSpec SpecFor(const std::string& command, const fs::path& cwd) {
  ProcessSpec spec;
  spec.cwd = cwd.string();
  spec.env = {{"NO_COLOR", "1"},
              {"TOCKCTL_DATA_DIR", SourceDir().string()},
              {"TOCK_DIR", ""},
              {"NO_RUSTUP", ""}};
  std::istringstream in(command);
  for (std::string word; in >> word;) {
    size_t eq = word.find('=');
    if (spec.argv.empty() && eq != std::string::npos && word != "tockctl") {
      spec.env[word.substr(0, eq)] = word.substr(eq + 1);
    } else {
      spec.argv.push_back(spec.argv.empty() ? std::string(TOCKCTL_BINARY) : word);
    }
  }
  spec.timeout = std::chrono::seconds(120);
  return spec;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(BuildDocsTest, ExamplesRunAndPrintWhatTheDocsShow) {
  TempDir dir;
  fs::copy(SourceDir() / "tests" / "fixtures" / "tock-tree", dir.path() / "tock",
           fs::copy_options::recursive);
  fs::copy(SourceDir() / "kernel" / "tock-config", dir.path() / "tock-config",
           fs::copy_options::recursive);
  std::ifstream doc(SourceDir() / "docs" / "build.md");
  std::stringstream text;
  text << doc.rdbuf();
  auto examples = ConsoleExamples(text.str());
  ASSERT_EQ(examples.size(), 4u);
  PosixProcessRunner runner;
  for (const Example& example : examples) {
    ProcessSpec spec = SpecFor(example.command, dir.path());
    ASSERT_EQ(spec.argv.front(), TOCKCTL_BINARY) << example.command;
    ProcessResult r = runner.Run(spec);
    auto printed = Lines(r.stdout_text + r.stderr_text);
    bool shows_error = false;
    for (const std::string& shown : example.shown) {
      shows_error |= shown.starts_with("error:");
      bool found = false;
      for (const std::string& line : printed) found |= Matches(shown, line);
      EXPECT_TRUE(found) << example.command << "\nmissing: " << shown << "\nprinted:\n"
                         << r.stdout_text << r.stderr_text;
    }
    EXPECT_EQ(r.exit_code != 0, shows_error) << example.command << "\n" << r.stderr_text;
  }
}

TEST(BuildDocsTest, EllipsisMatchesAnyText) {
  EXPECT_TRUE(Matches("a … b … c", "a 1 b 2 c"));
  EXPECT_TRUE(Matches("module   …/src/x.rs", "module   /tmp/q/src/x.rs"));
  EXPECT_FALSE(Matches("module   …/src/x.rs", "module   /tmp/q/src/y.rs"));
  EXPECT_TRUE(Matches("exact", "exact"));
  EXPECT_FALSE(Matches("exact", "exact!"));
}

}  // namespace
}  // namespace tockctl
