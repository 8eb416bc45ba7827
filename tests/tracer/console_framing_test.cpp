// Protocol v2 (docs/trace-protocol.md 2.4, 2.5): console text and frames on one byte stream. Every
// console byte comes out in order, no undamaged frame is lost, text never decodes as a record,
// whatever the text holds and wherever the reads split the stream.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/tracer/trace_test_util.h"
#include "tracer/trace_statistics.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Append;
using testing::JsonCollector;
using testing::SendFrame;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> V1Frame(uint32_t seq) {
  RecordHeader h;
  h.version = kProtocolVersion1;
  h.type = RecordType::kIpcSend;
  h.seq = seq;
  std::vector<uint8_t> body;
  AppendBody(IpcMessage{1, 2, 3, 7, seq, 16, 0}, body);
  std::vector<uint8_t> wire;
  AppendFrame(h, body, wire);
  return wire;
}

// Console texts a kernel may print, including bytes that look like framing.
std::vector<std::string> Texts() {
  const std::vector<uint8_t> v1 = V1Frame(99);
  return {
      "Initialization complete. Entering main loop\r\n",
      "tock$ ",
      std::string("\0", 1),
      std::string("a\0b", 3),
      std::string("\0\0", 2),
      std::string("\0\x05\xc0 not a frame\r\n", 18),
      std::string("\0\x05", 2),
      std::string("\xc0\xc1\x02", 3),
      std::string("\x01", 1),
      std::string("\0\x03\x01 v1-ish\n", 11),
      std::string(v1.begin(), v1.end()),
      "\xff\xfe not UTF-8\r\n",
      std::string(1500, 'x'),
  };
}

struct Mixed {
  std::vector<uint8_t> wire;
  std::string console;  ///< The console bytes in order.
  size_t records = 0;
};

// HELLO-less stream: text, frame, text, frame, frame, text (a prompt at the end). A text that is
// itself a valid v1 frame cannot come first: it would make the stream v1 (spec 2.5).
Mixed Build(const std::string& text) {
  Mixed m;
  auto put_text = [&](const std::string& t) {
    m.wire.insert(m.wire.end(), t.begin(), t.end());
    m.console += t;
  };
  const std::vector<uint8_t> v1 = V1Frame(99);
  if (text != std::string(v1.begin(), v1.end())) put_text(text);
  Append(m.wire, SendFrame(0));
  put_text(text);
  Append(m.wire, SendFrame(1));
  Append(m.wire, SendFrame(2));
  put_text(text);
  put_text("tock$ ");
  m.records = 3;
  return m;
}

struct Decoded {
  JsonCollector sink;
  DecoderStats stats;
};

void DecodeSplit(const std::vector<uint8_t>& wire, size_t split, Decoded& out) {
  TraceDecoder decoder(out.sink);
  const std::span<const uint8_t> all(wire);
  decoder.Feed(all.first(split));
  decoder.Feed(all.subspan(split));
  decoder.Finish();
  out.stats = decoder.stats();
}

TEST(ConsoleFraming, EveryTextAtEverySplitPointComesOutWholeAndFramesSurvive) {
  for (const std::string& text : Texts()) {
    const Mixed m = Build(text);
    for (size_t split = 0; split <= m.wire.size(); ++split) {
      SCOPED_TRACE("text of " + std::to_string(text.size()) + " bytes, split at " +
                   std::to_string(split));
      Decoded d;
      DecodeSplit(m.wire, split, d);
      ASSERT_EQ(d.sink.console, m.console);
      ASSERT_EQ(d.stats.records, m.records);
      ASSERT_EQ(d.stats.corrupt, 0u);
      ASSERT_EQ(d.stats.gap, 0u);
      ASSERT_EQ(d.stats.console_bytes, m.console.size());
      ASSERT_EQ(d.stats.version, kProtocolVersion);
    }
  }
}

TEST(ConsoleFraming, ByteAtATimeGivesTheSamePiecesAsWhole) {
  for (const std::string& text : Texts()) {
    const Mixed m = Build(text);
    Decoded whole;
    DecodeSplit(m.wire, m.wire.size(), whole);
    JsonCollector sink;
    TraceDecoder decoder(sink);
    for (uint8_t b : m.wire) decoder.Feed({&b, 1});
    decoder.Finish();
    EXPECT_EQ(sink.lines, whole.sink.lines);
  }
}

TEST(ConsoleFraming, PiecesEndAtLineEndsAndFrames) {
  std::vector<uint8_t> wire = Bytes("boot\r\nline two\nno end");
  Append(wire, SendFrame(0));
  Append(wire, Bytes("tock$ "));
  JsonCollector sink;
  TraceDecoder decoder(sink);
  decoder.Feed(wire);
  decoder.Finish();
  ASSERT_EQ(sink.lines.size(), 5u);
  EXPECT_EQ(sink.lines[0], R"({"type":"console","text":"boot\r\n"})");
  EXPECT_EQ(sink.lines[1], R"({"type":"console","text":"line two\n"})");
  EXPECT_EQ(sink.lines[2], R"({"type":"console","text":"no end"})");
  EXPECT_EQ(sink.lines[3].substr(0, 30), R"({"seq":0,"ticks":1000,"type":")");
  EXPECT_EQ(sink.lines[4], R"({"type":"console","text":"tock$ "})");
  // Lines are LF bytes plus one unfinished line: "no end" and "tock$ " are one line to the count.
  EXPECT_EQ(decoder.stats().console_lines, 3u);
}

TEST(ConsoleFraming, PromptWithoutLineEndWaitsOnlyForFlushConsole) {
  JsonCollector sink;
  TraceDecoder decoder(sink);
  std::vector<uint8_t> wire = SendFrame(0);
  Append(wire, Bytes("tock$ "));
  decoder.Feed(wire);
  EXPECT_TRUE(sink.console.empty());
  EXPECT_TRUE(decoder.HasPendingConsole());
  decoder.FlushConsole();
  EXPECT_EQ(sink.console, "tock$ ");
  EXPECT_FALSE(decoder.HasPendingConsole());
}

TEST(ConsoleFraming, UndecidedBytesAfterANulAreReleasedByFlushConsole) {
  JsonCollector sink;
  TraceDecoder decoder(sink);
  std::vector<uint8_t> wire = SendFrame(0);
  Append(wire, {'a', 0x00, 0x05});
  decoder.Feed(wire);
  decoder.FlushConsole();
  EXPECT_EQ(sink.console, std::string("a\0\x05", 3));
}

TEST(ConsoleFraming, ConsoleOnlyStreamIsTextAndTakenAsV2) {
  JsonCollector sink;
  TraceDecoder decoder(sink);
  decoder.Feed(Bytes("Initialization complete. Entering main loop\r\ntock$ "));
  EXPECT_EQ(decoder.stats().version, 0u);  // held until a frame, a flush or the end
  decoder.FlushConsole();
  EXPECT_EQ(decoder.stats().version, kProtocolVersion);
  EXPECT_EQ(sink.console, "Initialization complete. Entering main loop\r\ntock$ ");
  EXPECT_EQ(decoder.stats().records, 0u);
  EXPECT_EQ(decoder.stats().corrupt, 0u);
}

TEST(ConsoleFraming, V1FrameInsideV2TextIsText) {
  std::vector<uint8_t> wire = SendFrame(0);
  const std::vector<uint8_t> v1 = V1Frame(1);
  Append(wire, v1);
  Append(wire, SendFrame(1));
  Decoded d;
  DecodeSplit(wire, wire.size(), d);
  EXPECT_EQ(d.stats.records, 2u);
  EXPECT_EQ(d.sink.console, std::string(v1.begin(), v1.end()));
}

TEST(ConsoleFraming, MarkerBytesThatFailTheCrcAreACorruptFrameAndNeighboursSurvive) {
  std::vector<uint8_t> wire = SendFrame(0);
  Append(wire, {0x00, 0x07, 0xC0, 0xC1, 'a', 'b', 'c', 'd', 0x00});
  Append(wire, SendFrame(1));
  Decoded d;
  DecodeSplit(wire, wire.size(), d);
  EXPECT_EQ(d.stats.records, 2u);
  EXPECT_EQ(d.stats.corrupt, 1u);
  EXPECT_EQ(d.stats.console_bytes, 0u);
}

TEST(ConsoleFraming, LostClosingDelimiterCostsOnlyThatFrame) {
  std::vector<uint8_t> wire = SendFrame(0);
  std::vector<uint8_t> damaged = SendFrame(1);
  damaged.back() = 0x55;
  Append(wire, damaged);
  Append(wire, SendFrame(2));
  Decoded d;
  DecodeSplit(wire, wire.size(), d);
  EXPECT_EQ(d.stats.records, 2u);
  EXPECT_EQ(d.stats.corrupt, 1u);
  EXPECT_EQ(d.stats.gap, 1u);
}

TEST(ConsoleFraming, V1StreamStillDecodesAsV1WithGarbageCountedCorrupt) {
  std::vector<uint8_t> wire = {0xde, 0xad, 0xbe, 0xef, 0x00};
  Append(wire, V1Frame(0));
  Append(wire, V1Frame(1));
  Decoded d;
  DecodeSplit(wire, 2, d);
  EXPECT_EQ(d.stats.version, kProtocolVersion1);
  EXPECT_EQ(d.stats.records, 2u);
  EXPECT_EQ(d.stats.corrupt, 1u);
  EXPECT_EQ(d.stats.console_bytes, 0u);
  EXPECT_EQ(DecoderCountersJson(d.stats).contains("console_bytes"), false);
}

TEST(ConsoleFraming, ConsoleJsonCarriesExactBytesWhenNotUtf8) {
  std::string line;
  const uint8_t bytes[] = {'o', 'k', 0x00, 0xC0, '\n'};
  AppendConsoleJson(bytes, line);
  EXPECT_EQ(
      line,
      "{\"type\":\"console\",\"text\":\"ok\\u0000\xEF\xBF\xBD\\n\",\"data\":\"6f6b00c00a\"}\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
