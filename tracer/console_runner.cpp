#include "tracer/console_runner.h"

#include <unistd.h>

#include "common/error.h"
#include "common/terminal_mode.h"
#include "tracer/key_forwarding_source.h"
#include "tracer/pcapng_writer.h"
#include "tracer/trace_runner.h"

namespace tockctl::tracer {
namespace {

constexpr const char* kConsoleSources =
    "use one of --serial PATH, --usb VID:PID[:SERIAL], --tcp HOST:PORT or --qemu";

}  // namespace

void CheckConsoleOptions(const ConsoleOptions& o) {
  const SourceFlags& s = o.source;
  if (s.replay) {
    throw Error(ErrorCategory::kUsage, "console cannot type into --replay", {},
                "replay a recording with: tockctl trace --replay FILE --console-only");
  }
  if (!s.serial && !s.usb && !s.tcp && !s.qemu) {
    throw Error(ErrorCategory::kUsage, "no device given", {}, kConsoleSources);
  }
  if (o.capture_path == "-") {
    throw Error(ErrorCategory::kUsage,
                "-o - would write the capture to standard output, where the console is", {},
                "write the capture to a file");
  }
  if (o.capture_path) CheckCaptureTarget(*o.capture_path, o.overwrite_capture);
  if (o.until && o.until->empty()) {
    throw Error(ErrorCategory::kUsage, "--until needs a text to wait for", {},
                "e.g. --until \"tock$ \"");
  }
}

namespace {

// The console view, and the end of the session once the console text holds `until`.
class UntilTextSink : public TraceSink {
 public:
  UntilTextSink(TraceSink& view, std::optional<std::string> until, KeyForwardingSource& keys)
      : view_(view), until_(std::move(until)), keys_(keys) {}
  void OnRecord(const Record& record, const RecordInfo& info,
                const TraceContext& context) override {
    view_.OnRecord(record, info, context);
  }
  void OnConsole(std::span<const uint8_t> text, int64_t host_ns) override {
    view_.OnConsole(text, host_ns);
    if (!until_ || seen_) return;
    tail_.append(text.begin(), text.end());
    if (tail_.find(*until_) != std::string::npos) {
      seen_ = true;
      keys_.RequestStop();
    } else if (tail_.size() >= until_->size()) {
      tail_.erase(0, tail_.size() - (until_->size() - 1));
    }
  }
  void OnLinkEvent(const LinkEvent& event) override { view_.OnLinkEvent(event); }
  void OnNotice(const std::string& message) override { view_.OnNotice(message); }
  void OnEnd() override { view_.OnEnd(); }
  void OnStats(const StatsView& stats) override { view_.OnStats(stats); }
  void Flush() override { view_.Flush(); }
  bool seen() const { return seen_; }

 private:
  TraceSink& view_;
  std::optional<std::string> until_;
  KeyForwardingSource& keys_;
  std::string tail_;  ///< The console text not yet ruled out as the start of `until`.
  bool seen_ = false;
};

TraceOptions SessionFor(const ConsoleOptions& o) {
  TraceOptions run;
  run.format = TraceFormat::kNone;
  run.capture_path = o.capture_path;
  run.overwrite_capture = o.overwrite_capture;
  run.quiet = o.quiet;
  run.application = o.application;
  run.stats_at_exit = false;
  run.session.duration_s = o.duration_s;
  run.session.join_mid_stream = true;
  run.session.console_latency = kLiveConsoleLatency;
  run.session.hint_after_bytes = 0;  // a console without trace frames is the normal case here
  return run;
}

ConsoleEnd EndOf(const TraceOutcome& outcome, const KeyForwardingSource& keys, bool until_seen) {
  if (until_seen) return ConsoleEnd::kUntil;
  if (keys.quit_key_read()) return ConsoleEnd::kQuitKey;
  if (outcome.end == SessionEnd::kDuration) return ConsoleEnd::kDuration;
  if (outcome.end == SessionEnd::kStopped) return ConsoleEnd::kStopped;
  throw Error(ErrorCategory::kTransport, keys.end_detail(), {},
              "reconnect it and run tockctl console again (without --no-reconnect it waits)");
}

}  // namespace

std::string ConsoleHelpLine(const std::string& device, bool terminal) {
  if (terminal) {
    return "console: " + device + "; Ctrl-] quits, Ctrl-C goes to the device";
  }
  return "console: " + device + "; sending standard input; Ctrl-] (0x1d) in it or Ctrl-C quits";
}

ConsoleEnd RunConsoleCommand(const ConsoleOptions& options, const ConsoleEnvironment& env) {
  CheckConsoleOptions(options);
  SourceSpec spec = ParseSourceSpec(options.source);
  spec.lends_as = "console";
  auto device = OpenTraceSource(spec, QuieterSourceLogger(env.log));
  return RunConsoleOn(options, *device, env);
}

ConsoleEnd RunConsoleOn(const ConsoleOptions& options, ByteSource& device,
                        const ConsoleEnvironment& env) {
  std::atomic<bool> never{false};
  std::FILE* notes = options.quiet ? nullptr : env.err;
  KeyForwardingSource keys(device, env.input_fd, env.stop != nullptr ? *env.stop : never, notes);
  const RawTerminalMode raw(env.input_fd);
  if (notes != nullptr) {
    std::fprintf(notes, "%s\n", ConsoleHelpLine(device.Describe(), raw.active()).c_str());
    std::fflush(notes);
  }
  ConsoleViewSink view(env.out, notes, options.view);
  UntilTextSink watched(view, options.until, keys);
  TraceEnvironment trace_env;
  trace_env.out = env.out;
  trace_env.err = env.err;
  trace_env.stop = &keys.stop_requested();
  trace_env.log = env.log;
  const TraceOutcome outcome = RunTraceInto(SessionFor(options), keys, trace_env, watched);
  return EndOf(outcome, keys, watched.seen());
}

}  // namespace tockctl::tracer
