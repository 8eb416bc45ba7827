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

void CheckConsoleFlags(const ConsoleOptions& o) {
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
                "-w - would write the capture to standard output, where the console is", {},
                "write the capture to a file");
  }
  if (o.capture_path) CheckCaptureTarget(*o.capture_path, o.overwrite_capture);
}

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

ConsoleEnd EndOf(const TraceOutcome& outcome, const KeyForwardingSource& keys) {
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
  CheckConsoleFlags(options);
  SourceSpec spec = ParseSourceSpec(options.source);
  spec.lends_as = "console";
  auto device = OpenTraceSource(spec, QuieterSourceLogger(env.log));
  std::atomic<bool> never{false};
  std::FILE* notes = options.quiet ? nullptr : env.err;
  KeyForwardingSource keys(*device, env.input_fd, env.stop != nullptr ? *env.stop : never, notes);
  const RawTerminalMode raw(env.input_fd);
  if (notes != nullptr) {
    std::fprintf(notes, "%s\n", ConsoleHelpLine(device->Describe(), raw.active()).c_str());
    std::fflush(notes);
  }
  ConsoleViewSink view(env.out, notes, options.view);
  TraceEnvironment trace_env;
  trace_env.out = env.out;
  trace_env.err = env.err;
  trace_env.stop = &keys.stop_requested();
  trace_env.log = env.log;
  const TraceOutcome outcome = RunTraceInto(SessionFor(options), keys, trace_env, view);
  return EndOf(outcome, keys);
}

}  // namespace tockctl::tracer
