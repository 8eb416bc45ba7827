// `tockctl trace --qemu` when it cannot be used: no QEMU recorded, a recorded one that is gone,
// another source as well. Tracing a running QEMU this way is tested in tests/e2e/demo_*_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::SourceDir;
using testing::TempDir;

CliRun TraceWithRuntimeDir(const fs::path& runtime, const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv = {TOCKCTL_BINARY, "trace"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {{"NO_COLOR", "1"},
              {"TOCKCTL_DATA_DIR", SourceDir().string()},
              {"TOCKCTL_RUNTIME_DIR", runtime.string()}};
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

TEST(TraceQemuSource, WithoutARecordedQemuSaysHowToStartOne) {
  TempDir dir;
  CliRun r = TraceWithRuntimeDir(dir.path(), {"--qemu"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: no QEMU started by tockctl is running (no " +
                       (dir.path() / "qemu.json").string() +
                       "); start it with: tockctl flash IMAGE --board qemu_rv32_virt\n");
}

TEST(TraceQemuSource, ARecordedQemuThatIsGoneIsNotTraced) {
  TempDir dir;
  // This test's own pid: alive, but not a QEMU, so the state file is stale.
  std::string pid = std::to_string(::getpid());
  dir.Write("qemu.json", R"({"pid": )" + pid +
                             R"(, "gdb_port": 1234, "uart_port": 4444, "started_at": 0,
                                "board": "qemu_rv32_virt", "image": "k.elf", "log": "", "argv": []})");
  CliRun r = TraceWithRuntimeDir(dir.path(), {"--qemu"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err, "error: the QEMU that tockctl started (pid " + pid + " in " +
                       (dir.path() / "qemu.json").string() +
                       ") is no longer running; start it with: tockctl flash IMAGE --board "
                       "qemu_rv32_virt\n");
}

TEST(TraceQemuSource, IsOneSourceAmongTheOthers) {
  TempDir dir;
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--tcp", "127.0.0.1:4444"},
                                                        {"--serial", "/dev/ttyACM0"},
                                                        {"--usb", "6667:0001"},
                                                        {"--replay", "x.raw"}}) {
    CliRun r = TraceWithRuntimeDir(dir.path(), {"--qemu", flag, value});
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_EQ(r.err, "error: --qemu and " + flag +
                         " cannot be used together; give exactly one trace source\n");
  }
}

}  // namespace
}  // namespace tockctl
