// Runs every "$ command" line of docs/extcap.md's ```console blocks in order, in a directory that
// stands for the repository root (build/ links to the build directory) with a private home and
// QEMU state directory. Each line shown under a command must appear in what the command printed
// (stdout or stderr), or for a background command (`... &`) in what it printed by the time `wait`
// returned. "…" in a shown line matches any text; a shown line "..." only marks skipped lines.
// Differences from a shell: the capture runs 4 s instead of 10, and the command after a
// background `tshark -i tockctl-qemu` starts once the capture has connected to QEMU's UART, as a
// person would wait for Wireshark to show the capture running.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "common/file_io.h"
#include "tests/e2e/extcap_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

struct Example {
  std::string command;
  std::vector<std::string> shown;
};

std::vector<Example> ConsoleExamples(const std::string& markdown) {
  std::vector<Example> out;
  bool in_console = false;
  for (const std::string& line : SplitLines(markdown)) {
    if (line.starts_with("```")) {
      in_console = !in_console && line == "```console";
    } else if (in_console && line.starts_with("$ ")) {
      out.push_back({line.substr(2), {}});
    } else if (in_console && !out.empty() && line != "...") {
      out.back().shown.push_back(line);
    }
  }
  return out;
}

// True if `actual` matches `shown`, where each "…" in `shown` stands for any text.
bool Matches(const std::string& shown, const std::string& actual) {
  const std::string ellipsis = "…";
  std::vector<std::string> pieces;
  for (size_t from = 0;;) {
    const size_t next = shown.find(ellipsis, from);
    pieces.push_back(shown.substr(from, next == std::string::npos ? next : next - from));
    if (next == std::string::npos) break;
    from = next + ellipsis.size();
  }
  if (pieces.size() == 1) return actual == shown;
  if (!actual.starts_with(pieces.front())) return false;
  size_t at = pieces.front().size();
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    const size_t found = actual.find(pieces[i], at);
    if (found == std::string::npos) return false;
    at = found + pieces[i].size();
  }
  return actual.size() >= at + pieces.back().size() && actual.ends_with(pieces.back());
}

// Words of a command line: blanks separate them, single quotes group.
std::vector<std::string> Words(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, any = false;
  for (char c : command) {
    if (c == '\'') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) words.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) words.push_back(word);
  return words;
}

class DocsShell {
 public:
  DocsShell(const ExtcapHome& home, const RecordedQemuGuard& qemu) : home_(home), qemu_(qemu) {}

  // Runs one command line; returns what it printed (stdout, then stderr).
  std::string Run(std::string line) {
    if (size_t at = line.find("duration:10"); at != std::string::npos) {
      line.replace(at, 11, "duration:4");
    }
    std::vector<std::string> words = Words(line);
    if (words == std::vector<std::string>{"wait"}) return Wait();
    if (words.back() == "&") return Background({words.begin() + 1, words.end() - 1});
    const std::vector<std::string> args(words.begin() + 1, words.end());
    CliRun r = words[0] == "tockctl" ? home_.Tockctl(args) : home_.Tshark(args);
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.out << r.err;
    return r.out + r.err;
  }

 private:
  std::string Background(const std::vector<std::string>& tshark_args) {
    background_ = home_.StartTshark(tshark_args);
    EXPECT_TRUE(WaitForTcpClient(qemu_.RecordedUartPort(), seconds(20))) << background_->Stderr();
    return "";
  }

  std::string Wait() {
    if (!background_) return "";
    EXPECT_EQ(background_->Wait(seconds(30)), 0) << background_->Stderr();
    return background_->Stdout() + background_->Stderr();
  }

  const ExtcapHome& home_;
  const RecordedQemuGuard& qemu_;
  std::unique_ptr<BackgroundProcess> background_;
};

TEST(ExtcapDocsTest, EveryCommandOfDocsExtcapMdRunsAndPrintsWhatItShows) {
  std::vector<Example> examples = ConsoleExamples(ReadFile(SourceDir() / "docs" / "extcap.md"));
  ASSERT_GE(examples.size(), 12u);
  ExtcapHome home(false);
  fs::create_directory_symlink(BuildDir(), home.dir() / "build");
  RecordedQemuGuard qemu(home.runtime_dir());
  DocsShell shell(home, qemu);
  std::vector<std::string> outputs;
  size_t background_line = 0;
  for (size_t i = 0; i < examples.size(); ++i) {
    outputs.push_back(shell.Run(examples[i].command));
    if (examples[i].command.ends_with(" &")) background_line = i;
    if (examples[i].command == "wait") outputs[background_line] += outputs.back();
  }
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::vector<std::string> printed = SplitLines(outputs[i]);
    for (const std::string& shown : examples[i].shown) {
      EXPECT_TRUE(std::any_of(printed.begin(), printed.end(),
                              [&](const std::string& line) { return Matches(shown, line); }))
          << "$ " << examples[i].command << "\nshown:   " << shown << "\nprinted:\n"
          << outputs[i];
    }
  }
}

}  // namespace
}  // namespace tockctl::testing
