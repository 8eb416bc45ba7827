// The demo's QEMU going away under `tockctl trace --qemu` (text view, as a user runs it): killed
// with SIGKILL, the trace says so in one status line and the capture file stays whole; restarted
// on the same UART port, the trace picks it up again and records flow on.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <string>

#include "tests/e2e/demo_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::seconds;

// Record lines of the text view: everything on stdout but its header line.
std::vector<std::string> RecordLines(const std::string& out) {
  std::vector<std::string> lines = SplitLines(out);
  if (!lines.empty() && lines[0].find("TIME(s)") != std::string::npos) lines.erase(lines.begin());
  return lines;
}

bool HasRecords(const std::string& out, size_t count) { return RecordLines(out).size() >= count; }

// Builds the demo firmware and starts it in QEMU with `tockctl flash`; returns the UART port.
uint16_t BuildAndFlash(const DemoWorkspace& ws, const RecordedQemuGuard& qemu) {
  CliRun build = ws.Build();
  EXPECT_EQ(build.exit_code, 0) << build.err;
  CliRun flash = ws.Flash({});
  EXPECT_EQ(flash.exit_code, 0) << flash.err;
  return qemu.RecordedUartPort();
}

// tshark reads the whole capture without complaint (a cut-short block would be an error) and
// finds as many frames as the trace says it wrote: records and console text pieces.
void ExpectWholeCapture(const fs::path& capture, const std::string& trace_err) {
  const std::regex wrote(
      R"(trace: wrote (\d+) records(?: and (\d+) console text pieces)? to (.*)\n)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(trace_err, m, wrote)) << trace_err;
  EXPECT_EQ(m[3], capture.string());
  const size_t packets = std::stoul(m[1]) + (m[2].matched ? std::stoul(m[2]) : 0);
  CliRun r = RunTshark({"-r", capture.string(), "-T", "fields", "-e", "frame.number"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(SplitLines(r.out).size(), packets);
}

TEST(DemoLinkLossTest, QemuKilledEndsTraceWithNoReconnectAndCaptureStaysReadable) {
  DemoWorkspace ws;
  RecordedQemuGuard qemu(ws.runtime_dir());
  uint16_t port = BuildAndFlash(ws, qemu);
  ASSERT_NE(port, 0);
  fs::path capture = ws.dir() / "gone.pcapng";
  auto trace =
      StartTrace(ws, {"--qemu", "--no-reconnect", "--format", "text", "-o", capture.string()});
  ASSERT_TRUE(
      trace->WaitForStdout([](const std::string& out) { return HasRecords(out, 50); }, seconds(20)))
      << trace->Stderr();

  ASSERT_EQ(::kill(qemu.RecordedPid(), SIGKILL), 0);
  EXPECT_EQ(trace->Wait(seconds(10)), 0) << trace->Stderr();

  std::string err = trace->Stderr();
  EXPECT_NE(err.find("\ntrace: link lost: tcp 127.0.0.1:" + std::to_string(port) +
                     ": the peer closed the connection\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(", disconnects 1\n"), std::string::npos) << err;
  ExpectWholeCapture(capture, err);
  CliRun status = ws.Tockctl({"qemu", "status", "--json"});
  EXPECT_NE(status.out.find("\"stale\":true"), std::string::npos) << status.out;
}

TEST(DemoLinkLossTest, QemuRestartedOnTheSameUartPortIsPickedUpAgain) {
  DemoWorkspace ws;
  RecordedQemuGuard qemu(ws.runtime_dir());
  uint16_t port = BuildAndFlash(ws, qemu);
  ASSERT_NE(port, 0);
  fs::path capture = ws.dir() / "restart.pcapng";
  auto trace = StartTrace(ws, {"--qemu", "--format", "text", "-o", capture.string()});
  ASSERT_TRUE(
      trace->WaitForStdout([](const std::string& out) { return HasRecords(out, 50); }, seconds(20)))
      << trace->Stderr();

  ASSERT_EQ(::kill(qemu.RecordedPid(), SIGKILL), 0);
  std::string endpoint = "127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(trace->WaitForStderr(
      "\ntrace: link lost: tcp " + endpoint + ": the peer closed the connection; reconnecting\n",
      seconds(10)))
      << trace->Stderr();
  size_t before = RecordLines(trace->Stdout()).size();

  QemuOnPort restarted(ws.KernelElf(), port);
  ASSERT_TRUE(
      trace->WaitForStderr("\ntrace: link up: reconnected to " + endpoint + "\n", seconds(10)))
      << trace->Stderr();
  // The firmware sends HELLO every 1.5 s: wait for one from the new QEMU, and records after it.
  ASSERT_TRUE(trace->WaitForStdout(
      [before](const std::string& out) {
        std::vector<std::string> lines = RecordLines(out);
        for (size_t i = before; i < lines.size(); ++i) {
          if (lines[i].find("  hello          qemu_rv32_virt ") != std::string::npos)
            return lines.size() >= i + 50;
        }
        return false;
      },
      seconds(20)))
      << trace->Stderr();
  trace->Signal(SIGTERM);
  EXPECT_EQ(trace->Wait(seconds(10)), 0) << trace->Stderr();

  std::string err = trace->Stderr();
  EXPECT_NE(err.find(", corrupt 0,"), std::string::npos) << err;
  EXPECT_NE(err.find(", disconnects 1\n"), std::string::npos) << err;
  ExpectWholeCapture(capture, err);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
