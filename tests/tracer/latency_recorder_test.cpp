#include "tracer/latency_recorder.h"

#include <gtest/gtest.h>

#include <random>

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(LatencyRecorder, EmptyIsAllZero) {
  LatencyRecorder r;
  const LatencySummary s = r.Summarize();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.max, 0u);
}

TEST(LatencyRecorder, ExactNearestRankForFewSamples) {
  LatencyRecorder r;
  for (uint64_t v = 1; v <= 100; ++v) r.Add(v * 1000);
  const LatencySummary s = r.Summarize();
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.min, 1000u);
  EXPECT_EQ(s.p50, 50000u);
  EXPECT_EQ(s.p99, 99000u);
  EXPECT_EQ(s.max, 100000u);
}

TEST(LatencyRecorder, SingleSample) {
  LatencyRecorder r;
  r.Add(140000);
  const LatencySummary s = r.Summarize();
  EXPECT_EQ(s.min, 140000u);
  EXPECT_EQ(s.p50, 140000u);
  EXPECT_EQ(s.p99, 140000u);
}

TEST(LatencyRecorder, ManySamplesStayWithinTwoPercent) {
  LatencyRecorder r;
  std::mt19937_64 rng(3);
  std::vector<uint64_t> all;
  for (int i = 0; i < 200000; ++i) {
    const uint64_t v = 1000 + rng() % 5000000;
    all.push_back(v);
    r.Add(v);
  }
  std::sort(all.begin(), all.end());
  const LatencySummary s = r.Summarize();
  EXPECT_EQ(s.count, all.size());
  EXPECT_EQ(s.min, all.front());
  EXPECT_EQ(s.max, all.back());
  const double p50 = static_cast<double>(all[all.size() / 2 - 1]);
  const double p99 = static_cast<double>(all[all.size() * 99 / 100 - 1]);
  EXPECT_NEAR(static_cast<double>(s.p50), p50, p50 * 0.02);
  EXPECT_NEAR(static_cast<double>(s.p99), p99, p99 * 0.02);
}

TEST(LatencyRecorder, SmallAndHugeValues) {
  LatencyRecorder r;
  for (int i = 0; i < 2000; ++i) r.Add(i % 2 == 0 ? 3 : UINT64_MAX / 2);
  const LatencySummary s = r.Summarize();
  EXPECT_EQ(s.min, 3u);
  EXPECT_EQ(s.p50, 3u);
  EXPECT_EQ(s.max, UINT64_MAX / 2);
  EXPECT_NEAR(static_cast<double>(s.p99), static_cast<double>(UINT64_MAX / 2),
              static_cast<double>(UINT64_MAX / 2) * 0.02);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
