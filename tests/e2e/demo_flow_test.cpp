// The embedded default end to end (docs/demo.md): `tockctl build` builds the demo firmware from
// the Tock-shaped tree, `tockctl flash` starts QEMU and writes it through the gdb back-end,
// `tockctl trace --qemu` streams it live into JSON Lines and a pcapng file, and tshark (with and
// without the Lua dissector) reads that file back; `tockctl qemu stop` ends QEMU.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "common/file_io.h"
#include "tests/e2e/demo_e2e_support.h"
#include "tests/e2e/flash_e2e_support.h"

namespace tockctl::testing {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

const char* kRecordsShown = "600";  // about 4 s of the demo: boot, a client fault, wpan0 down

// Record type numbers of docs/trace-protocol.md section 5, as the Lua dissector shows them.
const std::map<std::string, std::string> kTypeNumbers = {
    {"hello", "0x01"},          {"log", "0x02"},          {"overflow", "0x03"},
    {"proc_start", "0x10"},     {"proc_fault", "0x11"},   {"proc_restart", "0x12"},
    {"ipc_register", "0x20"},   {"ipc_discover", "0x21"}, {"ipc_connect", "0x22"},
    {"ipc_disconnect", "0x23"}, {"ipc_send", "0x24"},     {"ipc_recv", "0x25"},
    {"rpc_call", "0x26"},       {"rpc_return", "0x27"},   {"mem_grant", "0x28"},
    {"mem_revoke", "0x29"},     {"upcall", "0x2a"},       {"net_up", "0x40"},
    {"net_down", "0x41"},       {"net_tx", "0x42"},       {"net_rx", "0x43"},
    {"net_drop", "0x44"},       {"net_deliver", "0x45"}};

bool IsFrame(const json& record) {
  return record["type"] == "net_tx" || record["type"] == "net_rx";
}

// What one traced run produced: the records and the final statistics from stdout, the capture.
struct TracedRun {
  std::vector<json> records;
  std::vector<std::string> console;  ///< The console pieces ({"type":"console"}), in order.
  json stats;
  fs::path capture;
  std::string trace_err;
};

// build -> flash --no-start -> trace --qemu (JSON, -w) -> flash --method gdb --verify-only (starts
// the firmware once the trace listens, so it sees the boot) -> trace ends at --count -> qemu stop.
TracedRun RunDemoFlow(const DemoWorkspace& ws) {
  TracedRun run;
  run.capture = ws.dir() / "demo.pcapng";
  RecordedQemuGuard qemu(ws.runtime_dir());
  CliRun build = ws.Build();
  EXPECT_EQ(build.exit_code, 0) << build.err;
  EXPECT_NE(build.err.find("build finished: 0 errors, 0 warnings"), std::string::npos) << build.err;
  CliRun flash = ws.Flash({"--no-start"});
  EXPECT_EQ(flash.exit_code, 0) << flash.err;
  EXPECT_NE(flash.err.find("via qemu in"), std::string::npos) << flash.err;
  EXPECT_NE(flash.err.find(", verified, left halted"), std::string::npos) << flash.err;
  uint16_t uart = qemu.RecordedUartPort();
  EXPECT_NE(uart, 0);
  auto trace = StartTrace(
      ws, {"--qemu", "--format", "json", "-o", run.capture.string(), "--count", kRecordsShown});
  EXPECT_TRUE(trace->WaitForStderr(
      "trace: reading QEMU UART tcp 127.0.0.1:" + std::to_string(uart) + "\n", seconds(10)))
      << trace->Stderr();
  CliRun start = ws.Flash({"--method", "gdb", "--verify-only"});
  EXPECT_EQ(start.exit_code, 0) << start.err;
  EXPECT_NE(start.err.find("via gdb in"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find(", verified, resumed"), std::string::npos) << start.err;
  EXPECT_EQ(trace->Wait(seconds(30)), 0) << trace->Stderr();
  int pid = qemu.RecordedPid();
  CliRun stop = ws.Tockctl({"qemu", "stop"});
  EXPECT_EQ(stop.err, "Stopped QEMU pid " + std::to_string(pid) + "\n");
  for (const json& j : ParseJsonLines(trace->Stdout())) {
    if (j.contains("seq")) run.records.push_back(j);
    if (j["type"] == "console") run.console.push_back(j["text"]);
    if (j["type"] == "stats") run.stats = j;
  }
  run.trace_err = trace->Stderr();
  return run;
}

// Frames per pcapng interface name as the trace itself counted them (JSON records).
std::map<std::string, int> FramesPerInterface(const std::vector<json>& records) {
  std::map<std::string, std::string> names;
  for (const json& iface : records.at(0)["interfaces"])
    names[std::to_string(iface["iface_id"].get<int>())] = iface["name"];
  std::map<std::string, int> frames;
  for (const json& r : records) {
    if (IsFrame(r))
      ++frames[names.at(std::to_string(r["iface_id"].get<int>()))];
    else
      ++frames["tock-trace"];
  }
  return frames;
}

void CheckSameFirmwareAsTheCMakeBuild(const DemoWorkspace& ws) {
  fs::path bin = ws.KernelElf().replace_extension(".bin");
  fs::path cmake_bin = BuildDir() / "firmware" / "qemu_demo.bin";
  if (!fs::exists(cmake_bin)) return;  // built only with TOCKCTL_FIRMWARE
  EXPECT_EQ(ReadFile(bin), ReadFile(cmake_bin));
}

void CheckBootAndEveryRecordInOrder(const TracedRun& run) {
  const auto& records = run.records;
  ASSERT_EQ(records.size(), std::stoul(kRecordsShown)) << run.trace_err;
  EXPECT_EQ(records[0]["type"], "hello");
  EXPECT_EQ(records[0]["board"], "qemu_rv32_virt");
  EXPECT_EQ(records[0]["seq"], 0);
  std::set<std::string> started;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["seq"], i);
    if (records[i]["type"] == "proc_start") started.insert(records[i]["name"].get<std::string>());
  }
  EXPECT_EQ(started,
            (std::set<std::string>{"net_service", "sensor_client", "logger_client", "rpc_client"}));
  EXPECT_EQ(run.stats["decoder"]["gap"], 0);
  EXPECT_EQ(run.stats["decoder"]["corrupt"], 0);
  EXPECT_EQ(run.stats["link"]["disconnects"], 0);
  EXPECT_NE(run.trace_err.find("trace: wrote " + std::string(kRecordsShown) + " records and " +
                               std::to_string(run.console.size()) + " console text pieces to " +
                               run.capture.string() + "\n"),
            std::string::npos)
      << run.trace_err;
}

// Frames dropped for a reason: the cycle's wpan0 outage and multicast storm fall in the first
// seconds; an oversized send carries its first 64 bytes.
void CheckDrops(const TracedRun& run) {
  std::set<std::string> reasons;
  for (const json& r : run.records) {
    if (r["type"] != "net_drop") continue;
    reasons.insert(r["reason"].get<std::string>());
    if (r["reason"] == "too_big") {
      EXPECT_EQ(r["orig_len"], 1622) << r;
      EXPECT_EQ(r["truncated"], true) << r;
      EXPECT_EQ(r["data"].get<std::string>().size(), 2u * 64) << r;
    }
  }
  EXPECT_TRUE(reasons.count("interface_down")) << "wpan0 did not go down";
  EXPECT_TRUE(reasons.count("queue_full")) << "no multicast storm";
}

void CheckFramesPerInterface(const TracedRun& run) {
  CliRun r = RunTshark({"-r", run.capture.string(), "-T", "fields", "-e", "frame.interface_name"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::map<std::string, int> expected = FramesPerInterface(run.records);
  expected["tock-console"] = static_cast<int>(run.console.size());
  EXPECT_EQ(CountLines(SplitLines(r.out)), expected);
  EXPECT_GT(expected["eth0"], 0);
  EXPECT_GT(expected["wpan0"], 0);
  for (const json& iface : run.stats["interfaces"]) {
    std::string name = iface["name"];
    EXPECT_EQ(iface["tx_frames"].get<int>() + iface["rx_frames"].get<int>(), expected[name])
        << name;
  }
}

void CheckEth0(const TracedRun& run) {
  CliRun r = RunTshark({"-r", run.capture.string(),
                        "-o", "udp.check_checksum:TRUE",
                        "-Y", "frame.interface_name == \"eth0\"",
                        "-T", "fields",
                        "-E", "separator=|",
                        "-e", "eth.type",
                        "-e", "ipv6.src",
                        "-e", "ipv6.dst",
                        "-e", "udp.srcport",
                        "-e", "udp.dstport",
                        "-e", "udp.checksum.status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = SplitLines(r.out);
  EXPECT_EQ(static_cast<int>(lines.size()), FramesPerInterface(run.records)["eth0"]);
  std::set<std::string> ports;
  for (const std::string& line : lines) {
    std::vector<std::string> f;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, '|');) f.push_back(field);
    ASSERT_EQ(f.size(), 6u) << line;
    EXPECT_EQ(f[0], "0x86dd") << line;
    EXPECT_NE(f[1], "") << line;
    EXPECT_EQ(f[5], "1") << "UDP checksum not good: " << line;  // 1 = Good
    if (f[1] == "fd00::2") ports.insert(f[3]);
  }
  EXPECT_TRUE(ports.count("5683")) << "the device (fd00::2) sent no CoAP";
}

void CheckWpan0(const TracedRun& run) {
  CliRun r = RunTshark({"-r", run.capture.string(),
                        "-o", "udp.check_checksum:TRUE",
                        "-Y", "frame.interface_name == \"wpan0\"",
                        "-T", "fields",
                        "-E", "separator=|",
                        "-e", "wpan.frame_type",
                        "-e", "wpan.dst_pan",
                        "-e", "wpan.src64",
                        "-e", "wpan.dst64",
                        "-e", "6lowpan.pattern",
                        "-e", "udp.checksum.status",
                        "-e", "_ws.malformed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = SplitLines(r.out);
  EXPECT_EQ(static_cast<int>(lines.size()), FramesPerInterface(run.records)["wpan0"]);
  std::set<std::string> addresses;
  for (const std::string& line : lines) {
    std::vector<std::string> f;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, '|');) f.push_back(field);
    f.resize(7);
    EXPECT_EQ(f[0], "0x0001") << line;  // data frame
    EXPECT_EQ(f[1], "0xabcd") << line;
    EXPECT_EQ(f[4], "0x03") << line;  // IPHC
    EXPECT_EQ(f[5], "1") << "UDP checksum not good: " << line;
    EXPECT_EQ(f[6], "") << "malformed: " << line;
    addresses.insert(f[2] + f[3]);
  }
  EXPECT_TRUE(addresses.count("02:00:00:00:00:00:00:01")) << "no frame from the device";
}

void CheckLuaDissector(const TracedRun& run) {
  fs::path lua = SourceDir() / "tracer" / "dissector" / "tockctl_ipc.lua";
  CliRun r = RunTshark({"-r", run.capture.string(),
                        "-X", "lua_script:" + lua.string(),
                        "-Y", "frame.interface_name == \"tock-trace\"",
                        "-T", "fields",
                        "-E", "separator=|",
                        "-e", "tockctl.seq",
                        "-e", "tockctl.type",
                        "-e", "tockctl.proc.name",
                        "-e", "tockctl.service_name",
                        "-e", "tockctl.call_id",
                        "-e", "_ws.malformed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> expected;
  for (const json& rec : run.records) {
    if (IsFrame(rec)) continue;
    std::string name = rec.contains("name") && rec["type"] == "proc_start" ? rec["name"] : "";
    std::string service = rec.value("service_name", std::string());
    std::string call =
        rec.contains("call_id") ? std::to_string(rec["call_id"].get<int>()) : std::string();
    expected.push_back(std::to_string(rec["seq"].get<int>()) + "|" + kTypeNumbers.at(rec["type"]) +
                       "|" + name + "|" + service + "|" + call + "|");
  }
  EXPECT_EQ(SplitLines(r.out), expected);
}

// The firmware's console shares the UART with the frames, as a Tock kernel's does: its boot banner
// comes first, then the prompt, and no console byte costs a frame (no gap, nothing corrupt).
void CheckConsoleAmongTheRecords(const TracedRun& run) {
  ASSERT_GE(run.console.size(), 2u) << run.trace_err;
  EXPECT_EQ(run.console[0], "Initialization complete. Entering main loop\r\n");
  EXPECT_EQ(run.console[1], "tock$ ");
  uint64_t bytes = 0;
  for (const std::string& piece : run.console) bytes += piece.size();
  EXPECT_EQ(run.stats["console"]["bytes"], bytes);
  // The decoder also counts text read after --count was reached (in the same read), never shown.
  EXPECT_GE(run.stats["decoder"]["console_bytes"].get<uint64_t>(), bytes);
  CliRun r =
      RunTshark({"-X", "lua_script:" + (SourceDir() / "tracer/dissector/tockctl_ipc.lua").string(),
                 "-r", run.capture.string(), "-Y", "tockctl_console", "-T", "fields", "-e",
                 "tockctl.console.text"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), run.console.size());
  EXPECT_EQ(lines[0].rfind("Initialization complete. Entering main loop", 0), 0u) << lines[0];
}

TEST(DemoFlowTest, BuildFlashTraceThenTsharkReadsTheCapture) {
  DemoWorkspace ws;
  TracedRun run = RunDemoFlow(ws);
  ASSERT_FALSE(HasFailure());
  CheckSameFirmwareAsTheCMakeBuild(ws);
  CheckBootAndEveryRecordInOrder(run);
  CheckConsoleAmongTheRecords(run);
  CheckDrops(run);
  CheckFramesPerInterface(run);
  CheckEth0(run);
  CheckWpan0(run);
  CheckLuaDissector(run);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::testing
