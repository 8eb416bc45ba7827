#include "tests/support/manual_clock.h"

namespace tockctl::testing {

Clock::TimePoint ManualClock::Now() const {
  now_ += step_;
  return now_;
}

int64_t ManualClock::WallNs() const {
  return start_wall_ns_ +
         std::chrono::duration_cast<std::chrono::nanoseconds>(now_ - kStart).count();
}

void ManualClock::SleepUntil(TimePoint when) {
  if (when > now_) now_ = when;
}

}  // namespace tockctl::testing
