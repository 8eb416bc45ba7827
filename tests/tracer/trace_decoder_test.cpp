// The decoder on protocol v1 streams, which must decode exactly as before v2 existed (spec 2.5);
// v2 and console text are covered by console_framing_test.cpp.
#include "tracer/trace_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/tracer/trace_test_util.h"
#include "tracer/cobs.h"
#include "tracer/crc32c.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::Append;
using testing::JsonCollector;
using Bytes = std::vector<uint8_t>;

Bytes Frame(RecordType type, uint32_t seq, uint64_t ticks, const RecordBody& body,
            uint16_t flags = 0) {
  return testing::Frame(type, seq, ticks, body, flags, kProtocolVersion1);
}

Bytes SendFrame(uint32_t seq) { return testing::SendFrame(seq, kProtocolVersion1); }

// A v1-framed frame (COBS(payload || CRC) || 0x00) of any header+body bytes.
Bytes V1Framed(const Bytes& payload) {
  Bytes p = payload;
  const uint32_t crc = Crc32c(p);
  for (int i = 0; i < 4; ++i) p.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  Bytes wire;
  CobsEncode(p, wire);
  wire.push_back(0);
  return wire;
}

// A stream is recognised as v1 by its first valid frame (spec 2.5): damage is tested after one.
Bytes AfterAValidFrame(const Bytes& damaged) {
  Bytes wire = SendFrame(0);
  Append(wire, damaged);
  return wire;
}

const Bytes kSpecIpcSendWire = {0x03, 0x01, 0x24, 0x01, 0x02, 0x05, 0x01, 0x01, 0x03, 0x39,
                                0x30, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02,
                                0x02, 0x03, 0x02, 0x07, 0x02, 0x2a, 0x01, 0x01, 0x02, 0x10,
                                0x01, 0x01, 0x01, 0x05, 0x8d, 0x5f, 0x25, 0x4a, 0x00};

const Bytes kSpecHelloWire = {
    0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x04, 0x40, 0x42, 0x0f, 0x01, 0x16, 0x08, 0x0e, 0x71, 0x65, 0x6d, 0x75,
    0x5f, 0x72, 0x76, 0x33, 0x32, 0x5f, 0x76, 0x69, 0x72, 0x74, 0x03, 0x32, 0x2e, 0x32,
    0x01, 0x03, 0x01, 0x01, 0x05, 0xdc, 0x05, 0x06, 0x02, 0x01, 0x01, 0x01, 0x02, 0x01,
    0x01, 0x0a, 0x04, 0x65, 0x74, 0x68, 0x30, 0xaf, 0x86, 0x8f, 0xa3, 0x00};

struct Decoded {
  JsonCollector sink;
  DecoderStats stats;
};

Decoded DecodeAll(const Bytes& wire, size_t chunk = 0) {
  Decoded d;
  TraceDecoder decoder(d.sink);
  if (chunk == 0) chunk = wire.size() + 1;
  for (size_t off = 0; off < wire.size(); off += chunk) {
    decoder.Feed(std::span<const uint8_t>(wire).subspan(off, std::min(chunk, wire.size() - off)));
  }
  decoder.Finish();
  d.stats = decoder.stats();
  return d;
}

TEST(TraceDecoder, SpecWorkedExampleIpcSend) {
  Decoded d = DecodeAll(kSpecIpcSendWire);
  ASSERT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(d.sink.lines[0],
            R"({"seq":5,"ticks":12345,"type":"ipc_send","src_pid":1,"dst_pid":2,"service_id":3,)"
            R"("conn_id":7,"msg_id":42,"len":16,"mode":"copy"})");
  EXPECT_EQ(d.stats.records, 1u);
  EXPECT_EQ(d.stats.Count(RecordType::kIpcSend), 1u);
  EXPECT_EQ(d.stats.corrupt, 0u);
}

TEST(TraceDecoder, SpecWorkedExampleHello) {
  Decoded d = DecodeAll(kSpecHelloWire);
  ASSERT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(
      d.sink.lines[0],
      R"({"seq":0,"ticks":0,"type":"hello","tick_hz":1000000,"max_payload":2048,)"
      R"("board":"qemu_rv32_virt","kernel_version":"2.2","interfaces":[{"iface_id":0,)"
      R"("kind":"ethernet","linktype":1,"mtu":1500,"addr":"02:00:00:00:00:01","name":"eth0"}]})");
}

TEST(TraceDecoder, EncoderReproducesSpecWireBytes) {
  IpcMessage m{1, 2, 3, 7, 42, 16, 0};
  EXPECT_EQ(Frame(RecordType::kIpcSend, 5, 12345, m), kSpecIpcSendWire);
}

TEST(TraceDecoder, ByteAtATimeEqualsWhole) {
  Bytes wire = kSpecHelloWire;
  for (uint32_t s = 1; s < 50; ++s) Append(wire, SendFrame(s));
  Decoded whole = DecodeAll(wire);
  Decoded bytewise = DecodeAll(wire, 1);
  Decoded odd = DecodeAll(wire, 37);
  EXPECT_EQ(whole.sink.lines.size(), 50u);
  EXPECT_EQ(bytewise.sink.lines, whole.sink.lines);
  EXPECT_EQ(odd.sink.lines, whole.sink.lines);
}

TEST(TraceDecoder, LeadingAndRepeatedZerosAreIgnored) {
  Bytes wire = {0, 0, 0};
  Append(wire, SendFrame(1));
  wire.push_back(0);
  wire.push_back(0);
  Append(wire, SendFrame(2));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 2u);
  EXPECT_EQ(d.stats.corrupt, 0u);
  EXPECT_EQ(d.stats.frames, 2u);
}

TEST(TraceDecoder, SequenceGapsCountLostRecords) {
  Bytes wire;
  for (uint32_t s : {10u, 11u, 15u, 16u, 20u}) Append(wire, SendFrame(s));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 5u);
  EXPECT_EQ(d.stats.gap, 3u + 3u);
  EXPECT_EQ(d.stats.seq_reset, 0u);
}

TEST(TraceDecoder, SequenceWrapIsNotAGap) {
  Bytes wire;
  for (uint32_t s : {0xFFFFFFFEu, 0xFFFFFFFFu, 0u, 1u}) Append(wire, SendFrame(s));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.stats.gap, 0u);
  EXPECT_EQ(d.stats.seq_reset, 0u);
}

TEST(TraceDecoder, SequenceGoingBackCountsResetAndFlagsNextRecord) {
  Bytes wire;
  for (uint32_t s : {100u, 101u, 0u, 1u, 1u}) Append(wire, SendFrame(s));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.stats.seq_reset, 2u);
  EXPECT_EQ(d.stats.gap, 0u);
  EXPECT_EQ(d.sink.resets, (std::vector<bool>{false, false, true, false, true}));
}

TEST(TraceDecoder, OverflowAddsDeviceDropped) {
  Bytes wire;
  Append(wire, SendFrame(1));
  Append(wire, Frame(RecordType::kOverflow, 2, 5, Overflow{7, 7}));
  Append(wire, Frame(RecordType::kOverflow, 3, 6, Overflow{5, 12}));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.stats.device_dropped, 12u);
  EXPECT_EQ(d.stats.gap, 0u);
  EXPECT_EQ(d.sink.lines[1],
            R"({"seq":2,"ticks":5,"type":"overflow","dropped":7,"total_dropped":7})");
}

TEST(TraceDecoder, UnknownTypeIsSkippedAndCountedPerType) {
  Bytes wire;
  Append(wire, SendFrame(1));
  RecordHeader h;
  h.version = kProtocolVersion1;
  h.type = static_cast<RecordType>(0x7E);
  h.seq = 2;
  AppendFrame(h, Bytes{1, 2, 3}, wire);
  h.seq = 3;
  AppendFrame(h, Bytes{}, wire);
  Append(wire, SendFrame(4));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 2u);
  EXPECT_EQ(d.stats.unknown_type, 2u);
  EXPECT_EQ(d.stats.unknown_by_type[0x7E], 2u);
  EXPECT_EQ(d.stats.gap, 0u);
}

TEST(TraceDecoder, OtherVersionIsSkippedWithoutSeqTracking) {
  Bytes wire;
  Append(wire, SendFrame(1));
  Bytes other = {2, 0x24, 0, 0, 0x84, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // version 2, seq 900
  other.resize(other.size() + 17, 1);
  Append(wire, V1Framed(other));
  Append(wire, SendFrame(2));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 2u);
  EXPECT_EQ(d.stats.other_version, 1u);
  EXPECT_EQ(d.stats.gap, 0u);
  EXPECT_EQ(d.stats.seq_reset, 0u);
}

TEST(TraceDecoder, ShortBodyIsMalformedNotCorrupt) {
  Bytes wire;
  RecordHeader h;
  h.type = RecordType::kIpcSend;
  h.seq = 1;
  AppendFrame(h, Bytes(16, 1), wire);  // one byte short of 17
  h.type = RecordType::kProcStart;
  h.seq = 2;
  AppendFrame(h, Bytes{1, 0, 0, 0, 9, 'a'}, wire);  // name length 9 runs past the body
  h.type = RecordType::kNetDeliver;
  h.seq = 3;
  AppendFrame(h, Bytes{0, 1, 0, 0, 0, 2, 5, 0}, wire);  // 2 pids announced, 1 present
  Append(wire, SendFrame(4));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(d.stats.malformed, 3u);
  EXPECT_EQ(d.stats.corrupt, 0u);
  EXPECT_EQ(d.stats.gap, 0u);
}

TEST(TraceDecoder, HelloEndingInsideAnInterfaceAddressIsMalformed) {
  // Used to read the missing address bytes through a null pointer (found by fuzz/trace_record).
  Bytes wire;
  RecordHeader h;
  h.type = RecordType::kHello;
  AppendFrame(h,
              Bytes{0x40, 0x42, 0x0f, 0x00, 0x00, 0x02, 0, 0,  // tick_hz, max_payload, "", ""
                    1, 0, 1, 1, 0, 0xdc, 0x05, 6,              // 1 interface: id, kind, link, mtu
                    0x02, 0x00, 0x00},                         // 3 of 8 address bytes
              wire);
  Append(wire, SendFrame(1));
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(d.stats.malformed, 1u);
}

TEST(TraceDecoder, TrailingBodyBytesAreIgnored) {
  Bytes body;
  AppendBody(IpcMessage{1, 2, 3, 7, 42, 16, 1}, body);
  body.push_back(0xAA);
  Bytes wire;
  RecordHeader h;
  h.type = RecordType::kIpcRecv;
  AppendFrame(h, body, wire);
  Decoded d = DecodeAll(wire);
  ASSERT_EQ(d.sink.lines.size(), 1u);
  EXPECT_NE(d.sink.lines[0].find(R"("mode":"shared"})"), std::string::npos);
}

TEST(TraceDecoder, CrcMismatchIsCorrupt) {
  Bytes damaged = SendFrame(1);
  damaged[10] ^= 0x01;
  Decoded d = DecodeAll(AfterAValidFrame(damaged));
  EXPECT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(d.stats.corrupt, 1u);
  EXPECT_EQ(d.stats.corrupt_crc, 1u);
}

TEST(TraceDecoder, ShortPayloadIsCorrupt) {
  Bytes wire;
  CobsEncode(Bytes(19, 1), wire);
  wire.push_back(0);
  Decoded d = DecodeAll(AfterAValidFrame(wire));
  EXPECT_EQ(d.stats.corrupt_length, 1u);
  EXPECT_EQ(d.stats.corrupt, 1u);
}

TEST(TraceDecoder, BadCobsIsCorrupt) {
  Decoded d = DecodeAll(AfterAValidFrame({0x09, 0x01, 0x02, 0x00}));
  EXPECT_EQ(d.stats.corrupt_cobs, 1u);
  EXPECT_EQ(d.stats.corrupt, 1u);
}

TEST(TraceDecoder, IncompleteFrameAtEndIsCorrupt) {
  Bytes wire = SendFrame(1);
  Bytes cut = SendFrame(2);
  wire.insert(wire.end(), cut.begin(), cut.begin() + 10);
  Decoded d = DecodeAll(wire);
  EXPECT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(d.stats.corrupt, 1u);
  EXPECT_EQ(d.stats.truncated_at_end, 1u);
}

TEST(TraceDecoder, OversizeRunIsDiscardedUpToNextDelimiter) {
  Bytes wire = SendFrame(1);
  Bytes junk(5000, 0x41);
  junk.push_back(0);
  Append(wire, junk);
  Append(wire, SendFrame(2));
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{100}, size_t{2058}}) {
    Decoded d = DecodeAll(wire, chunk);
    EXPECT_EQ(d.sink.lines.size(), 2u) << chunk;
    EXPECT_EQ(d.stats.oversize, 1u) << chunk;
    EXPECT_EQ(d.stats.corrupt, 0u) << chunk;
  }
}

TEST(TraceDecoder, LargestFrameIsAccepted) {
  NetFrame f{0, 1, 2021, {}};
  Bytes data(2021, 0x55);
  f.data = data;
  Bytes wire = Frame(RecordType::kNetTx, 1, 1, f);
  EXPECT_GT(wire.size(), 2048u);
  Decoded d = DecodeAll(wire, 100);
  EXPECT_EQ(d.sink.lines.size(), 1u);
  EXPECT_EQ(d.stats.oversize, 0u);
}

TEST(TraceDecoder, PayloadOverLimitIsCorrupt) {
  NetFrame f{0, 1, 2022, {}};
  Bytes data(2022, 0x55);
  f.data = data;
  Decoded d = DecodeAll(AfterAValidFrame(Frame(RecordType::kNetTx, 1, 1, f)));
  EXPECT_EQ(d.stats.corrupt_length, 1u);
  EXPECT_EQ(d.sink.lines.size(), 1u);
}

TEST(TraceDecoder, ResyncDropsPartialFrameSilently) {
  JsonCollector sink;
  TraceDecoder decoder(sink);
  Bytes first = SendFrame(1);
  decoder.Feed(std::span<const uint8_t>(first).first(10));
  decoder.Resync();
  Bytes rest = SendFrame(2);
  Bytes next = SendFrame(3);
  decoder.Feed(std::span<const uint8_t>(rest).subspan(5));  // tail of a frame joined mid-way
  decoder.Feed(next);
  decoder.Finish();
  EXPECT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(decoder.stats().corrupt, 0u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
