#include "tracer/cobs.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using Bytes = std::vector<uint8_t>;

Bytes Encode(const Bytes& payload) {
  Bytes out;
  CobsEncode(payload, out);
  return out;
}

std::optional<Bytes> Decode(const Bytes& encoded, size_t cap = 4096) {
  Bytes out(cap);
  auto n = CobsDecode(encoded, out);
  if (!n) return std::nullopt;
  out.resize(*n);
  return out;
}

Bytes Counting(uint8_t first, size_t n) {
  Bytes b;
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(first + i));
  return b;
}

TEST(Cobs, SpecExamples) {
  EXPECT_EQ(Encode({}), (Bytes{0x01}));
  EXPECT_EQ(Encode({0x00}), (Bytes{0x01, 0x01}));
  EXPECT_EQ(Encode({0x11, 0x22, 0x00, 0x33}), (Bytes{0x03, 0x11, 0x22, 0x02, 0x33}));
  EXPECT_EQ(Encode({0x11, 0x00, 0x00}), (Bytes{0x02, 0x11, 0x01, 0x01}));
}

TEST(Cobs, FullRunHasNoTrailingBlock) {
  Bytes payload = Counting(1, 254);
  Bytes expected = {0xFF};
  expected.insert(expected.end(), payload.begin(), payload.end());
  EXPECT_EQ(Encode(payload), expected);
}

TEST(Cobs, RunOf255) {
  Bytes payload = Counting(1, 255);
  Bytes expected = {0xFF};
  expected.insert(expected.end(), payload.begin(), payload.end() - 1);
  expected.push_back(0x02);
  expected.push_back(0xFF);
  EXPECT_EQ(Encode(payload), expected);
}

TEST(Cobs, DecodesBothFormsOfAFullRun) {
  Bytes payload = Counting(1, 254);
  Bytes encoded = Encode(payload);
  EXPECT_EQ(Decode(encoded), payload);
  encoded.push_back(0x01);
  EXPECT_EQ(Decode(encoded), payload);
}

TEST(Cobs, RoundTripsRandomPayloads) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    Bytes payload(rng() % 2100);
    for (auto& b : payload) b = (rng() % 4 == 0) ? 0 : static_cast<uint8_t>(rng());
    Bytes encoded = Encode(payload);
    ASSERT_EQ(std::count(encoded.begin(), encoded.end(), 0), 0);
    ASSERT_EQ(Decode(encoded), payload);
  }
}

TEST(Cobs, RejectsBlockPastEnd) { EXPECT_EQ(Decode({0x05, 0x11, 0x22}), std::nullopt); }

TEST(Cobs, RejectsZeroCodeByte) {
  EXPECT_EQ(Decode({0x00}), std::nullopt);
  EXPECT_EQ(Decode({0x02, 0x11, 0x00, 0x05}), std::nullopt);
}

TEST(Cobs, RejectsOutputLargerThanBuffer) {
  EXPECT_EQ(Decode({0x04, 0x11, 0x22, 0x33}, 2), std::nullopt);
  EXPECT_EQ(Decode({0x02, 0x11, 0x01}, 1), std::nullopt);
  EXPECT_EQ(Decode({0x02, 0x11, 0x01}, 2), (Bytes{0x11, 0x00}));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
