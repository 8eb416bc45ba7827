// Every `$ tockctl ...` example in docs/trace.md runs, from the repository root, and prints exactly
// what the document shows (stdout, or stderr when the command prints nothing on stdout).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

struct Example {
  std::vector<std::string> args;
  std::string expected;
};

std::vector<Example> ConsoleExamples(const std::string& doc) {
  std::vector<Example> out;
  std::istringstream in(doc);
  std::string line;
  while (std::getline(in, line)) {
    if (line != "```console") continue;
    Example ex;
    std::getline(in, line);
    std::istringstream cmd(line.substr(std::string("$ tockctl ").size()));
    for (std::string word; cmd >> word;) ex.args.push_back(word);
    while (std::getline(in, line) && line != "```") ex.expected += line + "\n";
    out.push_back(ex);
  }
  return out;
}

TEST(TraceDocs, ConsoleExamplesPrintWhatTheDocumentShows) {
  std::ifstream file(testing::SourceDir() / "docs/trace.md");
  std::stringstream doc;
  doc << file.rdbuf();
  const auto examples = ConsoleExamples(doc.str());
  ASSERT_GE(examples.size(), 4u);
  for (const Example& ex : examples) {
    auto run = testing::RunTockctl(ex.args, testing::SourceDir().string());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out.empty() ? run.err : run.out, ex.expected) << ex.args.back();
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
