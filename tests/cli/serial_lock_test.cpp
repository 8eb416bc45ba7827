// One tockctl on a serial port at a time (issue 14 item 7): a second `trace` or a `flash` through
// the Tock bootloader on a port that a running `tockctl trace` holds is refused with the process
// that holds it, and the first keeps reading as if nothing happened.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/process.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::CliRun;
using testing::PtyPair;
using testing::RunTockctl;
using testing::SourceDir;
using testing::TempDir;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Waits up to 20 s for `done`; false if it never came.
template <class F>
bool WaitFor(F done) {
  for (int i = 0; i < 400; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

// A `tockctl trace --serial PTY --count 3 --format json` running in the background, output into a
// log file.
class BackgroundTrace {
 public:
  BackgroundTrace(const TempDir& dir, const std::string& port) : log_(dir.path() / "first.log") {
    ProcessSpec spec;
    spec.argv = {TOCKCTL_BINARY, "trace", "--serial", port, "--count", "3", "--format", "json"};
    spec.env["NO_COLOR"] = "1";
    spec.env["TOCKCTL_DATA_DIR"] = SourceDir().string();
    child_ = runner_.Spawn(spec, log_.string());
  }
  int pid() const { return child_->pid(); }
  std::string Log() const { return Slurp(log_); }
  bool Running() { return child_->Running(); }

 private:
  fs::path log_;
  PosixProcessRunner runner_;
  std::unique_ptr<ChildProcess> child_;
};

std::string BusyError(const std::string& port, int pid) {
  return "error: serial port " + port + " is in use by tockctl, pid " + std::to_string(pid) + " (" +
         port + ": lock); stop the other program or use another port\n";
}

TEST(SerialLockTest, ASecondTockctlOnAHeldPortIsRefusedAndTheFirstKeepsReading) {
  TempDir dir;
  PtyPair pty;
  BackgroundTrace first(dir, pty.slave_path());
  ASSERT_TRUE(WaitFor([&] { return first.Log().find("trace: reading") != std::string::npos; }))
      << first.Log();

  CliRun trace = RunTockctl({"trace", "--serial", pty.slave_path()});
  EXPECT_EQ(trace.exit_code, 5);
  EXPECT_EQ(trace.err, BusyError(pty.slave_path(), first.pid()));

  fs::path bin = dir.Write("kernel.bin", std::string(512, '\x11'));
  CliRun flash = RunTockctl({"flash", bin.string(), "--address", "0x10000", "--board", "hail",
                             "--method", "tock-bootloader", "--port", pty.slave_path()});
  EXPECT_EQ(flash.exit_code, 5);
  EXPECT_NE(flash.err.find(BusyError(pty.slave_path(), first.pid())), std::string::npos)
      << flash.err;

  // Nothing of the stream was taken by the refused commands: the first decodes its records.
  pty.Write(Slurp(SourceDir() / "tests/fixtures/trace/basic.bin"));
  ASSERT_TRUE(WaitFor([&] { return !first.Running(); })) << first.Log();
  std::string log = first.Log();
  EXPECT_EQ(log.rfind("trace: reading serial " + pty.slave_path() + " @115200\n", 0), 0u) << log;
  EXPECT_NE(log.find(R"("type":"hello")"), std::string::npos) << log;
}

}  // namespace
}  // namespace tockctl
