// `tockctl trace` and `console` with --board or --config: the board's trace link (its catalog
// `trace` facts) fills in the baud rate of a --serial source, picks --qemu for a board that runs
// in QEMU, and otherwise says which device the link needs, through the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "tests/support/pty_pair.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::CliRun;
using testing::PtyPair;
using testing::RunTockctl;
using testing::RunTockctlIn;
using testing::SourceDir;
using testing::TempDir;

TEST(BoardTraceLinkTest, AUartBoardNeedsItsPortAndSaysWhichUartAndRate) {
  CliRun r = RunTockctl({"trace", "--board", "nrf52840dk"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: nrf52840dk traces over its UART (UARTE0 (P0.06 TX, P0.08 RX; J-Link virtual "
            "COM port)) at 115200 baud; give --serial PORT, the USB serial adapter or debugger "
            "port it is wired to (tockctl devices lists them)\n");
}

TEST(BoardTraceLinkTest, AUsbBoardNeedsItsCdcAcmPort) {
  CliRun r = RunTockctl({"console", "--board", "nano33ble"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: nano33ble traces over its USB CDC-ACM serial port (2341:005a); give --serial "
            "/dev/ttyACMn (tockctl devices lists it)\n");
}

TEST(BoardTraceLinkTest, ALinkTockctlCannotReadIsNamed) {
  CliRun r = RunTockctl({"trace", "--board", "sma_q3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: sma_q3 traces over rtt, which tockctl cannot read; wire the tracer to a UART "
            "or USB serial port and give --serial PORT, or --tcp HOST:PORT\n");
}

// qemu_rv32_virt is flashed with the qemu method: its trace is QEMU's UART (none runs in this
// private runtime directory).
TEST(BoardTraceLinkTest, AQemuBoardReadsTheQemuUart) {
  TempDir dir;
  CliRun r = RunTockctlIn(dir.path(), {"trace", "--board", "qemu_rv32_virt", "--duration", "1"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(r.err.rfind("error: no QEMU started by tockctl is running (no " +
                            (dir.path() / "qemu.json").string() + ")",
                        0),
            0u)
      << r.err;
}

// A board file whose trace link runs at 230400 baud: --serial gets that rate unless --baud says.
TEST(BoardTraceLinkTest, ASerialSourceGetsTheLinksBaudRate) {
  TempDir dir;
  auto board = nlohmann::ordered_json::parse(
      ReadFile(SourceDir() / "firmware" / "qemu_demo" / "board.json"));
  board["board"]["trace"]["baud"] = 230400;
  const auto config = dir.Write("fast.json", board.dump(2));
  PtyPair pty;
  CliRun r = RunTockctl(
      {"trace", "--config", config.string(), "--serial", pty.slave_path(), "--duration", "0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("trace: reading serial " + pty.slave_path() + " @230400\n", 0), 0u)
      << r.err;
  r = RunTockctl({"trace", "--config", config.string(), "--serial", pty.slave_path(), "--baud",
                  "9600", "--duration", "0.2"});
  EXPECT_EQ(r.err.rfind("trace: reading serial " + pty.slave_path() + " @9600\n", 0), 0u) << r.err;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
