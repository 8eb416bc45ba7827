// End-to-end checks of `tockctl trace -w`: tshark's own dissectors read the frames tockctl wrote,
// the Lua dissector decodes the IPC records, and the file stays valid when tockctl is stopped by
// SIGTERM or SIGINT in the middle of a trace.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "common/process.h"
#include "tests/support/test_support.h"
#include "tests/trace_encoding/sample_stream.h"
#include "tests/tracer/pcapng_reader.h"
#include "tests/tracer/trace_test_util.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using tockctl::testing::RunTockctl;
using tockctl::testing::SourceDir;
using tockctl::testing::TempDir;

fs::path LuaScript() { return SourceDir() / "tracer/dissector/tockctl_ipc.lua"; }

void WriteBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A short stream: preamble, one UDP frame, one 802.15.4 frame with its delivery, one IPC exchange.
std::vector<uint8_t> SmallStream() {
  SampleStream s;
  std::vector<uint8_t> wire;
  s.AppendPreamble(wire);
  s.AppendUdpTx(wire, 100);
  s.AppendRadioRx(wire);
  s.AppendIpcExchange(wire);
  s.AppendDrop(wire);
  return wire;
}

class TraceCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FindProgram("tshark")) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
  }

  // Runs tshark on `capture` with `args`; returns stdout and fails the test on a non-zero exit.
  std::string Tshark(const fs::path& capture, std::vector<std::string> args, bool lua = false) {
    ProcessSpec spec;
    spec.argv = {"tshark", "-r", capture.string()};
    if (lua) spec.argv.push_back("-Xlua_script:" + LuaScript().string());
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.timeout = std::chrono::seconds(60);
    PosixProcessRunner runner;
    ProcessResult r = runner.Run(spec);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.stderr_text.find("cut short"), std::string::npos) << r.stderr_text;
    return r.stdout_text;
  }

  fs::path Capture(const std::vector<uint8_t>& wire) {
    const fs::path bin = dir_.path() / "stream.bin";
    const fs::path pcap = dir_.path() / "capture.pcapng";
    WriteBytes(bin, wire);
    auto run = RunTockctl({"-q", "trace", "--replay", bin.string(), "-o", pcap.string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "");
    return pcap;
  }

  // Packets tshark finds in `capture`.
  size_t TsharkCount(const fs::path& capture) {
    const std::string out = Tshark(capture, {"-T", "fields", "-e", "frame.number"});
    return static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  }

  // Starts `tockctl trace` replaying a long stream at UART speed, waits until the capture holds
  // packets, sends `sig`, and checks the exit, the file, and the statistics printed at exit.
  void StopWithSignal(int sig) {
    SampleStream s;
    std::vector<uint8_t> wire;
    s.AppendPreamble(wire);
    s.AppendMix(wire, 2 * 1024 * 1024);  // tens of seconds at 921600 baud
    const fs::path bin = dir_.path() / "long.bin";
    const fs::path pcap = dir_.path() / "long.pcapng";
    WriteBytes(bin, wire);
    ProcessSpec spec;
    spec.argv = {TOCKCTL_BINARY, "trace",  "--replay", bin.string(),
                 "--baud",       "921600", "-o",       pcap.string()};
    PosixProcessRunner runner;
    auto child = runner.Spawn(spec, (dir_.path() / "trace.log").string());
    size_t packets = 0;  // wait (bounded) until the capture holds a few packets
    for (int i = 0; i < 600 && packets < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (fs::exists(pcap)) packets = testing::ParseCapture(ReadBytes(pcap)).packets.size();
    }
    ASSERT_GE(packets, 20u) << "the capture never grew";
    EXPECT_GT(TsharkCount(pcap), 0u);  // readable while tockctl is still writing it
    ASSERT_EQ(::kill(child->pid(), sig), 0);
    for (int i = 0; i < 100 && child->Running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(child->Stop(), 0);
    const auto cap = testing::ParseCapture(ReadBytes(pcap));
    EXPECT_GE(cap.packets.size(), packets);
    EXPECT_EQ(TsharkCount(pcap), cap.packets.size());
    std::ifstream log(dir_.path() / "trace.log");
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    EXPECT_NE(text.find("trace statistics:"), std::string::npos) << text;
    EXPECT_NE(text.find("trace: wrote " + std::to_string(cap.packets.size()) + " records"),
              std::string::npos)
        << text;
  }

  TempDir dir_;
};

TEST_F(TraceCapture, TsharkDecodesEthernetIpv6Udp) {
  const fs::path pcap = Capture(SmallStream());
  EXPECT_EQ(Tshark(pcap, {"-Y", "udp", "-T", "fields", "-e", "frame.interface_name", "-e",
                          "eth.src", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "udp.srcport", "-e",
                          "udp.dstport", "-e", "udp.length"}),
            "eth0\t02:00:00:00:00:01\tfe80::1\tfe80::fe\t49152\t5683\t108\n");
}

TEST_F(TraceCapture, FramesCarrySeqAndDeviceTimeComments) {
  const fs::path pcap = Capture(SmallStream());
  const std::string out =
      Tshark(pcap, {"-Y", "eth || wpan", "-T", "fields", "-e", "frame.comment"});
  EXPECT_EQ(out.substr(0, out.find('\n')), "seq 9, device time 0.000731000 s");
}

TEST_F(TraceCapture, TsharkDecodesIeee802154WithoutFcs) {
  const fs::path pcap = Capture(SmallStream());
  EXPECT_EQ(Tshark(pcap, {"-Y", "wpan", "-T", "fields", "-e", "frame.interface_name", "-e",
                          "wpan.dst_pan", "-e", "wpan.dst16", "-e", "wpan.src16"}),
            "wpan0\t0xabcd\t0xffff\t0x0001\n");
}

TEST_F(TraceCapture, InterfacesHaveTheRightLinkTypesAndNanosecondResolution) {
  const fs::path pcap = Capture(SmallStream());
  const std::string out = Tshark(pcap, {"-T", "fields", "-e", "frame.interface_name", "-e",
                                        "frame.encap_type", "-Y", "frame.number <= 11"});
  EXPECT_EQ(out.substr(0, out.find('\n')), "tock-trace\t45");  // wtap encap 45 = USER0
  const auto cap = testing::ParseCapture(ReadBytes(pcap));
  ASSERT_EQ(cap.interfaces.size(), 3u);
  EXPECT_EQ(cap.interfaces[0].linktype, 147);
  EXPECT_EQ(cap.interfaces[1].linktype, 1);
  EXPECT_EQ(cap.interfaces[2].linktype, 230);
  EXPECT_EQ(Tshark(pcap, {"-T", "fields", "-e", "frame.time_epoch", "-c", "1"}).find('.'),
            10u);  // seconds.nanoseconds
}

TEST_F(TraceCapture, LuaDissectorDecodesIpcRecords) {
  const fs::path pcap = Capture(SmallStream());
  EXPECT_EQ(Tshark(pcap, {"-Y", "tockctl.type >= 0x24 && tockctl.type <= 0x27",
                          "-T", "fields",
                          "-e", "tockctl.type",
                          "-e", "tockctl.seq",
                          "-e", "tockctl.service_id",
                          "-e", "tockctl.src_pid",
                          "-e", "tockctl.dst_pid",
                          "-e", "tockctl.len",
                          "-e", "tockctl.mode",
                          "-e", "tockctl.call_id",
                          "-e", "tockctl.status"},
                   true),
            "0x24\t12\t2\t1\t0\t88\t0\t\t\n"
            "0x25\t13\t2\t1\t0\t88\t0\t\t\n"
            "0x26\t14\t2\t\t\t\t\t1\t\n"
            "0x27\t15\t2\t\t\t\t\t1\t0\n");
  EXPECT_EQ(Tshark(pcap,
                   {"-Y", "tockctl.type == 0x20", "-T", "fields", "-e", "tockctl.server_pid", "-e",
                    "tockctl.service_id", "-e", "tockctl.service_name"},
                   true),
            "0\t1\tnet.udp\n0\t2\tkv.store\n");
  EXPECT_EQ(Tshark(pcap,
                   {"-Y", "tockctl.type == 0x01", "-T", "fields", "-e", "tockctl.tick_hz", "-e",
                    "tockctl.board", "-e", "tockctl.iface.name", "-e", "tockctl.iface.linktype"},
                   true),
            "1000000\tqemu_rv32_virt\teth0,wpan0\t1,230\n");
  EXPECT_EQ(Tshark(pcap,
                   {"-Y", "tockctl.type == 0x44", "-T", "fields", "-e", "tockctl.iface_id", "-e",
                    "tockctl.direction", "-e", "tockctl.drop.reason", "-e", "tockctl.orig_len",
                    "-e", "ipv6.dst"},
                   true),
            "0\t0\t0\t82\tfe80::fe\n");
  EXPECT_EQ(Tshark(pcap,
                   {"-Y", "tockctl.type == 0x45", "-T", "fields", "-e", "tockctl.rx_seq", "-e",
                    "tockctl.deliver.pid"},
                   true),
            "10\t0,1\n");
  EXPECT_EQ(Tshark(pcap, {"-Y", "tockctl.malformed"}, true), "");
}

TEST_F(TraceCapture, GoldenVectorsDecodeInTshark) {
  const fs::path basic = SourceDir() / "tests/fixtures/trace/basic.bin";
  ASSERT_TRUE(fs::exists(basic)) << basic << " is missing: the golden vectors are part of the tree";
  const fs::path pcap = dir_.path() / "basic.pcapng";
  auto run = RunTockctl({"-q", "trace", "--replay", basic.string(), "-o", pcap.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Every record is one packet: 36 in basic.jsonl.
  const std::string seqs = Tshark(pcap, {"-T", "fields", "-e", "tockctl.seq"}, true);
  EXPECT_EQ(std::count(seqs.begin(), seqs.end(), '\n'), 36);
  EXPECT_EQ(Tshark(pcap, {"-Y", "wpan", "-T", "fields", "-e", "wpan.dst_pan", "-e", "wpan.src16"}),
            "0xabcd\t0x0001\n");
  EXPECT_EQ(Tshark(pcap, {"-Y", "arp", "-T", "fields", "-e", "arp.src.proto_ipv4", "-e",
                          "arp.dst.proto_ipv4"}),
            "192.168.1.2\t192.168.1.1\n192.168.1.1\t192.168.1.2\n");
  EXPECT_EQ(Tshark(pcap,
                   {"-Y", "tockctl.type == 0x22", "-T", "fields", "-e", "tockctl.client_pid", "-e",
                    "tockctl.conn_id", "-e", "tockctl.reliable", "-e", "tockctl.authenticated"},
                   true),
            "1\t1\t1\t0\n");
  EXPECT_EQ(Tshark(pcap, {"-Y", "tockctl.malformed"}, true), "");
}

// Console text (protocol v2) goes to a tock-console interface (LINKTYPE_USER1) that the Lua
// dissector shows, one packet per piece, in order with the records.
TEST_F(TraceCapture, ConsoleTextIsInTheCaptureAndTheDissectorShowsIt) {
  const fs::path mixed = SourceDir() / "tests/fixtures/trace/mixed.bin";
  const fs::path pcap = dir_.path() / "mixed.pcapng";
  auto run = RunTockctl({"-q", "trace", "--replay", mixed.string(), "-o", pcap.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string ifaces = Tshark(pcap, {"-T", "fields", "-e", "frame.interface_name"});
  EXPECT_EQ(std::count(ifaces.begin(), ifaces.end(), '\n'), 36 + 21) << ifaces;
  const std::string text = Tshark(
      pcap,
      {"-Y", "tockctl_console", "-T", "fields", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"},
      true);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 21) << text;
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "TOCK-CONSOLE\tInitialization complete. Entering main loop..");
  EXPECT_NE(text.find("TOCK-CONSOLE\ttock$ \n"), std::string::npos) << text;
}

// A HELLO whose board and interface names are not UTF-8: pcapng options must be UTF-8, so the
// bytes become U+FFFD there, as in the JSON view.
TEST_F(TraceCapture, InvalidUtf8FromTheDeviceBecomesReplacementCharacters) {
  const InterfaceInfo eth{0, 1, 1, 1500, 0, {}, "et\xffh\xc3"};
  const InterfaceInfo ifaces[] = {eth};
  std::vector<uint8_t> wire = {0};
  testing::Append(wire, testing::Frame(RecordType::kHello, 0, 0,
                                       Hello{1000000, 2048, "bo\xe2\x82rd", "2.2", ifaces}));
  testing::Append(wire, testing::Frame(RecordType::kNetUp, 1, 10, NetUp{0}));
  const fs::path pcap = Capture(wire);
  const auto cap = testing::ParseCapture(ReadBytes(pcap));
  // tock-trace, tock-console (protocol v2) and the device's Ethernet interface.
  ASSERT_EQ(cap.interfaces.size(), 3u);
  const auto eth_iface = std::find_if(cap.interfaces.begin(), cap.interfaces.end(),
                                      [](const auto& i) { return i.linktype == 1; });
  ASSERT_NE(eth_iface, cap.interfaces.end());
  EXPECT_EQ(eth_iface->Option(2), "et\uFFFDh\uFFFD");
  EXPECT_EQ(eth_iface->Option(3), "Tock bo\uFFFDrd et\uFFFDh\uFFFD (ethernet, mtu 1500)");
  EXPECT_NE(Tshark(pcap, {"-T", "fields", "-e", "frame.interface_name"}).find("tock-trace\n"),
            std::string::npos);
}

// A disk that fills up mid-capture, played by a file size limit (RLIMIT_FSIZE, with SIGXFSZ
// ignored so write() fails with EFBIG as on a full disk): the file is cut back to its last whole
// block, the statistics are still printed, and the error says what happened.
TEST_F(TraceCapture, AFullDiskLeavesWholeBlocksStatisticsAndOneErrorLine) {
  SampleStream s;
  std::vector<uint8_t> wire;
  s.AppendPreamble(wire);
  s.AppendMix(wire, 2 * 1024 * 1024);
  const fs::path bin = dir_.path() / "long.bin";
  const fs::path pcap = dir_.path() / "full.pcapng";
  WriteBytes(bin, wire);
  ProcessSpec spec;
  spec.argv = {"bash",       "-c",           "trap '' XFSZ; ulimit -f 600; exec \"$@\"",
               "bash",       TOCKCTL_BINARY, "trace",
               "--replay",   bin.string(),   "-o",
               pcap.string()};
  PosixProcessRunner runner;
  const ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.exit_code, 4) << r.stderr_text;
  const auto size = fs::file_size(pcap);
  EXPECT_GT(size, 0u);
  EXPECT_LT(size, 600u * 1024u);
  const auto cap = testing::ParseCapture(ReadBytes(pcap));  // whole blocks only
  EXPECT_GT(cap.packets.size(), 0u);
  EXPECT_EQ(TsharkCount(pcap), cap.packets.size());  // and no "cut short" (Tshark checks)
  EXPECT_NE(r.stderr_text.find("trace statistics:"), std::string::npos) << r.stderr_text;
  const std::string last_line =
      "error: " + pcap.string() +
      ": cannot write capture file: File too large; it was cut back to its last whole block (" +
      std::to_string(size) +
      " bytes) and stays readable; free space on the disk, or write the capture elsewhere\n";
  ASSERT_GE(r.stderr_text.size(), last_line.size());
  EXPECT_EQ(r.stderr_text.substr(r.stderr_text.size() - last_line.size()), last_line);
}

TEST_F(TraceCapture, SigtermLeavesAValidCapture) { StopWithSignal(SIGTERM); }

TEST_F(TraceCapture, SigintLeavesAValidCapture) { StopWithSignal(SIGINT); }

TEST_F(TraceCapture, SighupLeavesAValidCaptureAndStatistics) { StopWithSignal(SIGHUP); }

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
