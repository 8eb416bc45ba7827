// Damaged v1 streams: the decoder must not crash, must not emit a record from a damaged frame,
// and must count exactly the damage the test injected. (Damage next to console text in v2 streams
// is in console_framing_test.cpp.)
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "tests/trace_encoding/sample_stream.h"
#include "tests/tracer/trace_test_util.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using Bytes = std::vector<uint8_t>;

struct Stream {
  Bytes wire;
  std::vector<std::pair<size_t, size_t>> frames;  ///< [start, end) of each frame incl. delimiter.
};

// A realistic stream, with the position of every frame.
Stream MakeStream(uint64_t seed, size_t bytes) {
  SampleStreamOptions o;
  o.seed = seed;
  o.version = kProtocolVersion1;
  SampleStream s(o);
  Stream st;
  s.AppendPreamble(st.wire);
  s.AppendMix(st.wire, bytes);
  size_t start = 1;  // the preamble starts with a lone 0x00
  for (size_t i = 1; i < st.wire.size(); ++i) {
    if (st.wire[i] == 0) {
      st.frames.emplace_back(start, i + 1);
      start = i + 1;
    }
  }
  return st;
}

struct Outcome {
  std::vector<std::string> lines;
  DecoderStats stats;
};

Outcome Decode(const Bytes& wire, uint64_t chunk_seed) {
  testing::JsonCollector sink;
  TraceDecoder decoder(sink);
  std::mt19937 rng(static_cast<uint32_t>(chunk_seed));
  for (size_t off = 0; off < wire.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 3000, wire.size() - off);
    decoder.Feed(std::span<const uint8_t>(wire).subspan(off, n));
    off += n;
  }
  decoder.Finish();
  return {sink.lines, decoder.stats()};
}

// Every emitted record must be exactly the original record with the same seq.
void ExpectOnlyOriginalRecords(const Outcome& damaged, const Outcome& clean) {
  std::map<std::string, std::string> by_seq;
  for (const auto& line : clean.lines) by_seq[line.substr(0, line.find(','))] = line;
  for (const auto& line : damaged.lines) {
    auto it = by_seq.find(line.substr(0, line.find(',')));
    ASSERT_NE(it, by_seq.end()) << "record that was never sent: " << line;
    ASSERT_EQ(line, it->second);
  }
}

TEST(Corruption, BitFlipsInsideFramesAreCountedAsCorruptAndLost) {
  const Stream st = MakeStream(11, 300000);
  const Outcome clean = Decode(st.wire, 1);
  ASSERT_EQ(clean.stats.corrupt, 0u);
  std::mt19937 rng(2024);
  Bytes wire = st.wire;
  std::set<size_t> hit;
  for (int flips = 0; flips < 200; ++flips) {
    const size_t f =
        rng() % (st.frames.size() - 1);  // never the last frame: a gap needs a successor
    const auto [start, end] = st.frames[f];
    const size_t pos = start + rng() % (end - 1 - start);  // not the delimiter
    const auto bit = static_cast<uint8_t>(1u << (rng() % 8));
    if ((wire[pos] ^ bit) == 0) continue;  // would create a delimiter: another test covers that
    wire[pos] ^= bit;
    hit.insert(f);
  }
  const Outcome got = Decode(wire, 2);
  ExpectOnlyOriginalRecords(got, clean);
  EXPECT_EQ(got.stats.corrupt, hit.size());
  EXPECT_EQ(got.stats.gap, hit.size());
  EXPECT_EQ(got.stats.records, clean.stats.records - hit.size());
  EXPECT_EQ(got.stats.malformed + got.stats.unknown_type + got.stats.oversize, 0u);
}

TEST(Corruption, ArbitraryBitFlipsNeverProduceForeignRecords) {
  const Stream st = MakeStream(12, 200000);
  const Outcome clean = Decode(st.wire, 1);
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    Bytes wire = st.wire;
    for (int i = 0; i < 100; ++i)
      wire[rng() % wire.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    const Outcome got = Decode(wire, seed);
    ExpectOnlyOriginalRecords(got, clean);
    EXPECT_GT(got.stats.corrupt, 0u);
    EXPECT_LT(got.stats.records, clean.stats.records);
    EXPECT_GE(got.stats.gap + 100, clean.stats.records - got.stats.records);
  }
}

TEST(Corruption, TruncatedFramesAreCorruptAndLost) {
  const Stream st = MakeStream(13, 200000);
  const Outcome clean = Decode(st.wire, 1);
  std::mt19937 rng(99);
  Bytes wire;
  size_t truncated = 0;
  wire.push_back(0);
  for (size_t f = 0; f < st.frames.size(); ++f) {
    auto [start, end] = st.frames[f];
    if (f + 1 < st.frames.size() && rng() % 10 == 0) {
      end = start + 1 + rng() % (end - start - 2);  // keep at least one byte, drop the tail
      wire.insert(wire.end(), st.wire.begin() + static_cast<ptrdiff_t>(start),
                  st.wire.begin() + static_cast<ptrdiff_t>(end));
      wire.push_back(0);
      ++truncated;
      continue;
    }
    wire.insert(wire.end(), st.wire.begin() + static_cast<ptrdiff_t>(start),
                st.wire.begin() + static_cast<ptrdiff_t>(end));
  }
  ASSERT_GT(truncated, 10u);
  const Outcome got = Decode(wire, 3);
  ExpectOnlyOriginalRecords(got, clean);
  EXPECT_EQ(got.stats.corrupt, truncated);
  EXPECT_EQ(got.stats.gap, truncated);
  EXPECT_EQ(got.stats.records, clean.stats.records - truncated);
}

TEST(Corruption, GarbageBetweenFramesIsCorruptButLosesNothing) {
  const Stream st = MakeStream(14, 200000);
  const Outcome clean = Decode(st.wire, 1);
  std::mt19937 rng(5);
  Bytes wire = {0};
  size_t garbage = 0;
  for (const auto& [start, end] : st.frames) {
    wire.insert(wire.end(), st.wire.begin() + static_cast<ptrdiff_t>(start),
                st.wire.begin() + static_cast<ptrdiff_t>(end));
    if (rng() % 8 != 0) continue;
    const size_t n = 1 + rng() % 300;
    for (size_t i = 0; i < n; ++i) wire.push_back(static_cast<uint8_t>(1 + rng() % 255));
    wire.push_back(0);
    ++garbage;
  }
  const Outcome got = Decode(wire, 4);
  EXPECT_EQ(got.lines, clean.lines);
  EXPECT_EQ(got.stats.corrupt, garbage);
  EXPECT_EQ(got.stats.gap, 0u);
}

TEST(Corruption, OversizeRunsAreDiscardedAndCounted) {
  const Stream st = MakeStream(15, 100000);
  const Outcome clean = Decode(st.wire, 1);
  Bytes wire = {0};
  size_t oversize = 0;
  for (size_t f = 0; f < st.frames.size(); ++f) {
    const auto [start, end] = st.frames[f];
    wire.insert(wire.end(), st.wire.begin() + static_cast<ptrdiff_t>(start),
                st.wire.begin() + static_cast<ptrdiff_t>(end));
    if (f % 50 != 0) continue;
    wire.insert(wire.end(), 2059 + f, static_cast<uint8_t>(0x5A));
    wire.push_back(0);
    ++oversize;
  }
  const Outcome got = Decode(wire, 5);
  EXPECT_EQ(got.lines, clean.lines);
  EXPECT_EQ(got.stats.oversize, oversize);
  EXPECT_EQ(got.stats.corrupt, 0u);
}

TEST(Corruption, FrameOfExactlyTheLimitIsNotOversize) {
  // 2058 empty COBS blocks: within the encoded limit, but they decode to 2057 zero bytes, which
  // is over the payload limit, so the frame is corrupt rather than oversize.
  Bytes wire = testing::SendFrame(0, kProtocolVersion1);  // makes the stream v1 (spec 2.5)
  wire.insert(wire.end(), 2058, 0x01);
  wire.push_back(0);
  Outcome got = Decode(wire, 6);
  EXPECT_EQ(got.stats.oversize, 0u);
  EXPECT_EQ(got.stats.corrupt_length, 1u);
  wire.insert(wire.end() - 1, 0x01);  // one byte more is oversize
  got = Decode(wire, 6);
  EXPECT_EQ(got.stats.oversize, 1u);
  EXPECT_EQ(got.stats.corrupt, 0u);
}

TEST(Corruption, StreamCutMidFrame) {
  const Stream st = MakeStream(16, 50000);
  const Outcome clean = Decode(st.wire, 1);
  const auto [start, end] = st.frames[st.frames.size() / 2];
  Bytes wire(st.wire.begin(), st.wire.begin() + static_cast<ptrdiff_t>(start + (end - start) / 2));
  const Outcome got = Decode(wire, 7);
  ExpectOnlyOriginalRecords(got, clean);
  EXPECT_EQ(got.stats.records, st.frames.size() / 2);
  EXPECT_EQ(got.stats.corrupt, 1u);
  EXPECT_EQ(got.stats.truncated_at_end, 1u);
}

TEST(Corruption, RandomBytesNeverCrash) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 50; ++trial) {
    Bytes wire(10000 + rng() % 50000);
    for (auto& b : wire) b = (rng() % 16 == 0) ? 0 : static_cast<uint8_t>(rng());
    const Outcome got = Decode(wire, static_cast<uint64_t>(trial));
    EXPECT_EQ(got.stats.records, 0u);
    EXPECT_EQ(got.stats.bytes, wire.size());
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
