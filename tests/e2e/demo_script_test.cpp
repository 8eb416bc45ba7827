// ./scripts/demo itself, with a 3-second trace, its QEMU state, firmware build and demo.pcapng
// kept in a temporary directory: every step runs, the output shows the live trace, the
// statistics and the Wireshark command line, and no QEMU is left running.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "devices/qemu_instance.h"
#include "tests/e2e/demo_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::seconds;

CliRun RunDemoScript(const DemoWorkspace& ws) {
  ProcessSpec spec;
  spec.argv = {(SourceDir() / "scripts" / "demo").string()};
  spec.env = ws.Env();
  spec.env["TOCKCTL_BUILD_DIR"] = BuildDir().string();
  spec.env["TOCKCTL_DEMO_OUT"] = ws.dir().string();
  spec.env["TOCKCTL_DEMO_SECONDS"] = "3";
  spec.timeout = seconds(240);  // deps and build are no-ops in a built tree
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DemoScriptTest, RunsEveryStepAndLeavesNoQemuRunning) {
  DemoWorkspace ws;
  int qemu_pid = 0;
  {
    RecordedQemuGuard qemu(ws.runtime_dir());
    CliRun r = RunDemoScript(ws);
    std::string all = r.out + r.err;
    ASSERT_EQ(r.exit_code, 0) << all;
    std::smatch started;
    ASSERT_TRUE(std::regex_search(all, started, std::regex(R"(Started QEMU \(pid (\d+)\))")));
    qemu_pid = std::stoi(started[1]);

    fs::path pcap = ws.dir() / "demo.pcapng";
    fs::path lua = SourceDir() / "tracer" / "dissector" / "tockctl_ipc.lua";
    for (const std::string& part :
         {std::string("$ tockctl boards show qemu_rv32_virt\n"),
          std::string("firmware/qemu_demo/board.json: no errors, no warnings\n"),
          std::string("  wpan0  ieee802154  02:00:00:00:00:00:00:01  127"),
          std::string("build finished: 0 errors, 0 warnings\n"),
          std::string(", verified, left halted\n"),
          std::string("trace: reading QEMU UART tcp 127.0.0.1:"),
          std::string(", verified, resumed\n"), std::string("  proc_start     net_service(0)"),
          std::string("  ipc_connect    rpc_client(3) -> kv.store#2"),
          std::string("trace statistics: "),
          std::string("  INTERFACE  TX  TX BYTES  RX  RX BYTES  DROPS  DROP REASONS\n"),
          std::string("trace: wrote "),
          std::string("Stopped QEMU pid " + std::to_string(qemu_pid) + "\n"),
          std::string(" eth0\n"), std::string(" wpan0\n"), std::string(" tock-trace\n"),
          "  wireshark -X lua_script:" + lua.string() + " -r " + pcap.string() + "\n"}) {
      EXPECT_TRUE(Contains(all, part)) << "missing: " << part << "\n" << all;
    }
    CliRun tshark = RunTshark({"-r", pcap.string(), "-q"});
    EXPECT_EQ(tshark.exit_code, 0) << tshark.err;
    EXPECT_EQ(tshark.err, "");
    EXPECT_EQ(qemu.RecordedPid(), 0) << "the script left a QEMU state file";
  }
  EXPECT_FALSE(devices::QemuProcessAlive(qemu_pid));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
