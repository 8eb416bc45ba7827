// `tockctl build --flash`: the fixture kernel is built with make and the cross compiler, written
// into QEMU through the board's default method, and then runs (its banner appears on the UART).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/process.h"
#include "tests/e2e/flash_e2e_support.h"
#include "tests/support/test_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;

CliRun RunBuild(const fs::path& runtime_dir, const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv.push_back(TOCKCTL_BINARY);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {{"NO_COLOR", "1"},
              {"TOCKCTL_DATA_DIR", SourceDir().string()},
              {"TOCKCTL_RUNTIME_DIR", runtime_dir.string()},
              {"NO_RUSTUP", "1"}};
  spec.timeout = std::chrono::seconds(120);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

TEST(BuildFlashTest, BuiltKernelRunsInQemu) {
  TempDir dir;
  fs::path tock = dir.path() / "tock";
  fs::copy(SourceDir() / "tests" / "fixtures" / "tock-tree", tock, fs::copy_options::recursive);
  fs::path runtime = dir.path() / "runtime";
  fs::create_directories(runtime);
  RecordedQemuGuard guard(runtime);
  CliRun r = RunBuild(runtime, {"build", "--json", "--board", "qemu_rv32_virt", "--tock-dir",
                                tock.string(), "--flash"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["flash"]["method"], "qemu");
  EXPECT_EQ(j["flash"]["verified"], true);
  EXPECT_EQ(j["flash"]["started"], true);
  EXPECT_EQ(
      j["outputs"]["elf"],
      (tock / "target" / "riscv32imac-unknown-none-elf" / "release" / "qemu_rv32_virt").string());
  ASSERT_NE(guard.RecordedUartPort(), 0);
  std::string uart =
      ReadTcpUntil(guard.RecordedUartPort(), "kernel for qemu_rv32_virt", std::chrono::seconds(10));
  EXPECT_NE(uart.find("tockctl fixture kernel for qemu_rv32_virt"), std::string::npos) << uart;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
