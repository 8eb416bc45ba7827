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
#include "tests/support/doc_examples.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::seconds;

class DocsShell {
 public:
  DocsShell(const ExtcapHome& home, const RecordedQemuGuard& qemu) : home_(home), qemu_(qemu) {}

  // Runs one command line; returns what it printed (stdout, then stderr).
  std::string Run(std::string line) {
    if (size_t at = line.find("duration:10"); at != std::string::npos) {
      line.replace(at, 11, "duration:4");
    }
    std::vector<std::string> words = CommandWords(line);
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
  std::vector<ConsoleExample> examples =
      ConsoleExamples(ReadFile(SourceDir() / "docs" / "extcap.md"));
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
                              [&](const std::string& line) { return MatchesShown(shown, line); }))
          << "$ " << examples[i].command << "\nshown:   " << shown << "\nprinted:\n"
          << outputs[i];
    }
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
