#include "common/process.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tockctl {
namespace {

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

TEST(ProcessTest, TimeoutKillsTheChild) {
  PosixProcessRunner runner;
  ProcessSpec spec;
  spec.argv = {"sleep", "30"};
  spec.timeout = std::chrono::milliseconds(200);
  ProcessResult r = runner.Run(spec);
  EXPECT_TRUE(r.timed_out);
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

}  // namespace
}  // namespace tockctl
