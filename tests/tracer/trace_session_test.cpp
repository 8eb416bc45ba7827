#include "tracer/trace_session.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/support/manual_clock.h"
#include "tests/trace_encoding/sample_stream.h"
#include "tests/tracer/trace_test_util.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::MemorySource;
using ::tockctl::testing::ManualClock;

// A FILE* backed by memory (open_memstream), read back as a string.
class MemoryFile {
 public:
  MemoryFile() : file_(open_memstream(&data_, &size_)) {}
  ~MemoryFile() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* get() { return file_; }
  std::string str() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

std::vector<uint8_t> Sample(size_t mix_bytes = 0) {
  SampleStream s;
  std::vector<uint8_t> wire;
  s.AppendPreamble(wire);
  s.AppendIpcExchange(wire);
  s.AppendUdpTx(wire, 40);
  s.AppendRadioRx(wire);
  s.AppendDrop(wire);
  if (mix_bytes > 0) s.AppendMix(wire, mix_bytes);
  return wire;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

struct SessionRun {
  MemoryFile out;
  MemoryFile err;
  SessionEnd end = SessionEnd::kEndOfStream;
  uint64_t written = 0;
};

void RunJson(MemorySource& source, SessionOptions options, SessionRun& run,
             ManualClock* clock = nullptr) {
  ManualClock fixed;
  JsonSink sink(run.out.get());
  TraceSession session(std::move(options), clock ? *clock : fixed, {&sink});
  std::atomic<bool> stop{false};
  run.end = session.Run(source, stop);
  run.written = session.written();
}

TEST(TraceSession, JsonLinesForEveryRecord) {
  MemorySource source;
  source.AddData(Sample(), 7);
  SessionRun run;
  RunJson(source, {}, run);
  const auto lines = Lines(run.out.str());
  ASSERT_EQ(lines.size(), 9u + 5u + 1u + 2u + 1u);
  EXPECT_EQ(lines[1], R"({"seq":1,"ticks":)" + lines[1].substr(17, lines[1].find(',', 17) - 17) +
                          R"(,"type":"proc_start","pid":0,"restart_count":0,"name":"net_server"})");
  EXPECT_EQ(run.end, SessionEnd::kEndOfStream);
}

TEST(TraceSession, CountStopsAfterNRecords) {
  MemorySource source;
  source.AddData(Sample());
  SessionOptions o;
  o.count = 4;
  SessionRun run;
  RunJson(source, o, run);
  EXPECT_EQ(Lines(run.out.str()).size(), 4u);
  EXPECT_EQ(run.end, SessionEnd::kCount);
}

// A limit that stops a live session right after a frame's closing 0x00 and the next frame's
// opening 0x00 cuts that frame: the 0x00 is not shown as console text (it was seen as "\x00").
TEST(TraceSession, StopAtALimitDoesNotShowACutFrameStartAsConsoleText) {
  MemorySource source;
  std::vector<uint8_t> wire = Sample();
  wire.push_back(0x00);
  source.AddData(wire);
  source.set_endless(true);
  ManualClock clock;
  clock.AdvanceOnEachReading(std::chrono::milliseconds(1));
  SessionOptions o;
  o.duration_s = 0.2;  // under the 500 ms after which undecided bytes are shown as text
  o.console_latency = std::chrono::milliseconds(25);
  SessionRun run;
  RunJson(source, o, run, &clock);
  EXPECT_EQ(run.end, SessionEnd::kDuration);
  EXPECT_EQ(run.out.str().find(R"("type":"console")"), std::string::npos) << run.out.str();
  EXPECT_EQ(run.written, 18u);
}

TEST(TraceSession, FiltersSelectRecords) {
  struct Case {
    FilterOptions filter;
    std::vector<std::string> types;
  };
  FilterOptions ipc;
  ipc.ipc = true;
  FilterOptions net;
  net.net = true;
  FilterOptions iface;
  iface.iface = "wpan0";
  FilterOptions service;
  service.service = "net.udp";
  service.ipc = true;
  FilterOptions process;
  process.process = "sensor_app";
  process.net = true;
  const Case cases[] = {
      {ipc,
       {"ipc_register", "ipc_register", "ipc_discover", "ipc_connect", "ipc_send", "ipc_recv",
        "rpc_call", "rpc_return", "upcall"}},
      {net, {"net_up", "net_up", "net_tx", "net_rx", "net_deliver", "net_drop"}},
      {iface, {"net_up", "net_rx", "net_deliver"}},
      {process, {"net_tx", "net_deliver"}},
  };
  for (const Case& c : cases) {
    MemorySource source;
    source.AddData(Sample());
    SessionOptions o;
    o.filter = c.filter;
    SessionRun run;
    RunJson(source, o, run);
    std::vector<std::string> types;
    for (const auto& line : Lines(run.out.str())) {
      const size_t at = line.find("\"type\":\"") + 8;
      types.push_back(line.substr(at, line.find('"', at) - at));
    }
    EXPECT_EQ(types, c.types);
  }
}

TEST(TraceSession, ServiceFilterUsesRegisteredNames) {
  MemorySource source;
  SampleStream s;
  std::vector<uint8_t> wire;
  s.AppendPreamble(wire);
  for (int i = 0; i < 20; ++i) s.AppendIpcExchange(wire);
  source.AddData(wire);
  SessionOptions o;
  o.filter.service = "kv.store";
  SessionRun run;
  RunJson(source, o, run);
  const auto lines = Lines(run.out.str());
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    const bool is_register = line.find("\"ipc_register\"") != std::string::npos;
    EXPECT_TRUE(line.find("\"service_id\":2") != std::string::npos) << line;
    if (is_register) {
      EXPECT_NE(line.find("kv.store"), std::string::npos);
    }
  }
}

TEST(TraceSession, LinkEventsBecomeStatusObjectsAndResync) {
  MemorySource source;
  const auto wire = Sample();
  source.AddData(std::vector<uint8_t>(wire.begin(), wire.begin() + 200));  // cut mid-frame
  source.AddEvent(ReadStatus::kDisconnected, "device unplugged");
  source.AddEvent(ReadStatus::kReconnected, "device back");
  source.AddData(wire);
  SessionRun run;
  ManualClock clock;
  JsonSink sink(run.out.get());
  TraceSession session({}, clock, {&sink});
  std::atomic<bool> stop{false};
  session.Run(source, stop);
  const auto lines = Lines(run.out.str());
  const std::string disc =
      R"({"type":"status","event":"disconnected","detail":"device unplugged","host_ns":1700000000000000000})";
  const std::string back =
      R"({"type":"status","event":"reconnected","detail":"device back","host_ns":1700000000000000000})";
  EXPECT_NE(std::find(lines.begin(), lines.end(), disc), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), back), lines.end());
  EXPECT_EQ(session.decoder_stats().corrupt, 0u);  // the cut frame was dropped, not counted
  EXPECT_EQ(session.statistics().disconnects(), 1u);
  EXPECT_EQ(session.statistics().reconnects(), 1u);
  EXPECT_EQ(session.decoder_stats().seq_reset, 1u);  // the stream started over
}

TEST(TraceSession, FirstAppearanceIsConnectedNotReconnected) {
  MemorySource source;
  source.AddEvent(ReadStatus::kReconnected, "connected to 127.0.0.1:4444");
  SessionRun run;
  ManualClock clock;
  JsonSink sink(run.out.get());
  TraceSession session({}, clock, {&sink});
  std::atomic<bool> stop{false};
  session.Run(source, stop);
  EXPECT_EQ(run.out.str(),
            R"({"type":"status","event":"connected","detail":"connected to 127.0.0.1:4444",)"
            R"("host_ns":1700000000000000000})"
            "\n");
  EXPECT_EQ(session.statistics().reconnects(), 0u);
}

TEST(TraceSession, TextModeReportsLinkEventsOnMessages) {
  MemorySource source;
  source.AddEvent(ReadStatus::kDisconnected, "USB device unplugged");
  SessionRun run;
  ManualClock clock;
  TextSink sink(run.out.get(), run.err.get());
  TraceSession session({}, clock, {&sink});
  std::atomic<bool> stop{false};
  session.Run(source, stop);
  EXPECT_EQ(run.err.str(), "trace: link lost: USB device unplugged\n");
  EXPECT_EQ(run.out.str(), "");
}

// --no-reconnect: the end of a live link is the device going away, and is reported as such; the
// end of a replay is not.
TEST(TraceSession, EndOfALiveLinkIsReportedAsLinkLoss) {
  for (bool live : {true, false}) {
    MemorySource source;
    source.AddEvent(ReadStatus::kEnd, "tcp 127.0.0.1:4444: the peer closed the connection");
    SessionRun run;
    ManualClock clock;
    TextSink sink(run.out.get(), run.err.get());
    SessionOptions options;
    options.end_is_link_loss = live;
    TraceSession session(options, clock, {&sink});
    std::atomic<bool> stop{false};
    EXPECT_EQ(session.Run(source, stop), SessionEnd::kEndOfStream);
    EXPECT_EQ(run.err.str(),
              live ? "trace: link lost: tcp 127.0.0.1:4444: the peer closed the connection\n" : "");
    EXPECT_EQ(session.statistics().disconnects(), live ? 1u : 0u);
  }
}

TEST(TraceSession, StopFlagEndsTheLoop) {
  MemorySource source;
  source.set_endless(true);
  SessionRun run;
  ManualClock clock;
  JsonSink sink(run.out.get());
  TraceSession session({}, clock, {&sink});
  std::atomic<bool> stop{true};
  EXPECT_EQ(session.Run(source, stop), SessionEnd::kStopped);
}

TEST(TraceSession, DurationEndsTheLoop) {
  MemorySource source;
  source.set_endless(true);
  SessionRun run;
  ManualClock clock;
  clock.AdvanceOnEachReading(std::chrono::milliseconds(100));
  SessionOptions o;
  o.duration_s = 1.0;
  RunJson(source, o, run, &clock);
  EXPECT_EQ(run.end, SessionEnd::kDuration);
  EXPECT_LE(source.reads, 11);
}

TEST(TraceSession, PeriodicStatsGoToTheSinks) {
  MemorySource source;
  source.AddData(Sample(), 100);
  SessionRun run;
  ManualClock clock;
  clock.AdvanceOnEachReading(std::chrono::seconds(1));
  SessionOptions o;
  o.stats_interval_s = 2.0;
  RunJson(source, o, run, &clock);
  size_t stats = 0;
  for (const auto& line : Lines(run.out.str())) {
    if (line.rfind(R"({"type":"stats",)", 0) == 0) ++stats;
  }
  EXPECT_GE(stats, 2u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
