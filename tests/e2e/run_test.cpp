// End to end: `tockctl run` on the demo firmware in QEMU: flash, connect the console before the CPU
// starts (so the boot banner, printed once, is there), show console text and trace records, end on
// --until, --duration or SIGTERM, and stop the QEMU it started however it ends.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/e2e/flash_e2e_support.h"
#include "tests/support/background_process.h"
#include "tests/support/doc_examples.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace std::chrono_literals;

const std::string kBanner = "Initialization complete. Entering main loop\r\n";

std::filesystem::path DemoElf() { return BuildDir() / "firmware" / "qemu_demo.elf"; }

// The pid in "Started QEMU (pid N)" or "Stopped QEMU pid N", 0 if the text has none.
int PidIn(const std::string& text, const std::string& before) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(before + "([0-9]+)"))) return 0;
  return std::stoi(m[1]);
}

// Running, and not a zombie waiting for a parent (QEMU's was tockctl, which has exited).
bool Alive(int pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::string stat;
  try {
    stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  } catch (const Error&) {
    return false;  // gone between the two looks
  }
  const size_t after_name = stat.rfind(") ");
  return after_name != std::string::npos && stat.compare(after_name + 2, 1, "Z") != 0;
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(DemoElf())) GTEST_SKIP() << "demo firmware not built";
  }
  CliRun Run(std::vector<std::string> extra) {
    std::vector<std::string> args{"run", DemoElf().string(), "--board", "qemu_rv32_virt"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTockctlIn(runtime, args);
  }
  std::string StatusJson() { return RunTockctlIn(runtime, {"--json", "qemu", "status"}).out; }

  TempDir dir;
  std::filesystem::path runtime = dir.path() / "runtime";
};

TEST_F(RunTest, ShowsTheBootBannerAndRecordsThenStopsTheQemuItStarted) {
  RecordedQemuGuard guard(runtime);
  CliRun r = Run({"--until", "tock$ ", "--duration", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(kBanner + "[trace] ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("hello          qemu_rv32_virt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ntock$ "), std::string::npos) << r.out;
  const int started = PidIn(r.err, "Started QEMU \\(pid ");
  ASSERT_GT(started, 0) << r.err;
  EXPECT_NE(r.err.find("Flashed 19.8 KiB to qemu_rv32_virt via qemu"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("verified, started at 0x80000000\nconsole: QEMU UART tcp 127.0.0.1:"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(PidIn(r.err, "\nStopped QEMU pid "), started) << r.err;
  EXPECT_FALSE(Alive(started));
  EXPECT_EQ(nlohmann::json::parse(StatusJson())["running"], false);
}

TEST_F(RunTest, UntilTextThatNeverComesIsExitOneAndQemuIsStoppedAllTheSame) {
  RecordedQemuGuard guard(runtime);
  CliRun r = Run({"--until", "no such text", "--duration", "2", "--no-records"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.rfind(kBanner + "tock$ ", 0), 0u) << r.out;
  EXPECT_EQ(r.out.find("[trace]"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("\nerror: the console did not show \"no such text\" within 2 s\nStopped "
                       "QEMU pid "),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Alive(PidIn(r.err, "Started QEMU \\(pid ")));
}

TEST_F(RunTest, KeepQemuLeavesItRunning) {
  RecordedQemuGuard guard(runtime);
  CliRun r = Run({"--keep-qemu", "--until", "tock$ ", "--duration", "30", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto status = nlohmann::json::parse(StatusJson());
  EXPECT_EQ(status["running"], true);
  EXPECT_EQ(status["pid"].get<int>(), guard.RecordedPid());
}

TEST_F(RunTest, SigtermEndsTheConsoleWithExitZeroAndStopsQemu) {
  RecordedQemuGuard guard(runtime);
  auto run = StartTockctl(dir.path(),
                          {"run", DemoElf().string(), "--board", "qemu_rv32_virt", "--no-records"},
                          {{"TOCKCTL_RUNTIME_DIR", runtime.string()}});
  ASSERT_TRUE(run->WaitForStdout(
      [](const std::string& out) { return out.find("tock$ ") != std::string::npos; }, 30s))
      << run->Stderr();
  const int started = guard.RecordedPid();
  ASSERT_TRUE(Alive(started));
  run->Signal(SIGTERM);
  EXPECT_EQ(run->Wait(20s), 0) << run->Stderr();
  EXPECT_EQ(PidIn(run->Stderr(), "\nStopped QEMU pid "), started) << run->Stderr();
  EXPECT_FALSE(Alive(started));
}

// The "$ tockctl run" example of docs/run.md, run from a directory whose build/ is the build
// directory: exit 0, and standard output begins as the docs show.
TEST_F(RunTest, DocsExampleRunsAndBeginsAsTheDocsShow) {
  std::filesystem::create_directory_symlink(BuildDir(), dir.path() / "build");
  RecordedQemuGuard guard(runtime);
  const auto examples = ConsoleExamples(ReadFile(SourceDir() / "docs" / "run.md"));
  ASSERT_EQ(examples.size(), 1u);
  std::vector<std::string> words = CommandWords(examples[0].command);
  ASSERT_EQ(words.at(0), "tockctl");
  words.erase(words.begin());
  CliRun r = RunTockctlIn(runtime, words, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string shown;
  for (const auto& line : examples[0].shown) shown += line + "\n";
  std::string out = r.out;
  out.erase(std::remove(out.begin(), out.end(), '\r'), out.end());
  EXPECT_EQ(out.substr(0, shown.size()), shown);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
