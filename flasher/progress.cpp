#include "flasher/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tockctl::flasher {

const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kConnect:
      return "connect";
    case Phase::kErase:
      return "erase";
    case Phase::kWrite:
      return "write";
    case Phase::kVerify:
      return "verify";
    case Phase::kReset:
      return "reset";
  }
  return "write";
}

namespace {

std::string Printf(const char* format, double v, const char* unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v, unit);
  return buf;
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes) / 1024;
  if (v < 1024) return Printf("%.1f %s", v, "KiB");
  return Printf("%.2f %s", v / 1024, "MiB");
}

std::string FormatRate(double bytes_per_second) {
  double v = bytes_per_second / 1024;
  if (v < 1024) return Printf("%.1f %s", v, "KiB/s");
  return Printf("%.2f %s", v / 1024, "MiB/s");
}

std::string FormatDuration(double seconds) {
  if (seconds < 60) return Printf("%.2f %s", seconds, "s");
  auto whole = static_cast<long>(std::lround(seconds));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ldm%02lds", whole / 60, whole % 60);
  return buf;
}

std::string RenderBar(const ProgressSnapshot& s, int width) {
  double fraction = s.total ? static_cast<double>(s.done) / static_cast<double>(s.total) : 1.0;
  int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
  char name[16];
  std::snprintf(name, sizeof name, "%-7s", PhaseName(s.phase));
  std::string out = std::string(name) + " [" + std::string(filled, '#') +
                    std::string(width - filled, '-') + "]  " + FormatBytes(s.done) + "/" +
                    FormatBytes(s.total);
  if (s.rate > 0) out += "  " + FormatRate(s.rate);
  if (s.eta) out += "  ETA " + FormatDuration(*s.eta);
  return out;
}

std::string RenderPhaseDone(const ProgressSnapshot& s) {
  char name[16];
  std::snprintf(name, sizeof name, "%-7s", PhaseName(s.phase));
  std::string out =
      std::string(name) + " " + FormatBytes(s.done) + " in " + FormatDuration(s.seconds);
  if (s.rate > 0) out += " (" + FormatRate(s.rate) + ")";
  return out;
}

nlohmann::ordered_json ProgressEvent(const ProgressSnapshot& s, const std::string& event) {
  return {{"event", event},
          {"phase", PhaseName(s.phase)},
          {"done", s.done},
          {"total", s.total},
          {"seconds", std::round(s.seconds * 1000) / 1000},
          {"rate", std::llround(s.rate)}};
}

ProgressPrinter::ProgressPrinter(ProgressStyle style, std::function<void(const std::string&)> write,
                                 const Clock& clock, std::chrono::milliseconds throttle,
                                 int bar_width)
    : style_(style),
      write_(std::move(write)),
      clock_(clock),
      throttle_(throttle),
      bar_width_(bar_width) {}

ProgressSnapshot ProgressPrinter::Snapshot() const {
  ProgressSnapshot s;
  s.phase = phase_;
  s.done = done_;
  s.total = total_;
  s.seconds = std::chrono::duration<double>(clock_.Now() - started_).count();
  if (s.seconds > 0 && done_ > 0) {
    s.rate = static_cast<double>(done_) / s.seconds;
    if (done_ <= total_) s.eta = static_cast<double>(total_ - done_) / s.rate;
  }
  return s;
}

void ProgressPrinter::Begin(Phase phase, uint64_t total_bytes) {
  phase_ = phase;
  total_ = total_bytes;
  done_ = 0;
  active_ = true;
  started_ = clock_.Now();
  last_draw_.reset();
  Draw(true);
}

void ProgressPrinter::Advance(uint64_t bytes_done_in_phase) {
  done_ = bytes_done_in_phase;
  Draw(false);
}

void ProgressPrinter::Draw(bool force) {
  if (style_ != ProgressStyle::kBar && style_ != ProgressStyle::kJson) return;
  auto now = clock_.Now();
  if (!force && last_draw_ && now - *last_draw_ < throttle_) return;
  last_draw_ = now;
  if (style_ == ProgressStyle::kJson) {
    write_(ProgressEvent(Snapshot(), "progress").dump() + "\n");
    return;
  }
  write_("\r" + RenderBar(Snapshot(), bar_width_) + "\033[K");
  bar_drawn_ = true;
}

void ProgressPrinter::ClearBar() {
  if (bar_drawn_) write_("\r\033[K");
  bar_drawn_ = false;
}

void ProgressPrinter::End(Phase phase) {
  if (!active_ || phase != phase_) return;
  active_ = false;
  ProgressSnapshot s = Snapshot();
  switch (style_) {
    case ProgressStyle::kBar:
      ClearBar();
      [[fallthrough]];
    case ProgressStyle::kLines:
      write_(RenderPhaseDone(s) + "\n");
      break;
    case ProgressStyle::kJson:
      write_(ProgressEvent(s, "phase").dump() + "\n");
      break;
    case ProgressStyle::kSilent:
      break;
  }
}

void ProgressPrinter::Message(const std::string& text) {
  switch (style_) {
    case ProgressStyle::kBar:
      ClearBar();
      write_(text + "\n");
      if (active_) Draw(true);
      break;
    case ProgressStyle::kLines:
      write_(text + "\n");
      break;
    case ProgressStyle::kJson:
      write_(nlohmann::ordered_json{{"event", "message"}, {"text", text}}.dump() + "\n");
      break;
    case ProgressStyle::kSilent:
      break;
  }
}

}  // namespace tockctl::flasher
