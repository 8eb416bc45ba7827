// Runs every "$ command" line of docs/demo.md's ```console blocks in order, as one shell would,
// in a directory laid out like the repository root (a copy of firmware/tock-tree; the firmware
// sources, the board file and the dissector linked in), with its own QEMU state directory. Each
// line shown under a command must appear in what the command printed (stdout or stderr), or in
// what a background command (`... &`) printed by the time `wait` returned. "…" in a shown line
// matches any text; a shown line "..." only marks skipped lines. Differences from a shell: the
// trace runs 4 s instead of 10 (`--duration 10`), and `wireshark` runs as tshark.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/demo_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"
#include "tests/support/doc_examples.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::seconds;

// The demo's shell: variables, environment prefixes, one background job, and `wait`.
class DemoShell {
 public:
  explicit DemoShell(const fs::path& dir) : dir_(dir) {
    env_ = {{"NO_COLOR", "1"},
            {"TOCKCTL_DATA_DIR", SourceDir().string()},
            {"TOCKCTL_RUNTIME_DIR", (dir / "runtime").string()}};
  }

  // Runs one command line; returns what it printed (stdout, then stderr).
  std::string Run(const std::string& line) {
    std::vector<std::string> words = CommandWords(Substitute(line));
    std::map<std::string, std::string> env = env_;
    while (!words.empty() && words[0].find('=') != std::string::npos) {
      size_t eq = words[0].find('=');
      (words.size() == 1 ? vars_ : env)[words[0].substr(0, eq)] = words[0].substr(eq + 1);
      words.erase(words.begin());
    }
    if (words.empty()) return "";
    if (words == std::vector<std::string>{"wait"}) return Wait();
    if (words[0] == "tockctl") words[0] = TOCKCTL_BINARY;
    if (words[0] == "wireshark") words[0] = "tshark";
    if (words.back() == "&") {
      words.pop_back();
      background_ = std::make_unique<BackgroundProcess>(words, env, dir_, "background");
      EXPECT_TRUE(background_->WaitForStderr("\n", seconds(10))) << line;
      return background_->Stdout() + background_->Stderr();
    }
    ProcessSpec spec;
    spec.argv = words;
    spec.env = env;
    spec.cwd = dir_.string();
    spec.timeout = seconds(60);
    PosixProcessRunner runner;
    ProcessResult r = runner.Run(spec);
    int expected = line.starts_with("tockctl config diff ") ? 1 : 0;  // files differ: exit 1
    EXPECT_EQ(r.exit_code, expected) << line << "\n" << r.stdout_text << r.stderr_text;
    return r.stdout_text + r.stderr_text;
  }

  std::string BackgroundOutput() const {
    return background_ ? background_->Stdout() + background_->Stderr() : "";
  }

 private:
  std::string Substitute(std::string line) const {
    for (const auto& [name, value] : vars_) {
      for (size_t at; (at = line.find("$" + name)) != std::string::npos;)
        line.replace(at, name.size() + 1, value);
    }
    const std::string duration = "--duration 10";
    if (size_t at = line.find(duration); at != std::string::npos)
      line.replace(at, duration.size(), "--duration 4");
    return line;
  }

  std::string Wait() {
    if (!background_) return "";
    EXPECT_EQ(background_->Wait(seconds(30)), 0) << background_->Stderr();
    return BackgroundOutput();
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> vars_;
  std::unique_ptr<BackgroundProcess> background_;
};

std::string FirstLines(const std::string& text, size_t count) {
  std::vector<std::string> lines = SplitLines(text);
  std::string out;
  for (size_t i = 0; i < std::min(count, lines.size()); ++i) out += lines[i] + "\n";
  return out;
}

// The repository root as the commands see it, in `dir`.
void LayOutRepository(const fs::path& dir) {
  fs::create_directories(dir / "firmware");
  fs::create_directories(dir / "runtime");
  fs::permissions(dir / "runtime", fs::perms::owner_all);
  fs::copy(SourceDir() / "firmware" / "tock-tree", dir / "firmware" / "tock-tree",
           fs::copy_options::recursive);
  fs::remove_all(dir / "firmware" / "tock-tree" / "target");
  fs::remove(dir / "firmware" / "tock-tree" / "boards" / "qemu_rv32_virt" / "src" /
             "tockctl_config.rs");
  fs::create_directory_symlink(SourceDir() / "firmware" / "qemu_demo",
                               dir / "firmware" / "qemu_demo");
  fs::create_directory_symlink(SourceDir() / "tracer", dir / "tracer");
}

TEST(DemoDocsTest, EveryCommandOfDocsDemoMdRunsAndPrintsWhatItShows) {
  std::ifstream in(SourceDir() / "docs" / "demo.md");
  std::stringstream markdown;
  markdown << in.rdbuf();
  std::vector<ConsoleExample> examples = ConsoleExamples(markdown.str());
  ASSERT_GE(examples.size(), 10u);

  TempDir dir;
  LayOutRepository(dir.path());
  RecordedQemuGuard qemu(dir.path() / "runtime");
  DemoShell shell(dir.path());
  std::vector<std::string> outputs;
  for (const ConsoleExample& example : examples) outputs.push_back(shell.Run(example.command));

  std::vector<std::string> background = SplitLines(shell.BackgroundOutput());
  for (size_t i = 0; i < examples.size(); ++i) {
    std::vector<std::string> printed = SplitLines(outputs[i]);
    printed.insert(printed.end(), background.begin(), background.end());
    for (const std::string& shown : examples[i].shown) {
      bool found = std::any_of(printed.begin(), printed.end(),
                               [&](const std::string& line) { return MatchesShown(shown, line); });
      EXPECT_TRUE(found) << "$ " << examples[i].command << "\nshown:   " << shown << "\nprinted:\n"
                         << outputs[i] << "in the background (first lines):\n"
                         << FirstLines(shell.BackgroundOutput(), 30);
    }
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
