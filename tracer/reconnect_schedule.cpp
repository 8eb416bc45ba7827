#include "tracer/reconnect_schedule.h"

#include <algorithm>

namespace tockctl::tracer {

ReconnectSchedule::ReconnectSchedule(std::chrono::milliseconds interval, Clock& clock)
    : interval_(interval), clock_(&clock) {}

void ReconnectSchedule::Attempted() { next_ = clock_->Now() + interval_; }

bool ReconnectSchedule::WaitUntilDue(Clock::TimePoint deadline) {
  clock_->SleepUntil(std::min(next_, deadline));
  return clock_->Now() >= next_;
}

}  // namespace tockctl::tracer
