#include "tracer/source_clock.h"

#include <algorithm>
#include <thread>

namespace tockctl::tracer {

namespace {

class SteadySourceClock : public SourceClock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepUntil(TimePoint when) override { std::this_thread::sleep_until(when); }
};

}  // namespace

std::shared_ptr<SourceClock> RealSourceClock() { return std::make_shared<SteadySourceClock>(); }

ReconnectSchedule::ReconnectSchedule(std::chrono::milliseconds interval,
                                     std::shared_ptr<SourceClock> clock)
    : interval_(interval), clock_(std::move(clock)) {}

void ReconnectSchedule::Attempted() { next_ = clock_->Now() + interval_; }

bool ReconnectSchedule::WaitUntilDue(SourceClock::TimePoint deadline) {
  clock_->SleepUntil(std::min(next_, deadline));
  return clock_->Now() >= next_;
}

}  // namespace tockctl::tracer
