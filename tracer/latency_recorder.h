// Latency distribution with bounded memory: exact for the first samples, then a log-linear
// histogram (64 sub-buckets per power of two, under 1.6 % relative error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tockctl::tracer {

/// min / p50 / p99 / max of the recorded values (nearest-rank percentiles).
struct LatencySummary {
  uint64_t count = 0;
  uint64_t min = 0;
  uint64_t p50 = 0;
  uint64_t p99 = 0;
  uint64_t max = 0;
};

/// Records non-negative durations; memory never exceeds about 38 KiB per recorder.
class LatencyRecorder {
 public:
  static constexpr size_t kExactSamples = 1024;

  /// Adds one value.
  void Add(uint64_t value);
  /// Summary of everything added; all zero when nothing was added.
  LatencySummary Summarize() const;

 private:
  void MoveSamplesToBuckets();
  uint64_t BucketPercentile(uint64_t rank) const;

  uint64_t count_ = 0;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  std::vector<uint64_t> samples_;
  std::vector<uint64_t> buckets_;
};

}  // namespace tockctl::tracer
