// The one test clock: tockctl::Clock (common/clock.h) that moves only when the test moves it.
// No GoogleTest here: bench/ and fuzz/ may use it too.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace tockctl::testing {

/// A Clock that stands still until Advance() or SleepUntil() (which returns at once, the clock
/// set to the time asked for), or moves by a fixed step on each reading of Now() when told to.
/// Wall-clock time moves with it, from `wall_ns` at the start.
class ManualClock : public Clock {
 public:
  /// 2023-11-14 22:13:20 UTC: a wall-clock start that reads well in expected output.
  static constexpr int64_t kStartWallNs = 1'700'000'000'000'000'000;

  explicit ManualClock(int64_t wall_ns = kStartWallNs) : start_wall_ns_(wall_ns) {}

  TimePoint Now() const override;
  int64_t WallNs() const override;
  void SleepUntil(TimePoint when) override;

  /// Moves the clock on by `by`.
  void Advance(std::chrono::nanoseconds by) { now_ += by; }
  /// From now on every reading of Now() first moves the clock on by `step` (a loop that reads the
  /// clock sees time pass without the test stepping in); 0 stops that.
  void AdvanceOnEachReading(std::chrono::nanoseconds step) { step_ = step; }

 private:
  static constexpr TimePoint kStart{std::chrono::seconds(1000)};

  int64_t start_wall_ns_;
  std::chrono::nanoseconds step_{0};
  mutable TimePoint now_{kStart};
};

}  // namespace tockctl::testing
