// What the user sees when standard output cannot be written (docs/cli.md "Output conventions"):
// every command that prints fails with exit 4 and says so, instead of exiting 0 with output cut.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;
using testing::RunTockctlWritingTo;
using testing::SourceDir;
using testing::TempDir;

constexpr const char* kFullDiskError =
    "error: standard output: write failed: No space left on device; the output is incomplete: "
    "free space or send it elsewhere\n";

void ExpectWriteFailure(const std::vector<std::string>& args) {
  const auto run = RunTockctlWritingTo("/dev/full", args);
  EXPECT_EQ(run.exit_code, 4) << args.back() << ": " << run.err;
  EXPECT_EQ(run.err, kFullDiskError) << args.back();
}

TEST(OutputErrors, EveryPrintingCommandFailsOnAFullDisk) {
  const std::string replay = (SourceDir() / "tests/fixtures/trace/basic.bin").string();
  ExpectWriteFailure({"-q", "trace", "--replay", replay, "--format", "json"});
  ExpectWriteFailure({"-q", "trace", "--replay", replay});
  ExpectWriteFailure({"--json", "boards", "list"});
  ExpectWriteFailure({"boards", "list"});
  ExpectWriteFailure({"boards", "show", "qemu_rv32_virt"});
  ExpectWriteFailure({"completion", "bash"});
  ExpectWriteFailure({"completion", "man"});
  ExpectWriteFailure({"--help"});
  ExpectWriteFailure({"--version"});
  ExpectWriteFailure({"devices", "--help"});
}

TEST(OutputErrors, ConfigShowFailsOnAFullDisk) {
  TempDir dir;
  const std::string file = (dir.path() / "board.json").string();
  ASSERT_EQ(RunTockctl({"-q", "config", "init", "qemu_rv32_virt", "-o", file}).exit_code, 0);
  ExpectWriteFailure({"config", "show", file});
  ExpectWriteFailure({"--json", "config", "show", file});
  ExpectWriteFailure({"config", "get", file, "/ipc"});
}

TEST(OutputErrors, AWritableStdoutStillSucceeds) {
  const auto run = RunTockctlWritingTo("/dev/null", {"--json", "boards", "list"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
