// `tockctl trace` run as a real process on the golden vectors (tests/fixtures/trace).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/test_support.h"
#include "tests/tracer/pcapng_reader.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::RunTockctl;
using testing::SourceDir;
using testing::TempDir;

std::string Fixture(const std::string& name) {
  return (SourceDir() / "tests/fixtures/trace" / name).string();
}

using ::tockctl::testing::Slurp;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TraceCommand, JsonOutputEqualsTheGoldenJsonLines) {
  for (const char* name : {"basic", "damaged", "overflow", "stress", "mixed", "mixed_damaged"}) {
    auto run = RunTockctl(
        {"-q", "trace", "--replay", Fixture(std::string(name) + ".bin"), "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, Slurp(Fixture(std::string(name) + ".jsonl"))) << name;
    EXPECT_EQ(run.err, "");
  }
}

// Console text (protocol v2) in every output of the real binary.
TEST(TraceCommand, ConsoleTextInTheTextViewAmongTheRecords) {
  auto run = RunTockctl({"-q", "trace", "--replay", Fixture("mixed.bin"), "--count", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = Lines(run.out);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "                console        | Initialization complete. Entering main loop");
  EXPECT_EQ(lines[1].substr(0, 21), "       TIME(s)  KIND ");
  EXPECT_EQ(lines[2].substr(16, 6), "hello ");
  EXPECT_EQ(lines[3], "                console        | tock$ ");
}

TEST(TraceCommand, ConsoleFiltersHideItOrShowOnlyIt) {
  auto hidden = RunTockctl(
      {"-q", "trace", "--replay", Fixture("mixed.bin"), "--format", "json", "--no-console"});
  ASSERT_EQ(hidden.exit_code, 0) << hidden.err;
  EXPECT_EQ(hidden.out, Slurp(Fixture("basic.jsonl")));
  auto only = RunTockctl(
      {"-q", "trace", "--replay", Fixture("mixed.bin"), "--format", "json", "--console-only"});
  ASSERT_EQ(only.exit_code, 0) << only.err;
  std::string expected;
  for (const std::string& line : Lines(Slurp(Fixture("mixed.jsonl")))) {
    if (line.rfind(R"({"type":"console")", 0) == 0) expected += line + "\n";
  }
  EXPECT_EQ(only.out, expected);
}

TEST(TraceCommand, StatisticsCountConsoleBytesAndLines) {
  auto run = RunTockctl({"trace", "--replay", Fixture("mixed.bin")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("\n  console 1557 bytes, 13 lines\n"), std::string::npos) << run.err;
}

// The statistics count the console text that was shown; the decoder's counters all that was read.
TEST(TraceCommand, HiddenConsoleIsReadButNotCountedAsShown) {
  auto run =
      RunTockctl({"trace", "--replay", Fixture("mixed.bin"), "--format", "json", "--no-console"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = Lines(run.out);
  ASSERT_FALSE(lines.empty());
  const auto stats = nlohmann::json::parse(lines.back());
  EXPECT_EQ(stats["console"], nlohmann::json::parse(R"({"bytes":0,"lines":0})"));
  EXPECT_EQ(stats["decoder"]["console_bytes"], 1557);
}

// The closing note of -o counts every packet it wrote: records and console text pieces.
TEST(TraceCommand, CaptureNoteCountsConsolePieces) {
  TempDir dir;
  const std::string pcap = (dir.path() / "mixed.pcapng").string();
  auto run = RunTockctl({"trace", "--replay", Fixture("mixed.bin"), "-o", pcap});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string bytes = Slurp(pcap);
  const auto capture = tracer::testing::ParseCapture({bytes.begin(), bytes.end()});
  const size_t console = Lines(Slurp(Fixture("mixed.jsonl"))).size() - 36;
  EXPECT_EQ(capture.packets.size(), 36 + console);
  EXPECT_NE(run.err.find("trace: wrote 36 records and " + std::to_string(console) +
                         " console text pieces to " + pcap + "\n"),
            std::string::npos)
      << run.err;
}

TEST(TraceCommand, HintWhenNothingDecodes) {
  TempDir dir;
  const fs::path console_only = dir.path() / "console.raw";
  std::ofstream(console_only, std::ios::binary)
      << "Initialization complete. Entering main loop\r\ntock$ ";
  auto run = RunTockctl({"trace", "--replay", console_only.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "                console        | Initialization complete. Entering main loop\n"
            "                console        | tock$ \n");
  EXPECT_EQ(
      run.err,
      "trace: reading replay " + console_only.string() +
          "\n"
          "trace: no trace frame in the first 51 bytes (they begin \"Initialization complete. "
          "Entering main loop\\r\\ntock$ \"); likely causes: the device sends console text "
          "only (its kernel has no tracer), the baud rate is wrong (try --baud), or this is "
          "not a tockctl trace stream\n"
          "trace statistics: 51 bytes read\n"
          "  records 0, lost (gap) 0, corrupt 0, oversize 0, device dropped 0, malformed 0, "
          "unknown type 0, other version 0, seq resets 0, disconnects 0\n"
          "  console 51 bytes, 2 lines\n");
}

TEST(TraceCommand, GlobalJsonFlagSelectsJsonLines) {
  auto run = RunTockctl({"--json", "-q", "trace", "--replay", Fixture("basic.bin")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, Slurp(Fixture("basic.jsonl")));
}

TEST(TraceCommand, JsonStatisticsAtExitCarryTheExpectedCounters) {
  for (const char* name : {"basic", "damaged", "overflow", "stress"}) {
    auto run =
        RunTockctl({"trace", "--replay", Fixture(std::string(name) + ".bin"), "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto lines = Lines(run.out);
    ASSERT_FALSE(lines.empty());
    const auto stats = nlohmann::ordered_json::parse(lines.back());
    EXPECT_EQ(stats["type"], "stats");
    std::string expected = Slurp(Fixture(std::string(name) + ".expect.json"));
    expected.pop_back();
    EXPECT_EQ(stats["decoder"].dump(), expected) << name;
    EXPECT_EQ(run.err, "trace: reading replay " + Fixture(std::string(name) + ".bin") + "\n");
  }
}

TEST(TraceCommand, TextViewLines) {
  auto run = RunTockctl({"-q", "trace", "--replay", Fixture("basic.bin"), "--count", "13"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 14u);
  EXPECT_EQ(
      lines[0],
      "       TIME(s)  KIND           WHO                                              BYTES  "
      "DETAILS");
  EXPECT_EQ(
      lines[3],
      "      0.001370  proc_start     net_server(0)                                           "
      "restart_count 0");
  EXPECT_EQ(
      lines[9],
      "      0.002310  ipc_send       sensor_client(1) -> net_server(0) net.udp#1         16  "
      "copy, conn 1, msg 1");
  EXPECT_EQ(
      lines[12],
      "      0.002542  rpc_return     net_server(0) -> sensor_client(1) net.udp#1          4  "
      "method 3, call 1, status 0, latency 140.0 us");
  EXPECT_EQ(
      lines[13],
      "      0.002612  mem_grant      sensor_client(1) -> net_server(0)                 4096  "
      "addr 0x80204000, r-");
}

TEST(TraceCommand, TextStatisticsAtExit) {
  auto run = RunTockctl({"trace", "--replay", Fixture("basic.bin"), "--ipc"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err,
            "trace: reading replay " + Fixture("basic.bin") +
                "\n"
                "trace statistics: 1935 bytes read\n"
                "  records 36, lost (gap) 0, corrupt 0, oversize 0, device dropped 3, malformed 0, "
                "unknown type 0, other version 0, seq resets 0, disconnects 0\n"
                "  SERVICE    MSGS  BYTES  COPY  COPY B  SHARED  SHARED B  RECV  RPC  ERR   RPC MIN"
                "   RPC P50   RPC P99   RPC MAX\n"
                "  net.udp#1     2   4112     1      16       1      4096     2    1    1  140.0 us"
                "  140.0 us  140.0 us  140.0 us\n");
}

TEST(TraceCommand, DamagedStreamStatistics) {
  auto run = RunTockctl({"trace", "--replay", Fixture("damaged.bin"), "--net"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto err = Lines(run.err);
  ASSERT_GE(err.size(), 5u);
  EXPECT_EQ(err[2],
            "  records 9, lost (gap) 2, corrupt 4, oversize 1, device dropped 0, malformed 2, "
            "unknown type 1, other version 1, seq resets 1, disconnects 0");
  EXPECT_EQ(err[3], "  unknown record types: 0x7f x1");
  EXPECT_EQ(err[4], "  INTERFACE  TX  TX BYTES  RX  RX BYTES  DROPS  DROP REASONS");
  EXPECT_EQ(err[5], "  eth0        1       250   1        42      1  reason 9 x1");
}

TEST(TraceCommand, FiltersByInterfaceProcessAndService) {
  auto iface = RunTockctl(
      {"-q", "trace", "--replay", Fixture("basic.bin"), "--format", "json", "--iface", "wpan0"});
  ASSERT_EQ(iface.exit_code, 0) << iface.err;
  std::vector<std::string> types;
  for (const auto& line : Lines(iface.out)) {
    types.push_back(nlohmann::json::parse(line)["type"]);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"net_up", "net_rx", "net_drop", "net_down"}));

  auto service = RunTockctl({"-q", "trace", "--replay", Fixture("basic.bin"), "--format", "json",
                             "--service", "net.udp", "--ipc"});
  for (const auto& line : Lines(service.out)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("service_id")) {
      EXPECT_EQ(j["service_id"], 1) << line;
    }
  }
  EXPECT_EQ(Lines(service.out).size(), 11u);

  auto process = RunTockctl({"-q", "trace", "--replay", Fixture("basic.bin"), "--format", "json",
                             "--process", "net_server", "--net"});
  types.clear();
  for (const auto& line : Lines(process.out)) types.push_back(nlohmann::json::parse(line)["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"net_tx", "net_deliver"}));
}

TEST(TraceCommand, CountLimitsRecords) {
  auto run = RunTockctl(
      {"-q", "trace", "--replay", Fixture("stress.bin"), "--format", "json", "--count", "7"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Lines(run.out).size(), 7u);
}

TEST(TraceCommand, CaptureWithoutFormatPrintsNoRecords) {
  TempDir dir;
  const std::string pcap = (dir.path() / "basic.pcapng").string();
  auto run = RunTockctl({"trace", "--replay", Fixture("basic.bin"), "-o", pcap});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("trace: wrote 36 records to " + pcap + "\n"), std::string::npos);
  EXPECT_GT(fs::file_size(pcap), 1000u);
}

TEST(TraceCommand, SaveRawWhileReplayingCopiesTheStream) {
  TempDir dir;
  const std::string raw = (dir.path() / "copy.raw").string();
  auto run = RunTockctl(
      {"-q", "trace", "--replay", Fixture("damaged.bin"), "--save-raw", raw, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(raw), Slurp(Fixture("damaged.bin")));
}

TEST(TraceCommand, UsageErrors) {
  auto none = RunTockctl({"trace"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err,
            "error: no trace source given; use one of --serial PATH, --usb VID:PID[:SERIAL], "
            "--tcp HOST:PORT, --qemu or --replay FILE\n");
  auto two = RunTockctl({"trace", "--replay", Fixture("basic.bin"), "--tcp", "127.0.0.1:1"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(two.err,
            "error: --tcp and --replay cannot be used together; give exactly one trace source\n");
  auto format = RunTockctl({"trace", "--replay", Fixture("basic.bin"), "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err, "error: --format: xml not in {text,json}; run with --help for usage\n");
}

TEST(TraceCommand, UnwritableCaptureIsAnIoError) {
  auto run = RunTockctl(
      {"-q", "trace", "--replay", Fixture("basic.bin"), "-o", "/nonexistent-dir/x.pcapng"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_EQ(run.err,
            "error: /nonexistent-dir/x.pcapng: cannot create capture file: No such file or "
            "directory; check that the directory exists and is writable\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(TraceCommand, RangeErrorsNameTheBoundReadably) {
  const std::string replay = (testing::SourceDir() / "tests/fixtures/trace/basic.bin").string();
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--count", "0"}, "--count: must be at least 1, got 0"},
      {{"--count", "-3"}, "--count: must be at least 1, got -3"},
      {{"--duration", "-1"}, "--duration: must be more than 0, got -1"},
      {{"--duration", "0"}, "--duration: must be more than 0, got 0"},
      {{"--stats-interval", "0"}, "--stats-interval: must be more than 0, got 0"},
      {{"--duration", "soon"}, "--duration: must be a number, got soon"},
  };
  for (const auto& [option, message] : cases) {
    std::vector<std::string> args = {"trace", "--replay", replay};
    args.insert(args.end(), option.begin(), option.end());
    const auto run = testing::RunTockctl(args);
    EXPECT_EQ(run.exit_code, 2) << option[0];
    EXPECT_EQ(run.err, "error: " + message + "; run with --help for usage\n");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

std::string BasicReplay() {
  return (testing::SourceDir() / "tests/fixtures/trace/basic.bin").string();
}

TEST(TraceCommand, WriteRefusesToReplaceAFileUnlessForced) {
  testing::TempDir dir;
  const auto existing = dir.Write("capture.pcapng", "keep me");
  auto run =
      testing::RunTockctl({"-q", "trace", "--replay", BasicReplay(), "-o", existing.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "error: " + existing.string() +
                         ": already exists; not overwriting it; use --force to replace it, or "
                         "choose another -o FILE\n");
  EXPECT_EQ(Slurp(existing.string()), "keep me");
  run = testing::RunTockctl(
      {"-q", "trace", "--replay", BasicReplay(), "-o", existing.string(), "--force"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(existing.string()).substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
}

TEST(TraceCommand, WriteDashSendsThePcapngToStdout) {
  testing::TempDir dir;
  const auto run =
      testing::RunTockctl({"trace", "--replay", BasicReplay(), "-o", "-"}, dir.path().string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_GE(run.out.size(), 28u);
  EXPECT_EQ(run.out.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));  // section header block
  EXPECT_FALSE(fs::exists(dir.path() / "-"));
  EXPECT_NE(run.err.find("trace: wrote 36 records to standard output\n"), std::string::npos)
      << run.err;
}

TEST(TraceCommand, WriteDashWithARecordViewIsAUsageError) {
  const std::string message =
      "error: -o - writes the capture to standard output, where the record view goes too; leave "
      "out --format (and --json) with -o -, or write the capture to a file\n";
  auto run =
      testing::RunTockctl({"trace", "--replay", BasicReplay(), "-o", "-", "--format", "text"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, message);
  run = testing::RunTockctl({"--json", "trace", "--replay", BasicReplay(), "-o", "-"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, message);
}

TEST(TraceCommand, JsonWithFormatTextIsAUsageError) {
  const auto run =
      testing::RunTockctl({"--json", "trace", "--replay", BasicReplay(), "--format", "text"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "error: --json asks for JSON on stdout, --format text for text; leave out one of them "
            "(--json alone prints JSON lines)\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
