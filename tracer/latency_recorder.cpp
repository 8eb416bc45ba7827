#include "tracer/latency_recorder.h"

#include <algorithm>
#include <bit>

namespace tockctl::tracer {
namespace {

constexpr unsigned kSubBits = 6;
constexpr uint64_t kSub = uint64_t{1} << kSubBits;
constexpr size_t kBucketCount = kSub + (64 - kSubBits) * kSub;

size_t BucketOf(uint64_t v) {
  if (v < kSub) return static_cast<size_t>(v);
  const unsigned e = 63u - static_cast<unsigned>(std::countl_zero(v));
  const uint64_t sub = (v >> (e - kSubBits)) & (kSub - 1);
  return static_cast<size_t>(kSub + (e - kSubBits) * kSub + sub);
}

uint64_t LowerBoundOf(size_t bucket) {
  if (bucket < kSub) return bucket;
  const uint64_t e = (bucket - kSub) / kSub + kSubBits;
  const uint64_t sub = (bucket - kSub) % kSub;
  return (kSub + sub) << (e - kSubBits);
}

// 1-based nearest rank of percentile `p` among `n` values.
uint64_t Rank(uint64_t n, uint64_t p) { return std::max<uint64_t>(1, (n * p + 99) / 100); }

}  // namespace

void LatencyRecorder::Add(uint64_t value) {
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = count_ == 0 ? value : std::max(max_, value);
  ++count_;
  if (buckets_.empty()) {
    samples_.push_back(value);
    if (samples_.size() > kExactSamples) MoveSamplesToBuckets();
    return;
  }
  ++buckets_[BucketOf(value)];
}

void LatencyRecorder::MoveSamplesToBuckets() {
  buckets_.assign(kBucketCount, 0);
  for (uint64_t v : samples_) ++buckets_[BucketOf(v)];
  samples_.clear();
  samples_.shrink_to_fit();
}

uint64_t LatencyRecorder::BucketPercentile(uint64_t rank) const {
  uint64_t seen = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= rank) return std::clamp(LowerBoundOf(b), min_, max_);
  }
  return max_;
}

LatencySummary LatencyRecorder::Summarize() const {
  LatencySummary s;
  if (count_ == 0) return s;
  s.count = count_;
  s.min = min_;
  s.max = max_;
  if (!buckets_.empty()) {
    s.p50 = BucketPercentile(Rank(count_, 50));
    s.p99 = BucketPercentile(Rank(count_, 99));
    return s;
  }
  std::vector<uint64_t> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  s.p50 = sorted[Rank(count_, 50) - 1];
  s.p99 = sorted[Rank(count_, 99) - 1];
  return s;
}

}  // namespace tockctl::tracer
