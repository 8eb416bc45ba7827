// Time as the trace sources see it (pacing, reconnect polling); tests substitute a manual clock.
#pragma once

#include <chrono>
#include <memory>

namespace tockctl::tracer {

/// A monotonic clock that can also wait.
class SourceClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~SourceClock() = default;
  /// The current time.
  virtual TimePoint Now() = 0;
  /// Returns once Now() >= `when` (at once if it already is).
  virtual void SleepUntil(TimePoint when) = 0;
};

/// std::chrono::steady_clock and std::this_thread::sleep_until.
std::shared_ptr<SourceClock> RealSourceClock();

/// When a vanished link should next try to come back: one attempt per interval.
class ReconnectSchedule {
 public:
  ReconnectSchedule(std::chrono::milliseconds interval, std::shared_ptr<SourceClock> clock);
  /// Records an attempt made now; the next one is due one interval later.
  void Attempted();
  /// Waits until the next attempt is due or `deadline` passes; true if an attempt is due.
  bool WaitUntilDue(SourceClock::TimePoint deadline);
  SourceClock& clock() { return *clock_; }

 private:
  std::chrono::milliseconds interval_;
  std::shared_ptr<SourceClock> clock_;
  SourceClock::TimePoint next_{};
};

}  // namespace tockctl::tracer
