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
#include "tests/support/doc_examples.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::ConsoleExample;
using testing::ConsoleExamples;
using testing::MatchesShown;
using testing::SourceDir;
using testing::TempDir;

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
  fs::path src = dir.path() / "tock" / "boards" / "qemu_rv32_virt" / "src";
  for (const char* file : {"main.rs", "lib.rs"})
    fs::copy_file(SourceDir() / "tests" / "fixtures" / "integrate" / file, src / file,
                  fs::copy_options::overwrite_existing);
  fs::path nrf = dir.path() / "tock" / "boards" / "nordic" / "nrf52840dk";
  fs::create_directories(nrf / "src");
  fs::path nrf_files = SourceDir() / "tests" / "fixtures" / "integrate" / "nrf52840dk";
  for (const char* file : {"src/main.rs", "src/lib.rs", "Cargo.toml"})
    fs::copy_file(nrf_files / fs::path(file).filename(), nrf / file);
  std::ifstream doc(SourceDir() / "docs" / "build.md");
  std::stringstream text;
  text << doc.rdbuf();
  auto examples = ConsoleExamples(text.str());
  ASSERT_EQ(examples.size(), 12u);
  PosixProcessRunner runner;
  for (const ConsoleExample& example : examples) {
    ProcessSpec spec = SpecFor(example.command, dir.path());
    ASSERT_EQ(spec.argv.front(), TOCKCTL_BINARY) << example.command;
    ProcessResult r = runner.Run(spec);
    auto printed = Lines(r.stdout_text + r.stderr_text);
    bool shows_error = false;
    for (const std::string& shown : example.shown) {
      shows_error |= shown.starts_with("error:");
      bool found = false;
      for (const std::string& line : printed) found |= MatchesShown(shown, line);
      EXPECT_TRUE(found) << example.command << "\nmissing: " << shown << "\nprinted:\n"
                         << r.stdout_text << r.stderr_text;
    }
    EXPECT_EQ(r.exit_code != 0, shows_error) << example.command << "\n" << r.stderr_text;
  }
}

TEST(BuildDocsTest, EllipsisMatchesAnyText) {
  EXPECT_TRUE(MatchesShown("a … b … c", "a 1 b 2 c"));
  EXPECT_TRUE(MatchesShown("module   …/src/x.rs", "module   /tmp/q/src/x.rs"));
  EXPECT_FALSE(MatchesShown("module   …/src/x.rs", "module   /tmp/q/src/y.rs"));
  EXPECT_TRUE(MatchesShown("exact", "exact"));
  EXPECT_FALSE(MatchesShown("exact", "exact!"));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
