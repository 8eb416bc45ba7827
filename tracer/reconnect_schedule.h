// When a trace source whose link vanished tries to bring it back, on the common Clock (tests pass
// tockctl::testing::ManualClock).
#pragma once

#include <chrono>

#include "common/clock.h"

namespace tockctl::tracer {

/// When a vanished link should next try to come back: one attempt per interval.
class ReconnectSchedule {
 public:
  /// `clock` is borrowed and must outlive the schedule.
  ReconnectSchedule(std::chrono::milliseconds interval, Clock& clock);
  /// Records an attempt made now; the next one is due one interval later.
  void Attempted();
  /// Waits until the next attempt is due or `deadline` passes; true if an attempt is due.
  bool WaitUntilDue(Clock::TimePoint deadline);
  Clock& clock() { return *clock_; }

 private:
  std::chrono::milliseconds interval_;
  Clock* clock_;
  Clock::TimePoint next_{};
};

}  // namespace tockctl::tracer
