#include "common/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ProcessTest, CollectsOutputAndExitCode) {
  PosixProcessRunner runner;
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_text, "out\n");
  EXPECT_EQ(r.stderr_text, "err\n");
}

TEST(ProcessTest, StreamsLinesAndPassesArgumentsVerbatim) {
  PosixProcessRunner runner;
  ProcessSpec spec;
  std::vector<std::string> lines;
  spec.argv = {"printf", "%s\\n", "a b", "$HOME;rm"};
  spec.on_stdout_line = [&](const std::string& l) { lines.push_back(l); };
  EXPECT_EQ(runner.Run(spec).exit_code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"a b", "$HOME;rm"}));
}

// True once `pid` has exited (gone, or a zombie waiting for its reaper), polling up to 5 s.
bool Exited(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    const size_t state = text.rfind(") ");
    if (state != std::string::npos && text[state + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ProcessTest, TimeoutKillsTheChildAndWhatItStarted) {
  char dir[] = "/tmp/tockctl-process-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string pids = std::string(dir) + "/pids";
  PosixProcessRunner runner;
  ProcessSpec spec;
  // The shell and a grandchild that does not hold the output pipes (so Run cannot wait for it).
  spec.argv = {"sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $$ $! >" + pids + "; wait"};
  spec.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  ProcessResult r = runner.Run(spec);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGTERM);
  pid_t shell = 0;
  pid_t sleeper = 0;
  std::ifstream(pids) >> shell >> sleeper;
  std::filesystem::remove_all(dir);
  ASSERT_GT(shell, 0);
  ASSERT_GT(sleeper, 0);
  EXPECT_TRUE(Exited(shell)) << "the child " << shell << " still runs";
  EXPECT_TRUE(Exited(sleeper)) << "the grandchild " << sleeper << " still runs";
  if (!Exited(sleeper)) ::kill(sleeper, SIGKILL);
}

TEST(ProcessTest, MissingProgramIsAToolError) {
  PosixProcessRunner runner;
  ProcessSpec spec;
  spec.argv = {"tockctl-no-such-program"};
  try {
    runner.Run(spec);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
    EXPECT_EQ(e.Describe(), "`tockctl-no-such-program` was not found on PATH");
  }
}

TEST(ProcessTest, SpawnedChildIsStoppedByItsHandle) {
  PosixProcessRunner runner;
  ProcessSpec spec;
  spec.argv = {"sleep", "30"};
  auto child = runner.Spawn(spec, "");
  EXPECT_TRUE(child->Running());
  int pid = child->pid();
  child.reset();
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
