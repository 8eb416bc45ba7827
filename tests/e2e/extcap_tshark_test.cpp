// Wireshark's extcap interface end to end (docs/extcap.md): real tshark 4.0 runs tockctl through
// the link `tockctl extcap --install` put into a private home, against the demo firmware in the
// QEMU that `tockctl flash` started. Every test stops QEMU (RecordedQemuGuard) and tshark
// (BackgroundProcess) whether it passes or not.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <set>

#include "tests/e2e/extcap_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using std::chrono::seconds;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Flashes the demo halted, starts `tshark ARGS` on tockctl-qemu, and starts the firmware once
// the capture has connected to QEMU's UART, so the capture begins with the boot.
std::unique_ptr<BackgroundProcess> CaptureFromBoot(const ExtcapHome& home,
                                                   const RecordedQemuGuard& qemu,
                                                   const std::vector<std::string>& args) {
  CliRun flash = home.FlashDemo({"--no-start"});
  EXPECT_EQ(flash.exit_code, 0) << flash.err;
  const uint16_t port = qemu.RecordedUartPort();
  std::vector<std::string> tshark_args{"-i", "tockctl-qemu"};
  tshark_args.insert(tshark_args.end(), args.begin(), args.end());
  auto tshark = home.StartTshark(tshark_args);
  EXPECT_TRUE(WaitForTcpClient(port, std::chrono::seconds(20))) << tshark->Stderr();
  CliRun start = home.FlashDemo({"--method", "gdb", "--verify-only"});
  EXPECT_EQ(start.exit_code, 0) << start.err;
  return tshark;
}

// The sequence number of every frame: tockctl.seq on tock-trace, the comment on eth0 and wpan0.
std::vector<uint64_t> SequenceNumbers(const ExtcapHome& home, const fs::path& capture) {
  CliRun r = home.Tshark({"-r", capture.string(), "-Y", "frame.interface_name != \"tock-console\"",
                          "-T", "fields", "-e", "tockctl.seq", "-e",
                          "frame.comment"});  // console text (v2) has no sequence number
  EXPECT_EQ(r.err, "");
  std::vector<uint64_t> seqs;
  const std::regex comment(R"(^\tseq (\d+), device time )");
  for (const std::string& line : SplitLines(r.out)) {
    std::smatch m;
    if (std::regex_search(line, m, comment)) {
      seqs.push_back(std::stoull(m[1]));
    } else {
      seqs.push_back(std::stoull(line.substr(0, line.find('\t'))));
    }
  }
  return seqs;
}

TEST(ExtcapTsharkTest, TsharkListsTheInterfaceOnceInstalled) {
  ExtcapHome home;
  const std::string extcap_dir = (home.dir() / "xdg" / "wireshark" / "extcap").string();
  EXPECT_TRUE(Contains(home.install().out, "linked " + extcap_dir + "/tockctl-extcap -> "))
      << home.install().out;
  CliRun listed = home.Tshark({"-D"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.out,
                       ". tockctl-qemu (tockctl: QEMU (not running; start it with tockctl "
                       "flash))\n"))
      << listed.out;

  RecordedQemuGuard qemu(home.runtime_dir());
  CliRun flash = home.FlashDemo({"--no-start"});
  ASSERT_EQ(flash.exit_code, 0) << flash.err;
  listed = home.Tshark({"-D"});
  EXPECT_TRUE(Contains(listed.out, ". tockctl-qemu (tockctl: QEMU qemu_rv32_virt (UART 127.0.0.1:" +
                                       std::to_string(qemu.RecordedUartPort()) + "))\n"))
      << listed.out;

  CliRun removed = home.Tockctl({"extcap", "--uninstall"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_FALSE(Contains(home.Tshark({"-D"}).out, "tockctl"));
}

TEST(ExtcapTsharkTest, LiveCaptureFromTheQemuDemoDecodes) {
  ExtcapHome home;
  RecordedQemuGuard qemu(home.runtime_dir());
  const fs::path capture = home.dir() / "live.pcapng";
  auto tshark = CaptureFromBoot(home, qemu, {"-c", "400", "-w", capture.string()});
  ASSERT_EQ(tshark->Wait(seconds(60)), 0) << tshark->Stderr();
  EXPECT_FALSE(Contains(tshark->Stderr(), "Error by extcap pipe")) << tshark->Stderr();

  CliRun interfaces =
      home.Tshark({"-r", capture.string(), "-T", "fields", "-e", "frame.interface_name"});
  std::map<std::string, int> per_interface = CountLines(SplitLines(interfaces.out));

  // 400 frames: the console's text (protocol v2) and every record from the boot on, with
  // consecutive sequence numbers from HELLO.
  std::vector<uint64_t> seqs = SequenceNumbers(home, capture);
  ASSERT_EQ(seqs.size() + static_cast<size_t>(per_interface["tock-console"]), 400u);
  for (size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i) << "frame " << i + 1;
  EXPECT_EQ(per_interface.size(), 4u);
  for (const char* name : {"tock-console", "tock-trace", "eth0", "wpan0"})
    EXPECT_GT(per_interface[name], 0) << name;

  // The installed dissector decodes the records: HELLO first (after the boot banner on the
  // console), processes and services by name.
  CliRun records = home.Tshark({"-r", capture.string(), "-Y", "tockctl.type", "-T", "fields", "-e",
                                "tockctl.type", "-e", "tockctl.board"});
  EXPECT_EQ(SplitLines(records.out).at(0), "0x01\tqemu_rv32_virt");
  CliRun processes = home.Tshark({"-r", capture.string(), "-Y", "tockctl.type == 0x10", "-T",
                                  "fields", "-e", "tockctl.proc.name"});
  const std::vector<std::string> names = SplitLines(processes.out);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()),
            (std::set<std::string>{"net_service", "sensor_client", "logger_client", "rpc_client"}));
  CliRun services = home.Tshark({"-r", capture.string(), "-Y", "tockctl.type == 0x20", "-T",
                                 "fields", "-e", "tockctl.service_name"});
  EXPECT_EQ(SplitLines(services.out).at(0), "net.svc");
  EXPECT_EQ(SplitLines(services.out).at(1), "kv.store");

  // Wireshark's own dissectors: IPv6/UDP with good checksums on eth0, 802.15.4 on wpan0.
  CliRun udp =
      home.Tshark({"-r", capture.string(), "-o", "udp.check_checksum:TRUE", "-Y", "udp && eth",
                   "-T", "fields", "-e", "ipv6.src", "-e", "udp.checksum.status"});
  std::map<std::string, int> udp_lines = CountLines(SplitLines(udp.out));
  EXPECT_GT(udp_lines["fd00::2\t1"], 0) << udp.out;  // device to host
  EXPECT_GT(udp_lines["fd00::1\t1"], 0) << udp.out;  // host to device
  for (const auto& [line, count] : udp_lines) EXPECT_TRUE(line.ends_with("\t1")) << line;
  CliRun wpan =
      home.Tshark({"-r", capture.string(), "-Y", "wpan", "-T", "fields", "-e", "wpan.dst_pan"});
  EXPECT_EQ(CountLines(SplitLines(wpan.out)).size(), 1u) << wpan.out;
  EXPECT_EQ(SplitLines(wpan.out).at(0), "0xabcd");
  CliRun malformed =
      home.Tshark({"-r", capture.string(), "-Y", "_ws.malformed || tockctl.malformed"});
  EXPECT_EQ(malformed.out, "");
  EXPECT_EQ(malformed.err, "");
}

TEST(ExtcapTsharkTest, AQemuThatGoesAwayEndsTheCaptureWithTockctlsError) {
  ExtcapHome home;
  RecordedQemuGuard qemu(home.runtime_dir());
  const fs::path capture = home.dir() / "gone.pcapng";
  auto tshark = CaptureFromBoot(
      home, qemu, {"-l", "-P", "-T", "fields", "-e", "frame.number", "-w", capture.string()});
  ASSERT_TRUE(tshark->WaitForStdout(
      [](const std::string& out) { return SplitLines(out).size() >= 20; }, seconds(20)))
      << tshark->Stderr();
  const uint16_t port = qemu.RecordedUartPort();
  ASSERT_EQ(::kill(qemu.RecordedPid(), SIGKILL), 0);

  ASSERT_TRUE(tshark->Wait(seconds(20))) << tshark->Stderr();
  EXPECT_TRUE(Contains(tshark->Stderr(),
                       "tshark: Error by extcap pipe: error: the trace source went away: tcp "
                       "127.0.0.1:" +
                           std::to_string(port) +
                           ": the peer closed the connection (tockctl-qemu: capture); start the "
                           "capture again when it is back, or tick Reconnect in the interface "
                           "options\n"))
      << tshark->Stderr();
  CliRun read = home.Tshark({"-r", capture.string(), "-T", "fields", "-e", "frame.number"});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.err, "");
  EXPECT_EQ(SplitLines(read.out).size(), SplitLines(tshark->Stdout()).size());
}

// Sequence numbers of the frames tshark printed so far (-T fields -e tockctl.seq -e
// frame.comment).
std::vector<uint64_t> PrintedSequenceNumbers(const std::string& out) {
  std::vector<uint64_t> seqs;
  const std::regex fields(R"(^(\d*)\t(seq (\d+),)?)");
  for (const std::string& line : SplitLines(out)) {
    std::smatch m;
    if (!std::regex_search(line, m, fields)) continue;
    if (m[1].length() > 0) seqs.push_back(std::stoull(m[1]));
    if (m[3].matched) seqs.push_back(std::stoull(m[3]));
  }
  return seqs;
}

// True once a sequence number went back: the records of a rebooted device.
bool SequenceWentBack(const std::string& out) {
  std::vector<uint64_t> seqs = PrintedSequenceNumbers(out);
  for (size_t i = 1; i < seqs.size(); ++i) {
    if (seqs[i] < seqs[i - 1]) return true;
  }
  return false;
}

// With Reconnect (set as tshark sets extcap options: a preference), the capture follows QEMU to
// the new UART port of a second `tockctl flash`, which restarts it: the new firmware's records
// (their sequence numbers start again) arrive in the same capture.
TEST(ExtcapTsharkTest, WithReconnectTheCaptureFollowsANewQemu) {
  ExtcapHome home;
  RecordedQemuGuard qemu(home.runtime_dir());
  const fs::path capture = home.dir() / "follow.pcapng";
  auto tshark =
      CaptureFromBoot(home, qemu,
                      {"-o", "extcap.tockctl_qemu.reconnect:true", "-l", "-P", "-T", "fields", "-e",
                       "tockctl.seq", "-e", "frame.comment", "-w", capture.string()});
  ASSERT_TRUE(tshark->WaitForStdout(
      [](const std::string& out) { return PrintedSequenceNumbers(out).size() >= 100; },
      seconds(20)))
      << tshark->Stderr();
  EXPECT_FALSE(SequenceWentBack(tshark->Stdout()));
  const uint16_t first_port = qemu.RecordedUartPort();

  CliRun again = home.FlashDemo({});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(qemu.RecordedUartPort(), first_port);
  EXPECT_TRUE(tshark->WaitForStdout(SequenceWentBack, seconds(20))) << tshark->Stdout();
  tshark->Signal(SIGINT);
  EXPECT_EQ(tshark->Wait(seconds(20)), 0) << tshark->Stderr();
  EXPECT_FALSE(Contains(tshark->Stderr(), "Error by extcap pipe")) << tshark->Stderr();
  CliRun read = home.Tshark({"-r", capture.string(), "-T", "fields", "-e", "frame.number"});
  EXPECT_EQ(read.err, "");
  EXPECT_GE(SplitLines(read.out).size(), 100u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
