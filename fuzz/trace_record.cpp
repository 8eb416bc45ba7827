// Fuzz target trace_record: record bodies through the whole `tockctl trace` pipeline. The input
// is a list of payloads which the target frames correctly (CRC-32C, COBS, 0x00), so mutations
// reach the record parser, the trace context, filters, statistics and the text, JSON Lines and
// pcapng outputs instead of dying at the CRC check. Input layout:
//   u8 options, u8 filter name, u8 read size, u8 count limit, then entries:
//   u16 n; n < 0x8000: n bytes of header + body (n capped at 2044), framed by the target;
//          n = 0x8000 + k: k raw bytes put on the wire as they are (damage);
//          n = 0xC000 + x: a link event (disconnect, reconnect) in the byte source.
// Checks: every JSON line parses, the pcapng capture is well-formed with one packet per record
// written, and the session's decoder counts every framed payload once it recognised v1.
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "tests/support/manual_clock.h"
#include "tests/tracer/pcapng_reader.h"
#include "tracer/cobs.h"
#include "tracer/crc32c.h"
#include "tracer/pcapng_writer.h"
#include "tracer/trace_session.h"
#include "tracer/trace_sink.h"

namespace tockctl::fuzz {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace tracer;

// Plays scripted reads, then kEnd.
class ScriptedSource : public ByteSource {
 public:
  std::deque<ReadResult> reads;
  std::deque<std::vector<uint8_t>> data;

  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds) override {
    if (reads.empty()) return {ReadStatus::kEnd, 0, "end of script"};
    ReadResult r = reads.front();
    reads.pop_front();
    if (r.status == ReadStatus::kData) {
      std::vector<uint8_t>& d = data.front();
      r.bytes = std::min(d.size(), buf.size());
      std::copy_n(d.begin(), r.bytes, buf.begin());
      data.pop_front();
    }
    return r;
  }
  std::string Describe() const override { return "fuzz input"; }
};

class MemoryOutput : public BlockOutput {
 public:
  void Write(std::span<const uint8_t> b) override { bytes.insert(bytes.end(), b.begin(), b.end()); }
  std::vector<uint8_t> bytes;
};

void AddFramed(std::span<const uint8_t> header_and_body, std::vector<uint8_t>& wire) {
  std::vector<uint8_t> payload(header_and_body.begin(), header_and_body.end());
  const uint32_t crc = Crc32c(payload);
  for (int i = 0; i < 4; ++i) payload.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  CobsEncode(payload, wire);
  wire.push_back(0);
}

struct Script {
  size_t framed = 0;  ///< Payloads framed by the target.
  bool clean = true;  ///< No raw bytes and no link events: every framed payload is a frame.
};

// Turns the entries into the source's script.
Script BuildScript(InputReader& in, size_t read_size, ScriptedSource& source) {
  std::vector<uint8_t> wire;
  Script script;
  auto flush = [&] {
    for (size_t at = 0; at < wire.size(); at += read_size) {
      const size_t n = std::min(read_size, wire.size() - at);
      source.data.emplace_back(wire.begin() + static_cast<std::ptrdiff_t>(at),
                               wire.begin() + static_cast<std::ptrdiff_t>(at + n));
      source.reads.push_back({ReadStatus::kData, n, ""});
    }
    wire.clear();
  };
  while (!in.empty()) {
    const uint16_t n = in.U16();
    if (n >= 0xC000) {
      flush();
      source.reads.push_back({ReadStatus::kDisconnected, 0, "USB device unplugged"});
      source.reads.push_back({ReadStatus::kTimeout, 0, ""});
      source.reads.push_back({ReadStatus::kReconnected, 0, "USB device is back"});
      script.clean = false;
    } else if (n >= 0x8000) {
      auto raw = in.Bytes(n - 0x8000);
      wire.insert(wire.end(), raw.begin(), raw.end());
      script.clean = false;
    } else {
      AddFramed(in.Bytes(std::min<size_t>(n, kMaxPayload - kCrcSize)), wire);
      ++script.framed;
    }
  }
  flush();
  return script;
}

SessionOptions Options(uint8_t bits, uint8_t name, uint8_t count) {
  SessionOptions o;
  o.filter.ipc = bits & 0x01;
  o.filter.net = bits & 0x02;
  const std::string n(1, static_cast<char>(name));
  if (bits & 0x04) o.filter.process = n;
  if (bits & 0x08) o.filter.service = n;
  if (bits & 0x10) o.filter.iface = n;
  if (bits & 0x20) o.count = count;
  if (bits & 0x40) o.stats_interval_s = 0.5;  // 2 ms a clock reading: a report every ~250
  o.join_mid_stream = bits & 0x80;
  return o;
}

void CheckJsonLines(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    FUZZ_CHECK(end != std::string::npos);
    FUZZ_CHECK(nlohmann::json::accept(text.substr(start, end - start)));
    start = end + 1;
  }
}

TOCKCTL_FUZZ_TARGET(trace_record) {
  using namespace tockctl;
  using namespace tockctl::tracer;
  InputReader in(data, size);
  const uint8_t bits = in.U8();
  const uint8_t name = in.U8();
  const size_t read_size = 1 + in.U8() * 16;
  const uint8_t count = in.U8();
  ScriptedSource source;
  const Script script = BuildScript(in, read_size, source);

  static std::FILE* devnull = std::fopen("/dev/null", "w");
  char* json_text = nullptr;
  size_t json_size = 0;
  std::FILE* json_out = open_memstream(&json_text, &json_size);
  FUZZ_CHECK(devnull != nullptr && json_out != nullptr);
  MemoryOutput pcapng;
  {
    PcapngWriter writer(pcapng, "tockctl fuzz");
    TextSink text(devnull, devnull);
    JsonSink json(json_out);
    PcapngSink capture(writer);
    ::tockctl::testing::ManualClock clock;
    clock.AdvanceOnEachReading(std::chrono::milliseconds(2));
    std::atomic<bool> stop{false};
    TraceSession session(Options(bits, name, count), clock, {&text, &json, &capture});
    session.Run(source, stop);
    session.ReportStats();
    const DecoderStats& s = session.decoder_stats();
    // The target frames as v1 does (no marker, no opening 0x00). A stream in which no payload
    // is a valid frame (each shorter than the 20-byte minimum) is taken as v2 (spec 2.5): its
    // bytes are console text, so the count holds only once the decoder recognised v1.
    if (script.clean && !(bits & 0xA0) && s.version == kProtocolVersion1)
      FUZZ_CHECK(s.frames == script.framed);
    if (script.clean && s.version != kProtocolVersion1) FUZZ_CHECK(s.records == 0);
    FUZZ_CHECK(s.records <= s.frames);
    FUZZ_CHECK(session.written() <= s.records);
    const auto cap = tracer::testing::ParseCapture(pcapng.bytes);
    FUZZ_CHECK(cap.packets.size() == session.written() + session.console_written());
  }
  std::fclose(json_out);
  CheckJsonLines(std::string(json_text, json_size));
  std::free(json_text);
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::fuzz
