#include "flasher/flash_runner.h"

#include <cmath>

#include "common/error.h"

namespace tockctl::flasher {
namespace {

using TimePoint = Clock::TimePoint;

double Seconds(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

// Where the run stands, so that a failure or an interruption can say what it left on the device.
struct RunPosition {
  const std::atomic<bool>* stop = nullptr;
  bool writes = true;   ///< The plan writes (not --verify-only).
  bool apps = false;    ///< The plan rewrites pages of app flash for an app command.
  bool erased = false;  ///< A separate erase step ran before the write.
  Phase phase = Phase::kConnect;
  uint64_t done = 0;
  uint64_t total = 0;
  bool refused_first = false;  ///< The device answered the phase's first command with an error.

  /// Throws Error(kInterrupted) once a stop was asked for (Ctrl-C, SIGTERM, SIGHUP).
  void CheckStop() const {
    if (stop != nullptr && stop->load())
      throw Error(ErrorCategory::kInterrupted,
                  std::string("interrupted during ") + PhaseName(phase));
  }
};

// Turns a back-end's per-call progress into progress over the whole phase; checks for a stop
// request at each step.
class PhaseOffsetSink : public ProgressSink {
 public:
  PhaseOffsetSink(ProgressSink& outer, RunPosition& position)
      : outer_(outer), position_(position) {}
  void Begin(Phase phase, uint64_t total) override { outer_.Begin(phase, total); }
  void Advance(uint64_t done) override {
    position_.done = base_ + done;
    outer_.Advance(base_ + done);
    position_.CheckStop();
  }
  void End(Phase phase) override { outer_.End(phase); }
  void Message(const std::string& text) override { outer_.Message(text); }
  void Finished(uint64_t bytes) {
    base_ += bytes;
    position_.done = base_;
    outer_.Advance(base_);
    position_.CheckStop();
  }

 private:
  ProgressSink& outer_;
  RunPosition& position_;
  uint64_t base_ = 0;
};

template <typename StepFn>
PhaseStats RunPhase(Phase phase, uint64_t total, ProgressSink& progress, const Clock& clock,
                    RunPosition& position, StepFn step) {
  position.phase = phase;
  position.done = 0;
  position.total = total;
  position.CheckStop();
  PhaseOffsetSink sink(progress, position);
  TimePoint start = clock.Now();
  sink.Begin(phase, total);
  step(sink);
  sink.End(phase);
  return {total, Seconds(start, clock.Now())};
}

std::string Amount(const RunPosition& p) {
  return FormatBytes(p.done) + " of " + FormatBytes(p.total);
}

// What a run that ended at `p` leaves on the device, and what to do.
std::string DeviceStateAt(const RunPosition& p) {
  if (!p.writes || p.phase == Phase::kConnect)
    return "nothing was written; the device is unchanged";
  switch (p.phase) {
    case Phase::kErase:
      if (p.done == 0 && p.refused_first)
        return "the device refused the first erase and reported nothing erased; check the old "
               "image with --verify-only before you rely on it";
      return "the flash was being erased (" + Amount(p) +
             "), so the old image is damaged and will not start: flash again";
    case Phase::kWrite:
      if (p.apps)
        return "app flash is partly rewritten (" + Amount(p) +
               " written), so the kernel may find a broken app list: run the same app command "
               "again (tockctl app list shows what the board holds)";
      return "the image on the device is partial (" + Amount(p) +
             " written) and will not start: flash again";
    case Phase::kVerify:
      return "the image was written completely but not verified: check it with --verify-only";
    default:
      return "the image was written and verified but may not have started: reset the device";
  }
}

// The error with the state of the device added, where the device may have changed or the user
// stopped the run. A verify mismatch already says what differs.
Error WithDeviceState(const Error& e, const RunPosition& p) {
  const bool interrupted = e.category() == ErrorCategory::kInterrupted;
  if (!interrupted && (!p.writes || p.phase == Phase::kConnect)) return e;
  // A back-end that refuses an image before sending its first byte (a bootloader's limits) leaves
  // the device as it was; a link that fails may have taken bytes, so that still says "partial".
  const bool refused =
      e.category() == ErrorCategory::kInvalidInput || e.category() == ErrorCategory::kUsage;
  if (refused && p.phase == Phase::kWrite && p.done == 0 && !p.erased) return e;
  if (p.phase == Phase::kVerify && e.category() == ErrorCategory::kDeviceReported) return e;
  RunPosition at = p;
  at.refused_first = e.category() == ErrorCategory::kDeviceReported && p.done == 0;
  std::string hint = DeviceStateAt(at);
  if (!e.hint().empty()) hint += "; " + e.hint();
  return Error(e.category(), e.message(), e.context(), hint);
}

void VerifyAll(const FlashPlan& plan, FlashBackend& backend, PhaseOffsetSink& sink) {
  for (const auto& s : plan.segments) {
    VerifyResult r = backend.Verify(*s.segment, sink);
    if (!r.match) {
      ErrorContext ctx;
      ctx.device = backend.name();
      ctx.operation = "verify";
      throw Error(ErrorCategory::kDeviceReported,
                  "verify failed: segment " + s.name + " differs from the image at " +
                      HexAddress(r.first_mismatch) +
                      (r.detail.empty() ? "" : " (" + r.detail + ")"),
                  ctx, "flash again; if it keeps failing the flash or the connection is faulty");
    }
    sink.Finished(s.end - s.start);
  }
}

FlashOutcome RunSteps(const FlashPlan& plan, FlashBackend& backend, ProgressSink& progress,
                      const Clock& clock, RunPosition& at,
                      const std::function<void()>& before_start) {
  FlashOutcome out;
  TimePoint start = clock.Now();
  at.CheckStop();
  if (plan.steps.connect) backend.Connect(progress);
  if (plan.steps.erase) {
    out.erase =
        RunPhase(Phase::kErase, plan.erase_bytes, progress, clock, at, [&](PhaseOffsetSink& s) {
          for (const auto& e : plan.erase) {
            backend.Erase(e.start, e.end - e.start, s);
            s.Finished(e.end - e.start);
          }
        });
    at.erased = true;
  }
  if (plan.steps.write) {
    out.write =
        RunPhase(Phase::kWrite, plan.write_bytes, progress, clock, at, [&](PhaseOffsetSink& s) {
          for (const auto& seg : plan.segments) {
            backend.Write(*seg.segment, s);
            s.Finished(seg.end - seg.start);
          }
        });
  }
  if (plan.steps.verify) {
    out.verify = RunPhase(Phase::kVerify, plan.write_bytes, progress, clock, at,
                          [&](PhaseOffsetSink& s) { VerifyAll(plan, backend, s); });
    out.verified = true;
  }
  at.phase = Phase::kReset;
  if (plan.steps.start && plan.steps.restart) {
    if (before_start) before_start();
    std::optional<std::string> restarted = backend.Restart();
    out.started = restarted.has_value();
    out.start_report = restarted.value_or("");
  } else if (plan.steps.start) {
    if (before_start) before_start();
    backend.Start(plan.steps.write ? plan.entry : std::nullopt);
    out.started = true;
    out.start_report = backend.StartReport();
  } else {
    backend.Disconnect();
  }
  out.written_file = backend.written_file();
  out.left_running = backend.started_json();
  out.seconds = Seconds(start, clock.Now());
  return out;
}

}  // namespace

FlashOutcome ExecutePlan(const FlashPlan& plan, FlashBackend& backend, ProgressSink& progress,
                         const Clock& clock, const std::atomic<bool>* stop,
                         const std::function<void()>& before_start) {
  RunPosition at;
  at.stop = stop;
  at.writes = plan.steps.write;
  at.apps = plan.steps.restart;
  try {
    return RunSteps(plan, backend, progress, clock, at, before_start);
  } catch (const Error& e) {
    throw WithDeviceState(e, at);
  }
}

std::string RenderSummary(const FlashPlan& plan, const FlashOutcome& outcome) {
  if (outcome.written_file)
    return "Wrote " + FormatBytes(plan.write_bytes) + " for " + plan.board + " to " +
           outcome.written_file->path + " via " + plan.method + " in " +
           FormatDuration(outcome.seconds) +
           "; the board is not flashed yet: " + outcome.written_file->next_step;
  std::string out;
  if (plan.steps.write) {
    double busy = outcome.erase.seconds + outcome.write.seconds + outcome.verify.seconds;
    out = "Flashed " + FormatBytes(plan.write_bytes) + " to " + plan.board + " via " + plan.method +
          " in " + FormatDuration(outcome.seconds);
    if (busy > 0) out += " (" + FormatRate(static_cast<double>(plan.write_bytes) / busy) + ")";
  } else {
    out = "Checked " + FormatBytes(plan.write_bytes) + " on " + plan.board + " via " + plan.method +
          " in " + FormatDuration(outcome.seconds);
  }
  if (outcome.verified) out += ", verified";
  if (outcome.started && !outcome.start_report.empty())
    out += ", " + outcome.start_report;
  else if (outcome.started && !plan.steps.write)
    out += ", resumed";
  else if (outcome.started)
    out += plan.entry ? ", started at " + HexAddress(*plan.entry) : ", reset";
  else if (plan.steps.write)
    out += ", left halted";
  return out;
}

nlohmann::ordered_json SummaryToJson(const FlashPlan& plan, const FlashOutcome& outcome) {
  auto phase = [](const PhaseStats& p) {
    return nlohmann::ordered_json{{"bytes", p.bytes},
                                  {"seconds", std::round(p.seconds * 1e4) / 1e4}};
  };
  double busy = outcome.erase.seconds + outcome.write.seconds + outcome.verify.seconds;
  nlohmann::ordered_json j = {
      {"event", "summary"},
      {"board", plan.board},
      {"method", plan.method},
      {"bytes", plan.write_bytes},
      {"seconds", std::round(outcome.seconds * 1e4) / 1e4},
      {"rate", busy > 0 ? std::llround(static_cast<double>(plan.write_bytes) / busy) : 0},
      {"erase", phase(outcome.erase)},
      {"write", phase(outcome.write)},
      {"verify", phase(outcome.verify)},
      {"verified", outcome.verified},
      {"started", outcome.started},
      {"file", outcome.written_file ? nlohmann::ordered_json(outcome.written_file->path)
                                    : nlohmann::ordered_json(nullptr)}};
  if (outcome.left_running.is_object())
    for (const auto& [key, value] : outcome.left_running.items()) j[key] = value;
  return j;
}

}  // namespace tockctl::flasher
