// One option vocabulary across commands (docs/cli.md, "One vocabulary"), through the real binary:
// the new spellings are what --help shows, the old ones still give the same answer, and an old
// and a new spelling together, or flags that contradict each other, are usage errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/doc_examples.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::CliRun;
using testing::RunTockctl;
using testing::TempDir;

std::string VocabularySection() {
  const std::string doc = testing::Slurp(testing::SourceDir() / "docs/cli.md");
  const size_t from = doc.find("## One vocabulary");
  return doc.substr(from, doc.find("\n## ", from + 1) - from);
}

// The "error: ..." line of a run (flash prints progress lines before it).
std::string ErrorLine(const CliRun& run) {
  const size_t at = run.err.rfind("error: ");
  if (at == std::string::npos) return "no error line in: " + run.err;
  return run.err.substr(at, run.err.find('\n', at) - at);
}

TEST(OptionVocabularyTest, EveryExampleOfTheDocumentIsAUsageErrorPrintedAsShown) {
  const auto examples = testing::ConsoleExamples(VocabularySection());
  ASSERT_GE(examples.size(), 6U);
  for (const auto& example : examples) {
    std::vector<std::string> words = testing::CommandWords(example.command);
    ASSERT_EQ(words.front(), "tockctl");
    words.erase(words.begin());
    const CliRun run = RunTockctl(words, testing::SourceDir().string());
    ASSERT_EQ(example.shown.size(), 1U) << example.command;
    EXPECT_EQ(run.exit_code, 2) << example.command;
    EXPECT_EQ(run.err, example.shown.front() + "\n") << example.command;
    EXPECT_EQ(run.out, "") << example.command;
  }
}

TEST(OptionVocabularyTest, HelpShowsTheNewSpellingsOnly) {
  for (const std::string command : {"flash", "info", "run"}) {
    const CliRun help = RunTockctl({command, "--help"});
    for (const std::string shown : {"--serial", "--usb", "--tcp", "--input-format"})
      EXPECT_NE(help.out.find(shown + " "), std::string::npos) << command << " " << shown;
    for (const std::string hidden : {"--port", "--probe", "--remote", "  --format"})
      EXPECT_EQ(help.out.find(hidden), std::string::npos) << command << " " << hidden;
  }
  for (const std::string command : {"trace", "console", "run"}) {
    const CliRun help = RunTockctl({command, "--help"});
    EXPECT_NE(help.out.find("-o,--output"), std::string::npos) << command;
    EXPECT_EQ(help.out.find("--write"), std::string::npos) << command;
  }
  const CliRun run = RunTockctl({"run", "--help"});
  for (const std::string console : {"--console-serial", "--console-usb", "--console-tcp"})
    EXPECT_NE(run.out.find(console + " "), std::string::npos) << console;
}

// Each old spelling reaches the same code as its new one: the same error, word for word.
TEST(OptionVocabularyTest, AnOldSpellingGivesTheSameAnswerAsItsNewOne) {
  TempDir dir;
  const std::string bin = dir.Write("kernel.bin", std::string(64, '\x5a')).string();
  const std::vector<std::string> flash = {"flash",      bin,       "--address",
                                          "0x80000000", "--board", "qemu_rv32_virt"};
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> pairs = {
      {{"--method", "gdb", "--remote", "nohost"}, {"--method", "gdb", "--tcp", "nohost"}},
      {{"--method", "picoboot", "--probe", "2e8a"}, {"--method", "picoboot", "--usb", "2e8a"}},
      {{"--method", "tock-bootloader", "--port", "/dev/tockctl-none"},
       {"--method", "tock-bootloader", "--serial", "/dev/tockctl-none"}},
      {{"--format", "srec"}, {"--input-format", "srec"}},
  };
  for (const auto& [old_args, new_args] : pairs) {
    std::vector<std::string> with_old = flash;
    with_old.insert(with_old.end(), old_args.begin(), old_args.end());
    std::vector<std::string> with_new = flash;
    with_new.insert(with_new.end(), new_args.begin(), new_args.end());
    const CliRun old_run = RunTockctl(with_old);
    const CliRun new_run = RunTockctl(with_new);
    EXPECT_NE(old_run.exit_code, 0) << old_args[2];
    EXPECT_EQ(old_run.exit_code, new_run.exit_code) << old_args[2];
    EXPECT_EQ(ErrorLine(old_run), ErrorLine(new_run)) << old_args[2];
  }
}

TEST(OptionVocabularyTest, TheOldCaptureSpellingWritesTheSameFile) {
  TempDir dir;
  const std::string replay = (testing::SourceDir() / "tests/fixtures/trace/basic.bin").string();
  const std::string old_file = (dir.path() / "old.pcapng").string();
  const std::string new_file = (dir.path() / "new.pcapng").string();
  ASSERT_EQ(RunTockctl({"-q", "trace", "--replay", replay, "-w", old_file}).exit_code, 0);
  ASSERT_EQ(RunTockctl({"-q", "trace", "--replay", replay, "-o", new_file}).exit_code, 0);
  // The same records and blocks; only the host timestamps of the replay differ.
  EXPECT_FALSE(testing::Slurp(new_file).empty());
  EXPECT_EQ(testing::Slurp(old_file).size(), testing::Slurp(new_file).size());
}

// In `run`, --serial is the flash device's; with gdb it is a Black Magic Probe's GDB port, so the
// refusal names the console's own option there and --serial elsewhere.
TEST(OptionVocabularyTest, RunAsksForTheConsoleWithTheOptionThatNamesIt) {
  const std::string link =
      "error: nrf52840dk traces over its UART (UARTE0 (P0.06 TX, P0.08 RX; J-Link virtual COM "
      "port)) at 115200 baud; give --";
  const std::string hint =
      "serial PORT, the USB serial adapter or debugger port it is wired to (tockctl devices lists "
      "them)\n";
  const CliRun jlink = RunTockctl({"run", "kernel.elf", "--board", "nrf52840dk"});
  EXPECT_EQ(jlink.exit_code, 2);
  EXPECT_EQ(jlink.err, link + hint);
  const CliRun gdb = RunTockctl(
      {"run", "kernel.elf", "--board", "nrf52840dk", "--method", "gdb", "--serial", "/dev/null"});
  EXPECT_EQ(gdb.exit_code, 2);
  EXPECT_EQ(gdb.err, link + "console-" + hint);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
