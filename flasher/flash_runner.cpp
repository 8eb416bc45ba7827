#include "flasher/flash_runner.h"

#include <cmath>

#include "common/error.h"

namespace tockctl::flasher {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;

double Seconds(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

// Turns a back-end's per-call progress into progress over the whole phase.
class PhaseOffsetSink : public ProgressSink {
 public:
  explicit PhaseOffsetSink(ProgressSink& outer) : outer_(outer) {}
  void Begin(Phase phase, uint64_t total) override { outer_.Begin(phase, total); }
  void Advance(uint64_t done) override { outer_.Advance(base_ + done); }
  void End(Phase phase) override { outer_.End(phase); }
  void Message(const std::string& text) override { outer_.Message(text); }
  void Finished(uint64_t bytes) {
    base_ += bytes;
    outer_.Advance(base_);
  }

 private:
  ProgressSink& outer_;
  uint64_t base_ = 0;
};

template <typename StepFn>
PhaseStats RunPhase(Phase phase, uint64_t total, ProgressSink& progress, const Clock& clock,
                    StepFn step) {
  PhaseOffsetSink sink(progress);
  TimePoint start = clock();
  sink.Begin(phase, total);
  step(sink);
  sink.End(phase);
  return {total, Seconds(start, clock())};
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

}  // namespace

FlashOutcome ExecutePlan(const FlashPlan& plan, FlashBackend& backend, ProgressSink& progress,
                         const Clock& clock) {
  FlashOutcome out;
  TimePoint start = clock();
  backend.Connect(progress);
  if (plan.steps.erase) {
    out.erase = RunPhase(Phase::kErase, plan.erase_bytes, progress, clock, [&](PhaseOffsetSink& s) {
      for (const auto& e : plan.erase) {
        backend.Erase(e.start, e.end - e.start, s);
        s.Finished(e.end - e.start);
      }
    });
  }
  if (plan.steps.write) {
    out.write = RunPhase(Phase::kWrite, plan.write_bytes, progress, clock, [&](PhaseOffsetSink& s) {
      for (const auto& seg : plan.segments) {
        backend.Write(*seg.segment, s);
        s.Finished(seg.end - seg.start);
      }
    });
  }
  if (plan.steps.verify) {
    out.verify = RunPhase(Phase::kVerify, plan.write_bytes, progress, clock,
                          [&](PhaseOffsetSink& s) { VerifyAll(plan, backend, s); });
    out.verified = true;
  }
  if (plan.steps.start) {
    backend.Start(plan.steps.write ? plan.entry : std::nullopt);
    out.started = true;
    out.start_report = backend.StartReport();
  } else {
    backend.Disconnect();
  }
  out.seconds = Seconds(start, clock());
  return out;
}

std::string RenderSummary(const FlashPlan& plan, const FlashOutcome& outcome) {
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
  return {{"event", "summary"},
          {"board", plan.board},
          {"method", plan.method},
          {"bytes", plan.write_bytes},
          {"seconds", std::round(outcome.seconds * 1e4) / 1e4},
          {"rate", busy > 0 ? std::llround(static_cast<double>(plan.write_bytes) / busy) : 0},
          {"erase", phase(outcome.erase)},
          {"write", phase(outcome.write)},
          {"verify", phase(outcome.verify)},
          {"verified", outcome.verified},
          {"started", outcome.started}};
}

}  // namespace tockctl::flasher
