// One tockctl on a serial port at a time (issue 14 item 7): a second `trace` or `console` on a port
// that a running `tockctl trace` holds is refused with the process that holds it, and the first
// keeps reading as if nothing happened. (A `flash` borrows the port instead:
// tests/flasher/port_handover_cli_test.cpp.)
#include <gtest/gtest.h>

#include "tests/support/background_process.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::CliRun;
using testing::PtyPair;
using testing::RunTockctl;
using testing::Slurp;
using testing::StartTockctl;
using namespace std::chrono_literals;
using testing::SourceDir;
using testing::TempDir;

std::string BusyError(const std::string& port, int pid) {
  return "error: serial port " + port + " is in use by tockctl trace, pid " + std::to_string(pid) +
         " (" + port + ": lock); stop the other program or use another port\n";
}

TEST(SerialLockTest, ASecondTockctlOnAHeldPortIsRefusedAndTheFirstKeepsReading) {
  TempDir dir;
  PtyPair pty;
  auto first = StartTockctl(
      dir.path(), {"trace", "--serial", pty.slave_path(), "--count", "3", "--format", "json"});
  ASSERT_TRUE(first->WaitForStderr("trace: reading", 20s)) << first->Stderr();

  CliRun trace = RunTockctl({"trace", "--serial", pty.slave_path()});
  EXPECT_EQ(trace.exit_code, 5);
  EXPECT_EQ(trace.err, BusyError(pty.slave_path(), first->pid()));

  CliRun console = RunTockctl({"console", "--serial", pty.slave_path()});
  EXPECT_EQ(console.exit_code, 5);
  EXPECT_EQ(console.err, BusyError(pty.slave_path(), first->pid()));

  // Nothing of the stream was taken by the refused commands: the first decodes its records.
  pty.Write(Slurp(SourceDir() / "tests/fixtures/trace/basic.bin"));
  EXPECT_EQ(first->Wait(20s), 0) << first->Stderr();
  EXPECT_EQ(first->Stderr().rfind("trace: reading serial " + pty.slave_path() + " @115200\n", 0),
            0u)
      << first->Stderr();
  EXPECT_NE(first->Stdout().find(R"("type":"hello")"), std::string::npos) << first->Stdout();
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
