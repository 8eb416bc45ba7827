// Time as tockctl's libraries see it, behind one interface so that tests can fix it: a monotonic
// clock for durations, deadlines and pacing, wall-clock time for timestamps, and waiting.
// Production code uses SystemClock(); tests use tockctl::testing::ManualClock
// (tests/support/manual_clock.h), which moves only when told to.
#pragma once

#include <chrono>
#include <cstdint>

namespace tockctl {

/// A monotonic clock that can wait, and the wall-clock time beside it.
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;

  /// The current monotonic time (never goes back; for durations and deadlines).
  virtual TimePoint Now() const = 0;
  /// Nanoseconds since the Unix epoch (for timestamps people and capture files read).
  virtual int64_t WallNs() const = 0;
  /// Returns once Now() >= `when` (at once if it already is).
  virtual void SleepUntil(TimePoint when) = 0;

  /// Now() in nanoseconds since the monotonic clock's epoch.
  int64_t MonotonicNs() const;
};

/// The system's clocks: std::chrono::steady_clock, std::chrono::system_clock and
/// std::this_thread::sleep_until. One object for the process (it holds no state); never fails.
Clock& SystemClock();

}  // namespace tockctl
