// Progress of a flash run for people and programs: bars with rate and ETA on a terminal, plain
// lines otherwise, one JSON event per line with --json.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "flasher/flash_backend.h"

namespace tockctl::flasher {

/// Where a phase stands.
struct ProgressSnapshot {
  Phase phase = Phase::kWrite;
  uint64_t done = 0;
  uint64_t total = 0;
  double seconds = 0;         ///< Since Begin.
  double rate = 0;            ///< Bytes per second so far (0 until time has passed).
  std::optional<double> eta;  ///< Seconds left, when the rate is known.
};

/// "connect", "erase", "write", "verify", "reset".
const char* PhaseName(Phase phase);
/// "512 B", "12.5 KiB", "1.00 MiB".
std::string FormatBytes(uint64_t bytes);
/// "3.20 MiB/s".
std::string FormatRate(double bytes_per_second);
/// "0.31 s", "2m05s".
std::string FormatDuration(double seconds);

/// "write   [##########----------]  512.0 KiB/1.00 MiB  3.20 MiB/s  ETA 0.16 s" (`width` cells).
std::string RenderBar(const ProgressSnapshot& s, int width);
/// "write   1.00 MiB in 0.31 s (3.20 MiB/s)".
std::string RenderPhaseDone(const ProgressSnapshot& s);
/// {"event": event, "phase", "done", "total", "seconds", "rate"} (rate in bytes/s, rounded).
nlohmann::ordered_json ProgressEvent(const ProgressSnapshot& s, const std::string& event);

/// A ProgressSink that ignores everything.
class NullProgress : public ProgressSink {
 public:
  void Begin(Phase, uint64_t) override {}
  void Advance(uint64_t) override {}
  void End(Phase) override {}
  void Message(const std::string&) override {}
};

/// How progress is shown.
enum class ProgressStyle {
  kBar,     ///< Terminal: one bar redrawn in place with \r (at most every `throttle`).
  kLines,   ///< Not a terminal: one line when each phase ends.
  kJson,    ///< One JSON object per line: "progress" events (throttled), "phase" at each end.
  kSilent,  ///< Nothing (-q).
};

/// A ProgressSink that renders snapshots through `write` (which receives complete text, newlines
/// included) and remembers each phase's totals for the summary.
class ProgressPrinter : public ProgressSink {
 public:
  ProgressPrinter(ProgressStyle style, std::function<void(const std::string&)> write,
                  const Clock& clock = SystemClock(),
                  std::chrono::milliseconds throttle = std::chrono::milliseconds(100),
                  int bar_width = 30);

  void Begin(Phase phase, uint64_t total_bytes) override;
  void Advance(uint64_t bytes_done_in_phase) override;
  void End(Phase phase) override;
  void Message(const std::string& text) override;

 private:
  ProgressSnapshot Snapshot() const;
  void Draw(bool force);
  void ClearBar();

  ProgressStyle style_;
  std::function<void(const std::string&)> write_;
  const Clock& clock_;
  std::chrono::milliseconds throttle_;
  int bar_width_;
  Phase phase_ = Phase::kConnect;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  bool active_ = false;
  bool bar_drawn_ = false;
  Clock::TimePoint started_{};
  std::optional<Clock::TimePoint> last_draw_;
};

}  // namespace tockctl::flasher
