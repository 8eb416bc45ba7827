// Host clocks used by trace sessions, behind an interface so tests can fix time.
#pragma once

#include <cstdint>

namespace tockctl::tracer {

/// Wall-clock and monotonic time in nanoseconds.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Nanoseconds since the Unix epoch.
  virtual int64_t WallNs() const = 0;
  /// Nanoseconds on a clock that never goes back (for durations).
  virtual int64_t MonotonicNs() const = 0;
};

/// The system's realtime and steady clocks.
class SystemClock : public Clock {
 public:
  int64_t WallNs() const override;
  int64_t MonotonicNs() const override;
};

}  // namespace tockctl::tracer
