#include "tracer/trace_runner.h"

#include "common/error.h"
#include "tracer/pcapng_writer.h"
#include "tracer/raw_recorder.h"
#include "tracer/replay_source.h"
#include "tracer/serial_source.h"
#include "tracer/tcp_source.h"
#include "tracer/trace_sink.h"

namespace tockctl::tracer {
namespace {

int CountSources(const TraceSourceOptions& o) {
  return static_cast<int>(o.serial.has_value()) + static_cast<int>(o.usb.has_value()) +
         static_cast<int>(o.tcp.has_value()) + static_cast<int>(o.replay.has_value());
}

std::unique_ptr<ByteSource> OpenPlainSource(const TraceSourceOptions& o,
                                            std::shared_ptr<spdlog::logger> log) {
  if (o.replay) {
    ReplayOptions r;
    r.path = *o.replay;
    r.pace_baud = o.baud.value_or(0);
    return std::make_unique<ReplaySource>(r);
  }
  if (o.serial) {
    SerialOptions s;
    s.path = *o.serial;
    s.baud = o.baud.value_or(115200);
    return std::make_unique<SerialSource>(s, log);
  }
  if (o.tcp) {
    TcpOptions t;
    t.endpoint = ParseTcpEndpoint(*o.tcp);
    return std::make_unique<TcpSource>(t, log);
  }
  throw Error(ErrorCategory::kUsage, "--usb is not available in this build yet", {},
              "use --serial for a USB CDC device, or --tcp/--replay");
}

void PrintSummaryNote(const TraceOptions& o, const TraceOutcome& outcome, std::FILE* err) {
  if (o.quiet || !o.capture_path) return;
  std::fprintf(err, "trace: wrote %llu records to %s\n",
               static_cast<unsigned long long>(outcome.written), o.capture_path->c_str());
}

}  // namespace

bool IsLiveSource(const TraceSourceOptions& options) { return !options.replay.has_value(); }

std::unique_ptr<ByteSource> OpenTraceSource(const TraceSourceOptions& options,
                                            std::shared_ptr<spdlog::logger> log) {
  if (CountSources(options) != 1) {
    throw Error(ErrorCategory::kUsage,
                "give exactly one trace source: --serial, --usb, --tcp or --replay", {},
                "for example: tockctl trace --serial /dev/ttyACM0");
  }
  auto source = OpenPlainSource(options, log);
  if (!options.save_raw) return source;
  RawRecorderOptions raw;
  raw.path = *options.save_raw;
  return std::make_unique<RawRecorder>(std::move(source), raw, log);
}

TraceOutcome RunTrace(const TraceOptions& options, ByteSource& source,
                      const TraceEnvironment& env) {
  SystemClock system_clock;
  const Clock& clock = env.clock != nullptr ? *env.clock : system_clock;
  std::atomic<bool> never{false};
  const std::atomic<bool>& stop = env.stop != nullptr ? *env.stop : never;
  std::FILE* messages = options.quiet ? nullptr : env.err;

  std::vector<TraceSink*> sinks;
  std::unique_ptr<TraceSink> view;
  if (options.format == TraceFormat::kJson) {
    view = std::make_unique<JsonSink>(env.out);
  } else {
    view = std::make_unique<TextSink>(options.format == TraceFormat::kText ? env.out : nullptr,
                                      messages);
  }
  sinks.push_back(view.get());
  std::unique_ptr<FileBlockOutput> file;
  std::unique_ptr<PcapngWriter> writer;
  std::unique_ptr<PcapngSink> capture;
  if (options.capture_path) {
    file = std::make_unique<FileBlockOutput>(*options.capture_path);
    writer = std::make_unique<PcapngWriter>(*file, options.application);
    capture = std::make_unique<PcapngSink>(*writer);
    sinks.push_back(capture.get());
  }
  TraceSession session(options.session, clock, sinks);
  TraceOutcome outcome;
  outcome.end = session.Run(source, stop);
  if (!options.quiet) session.ReportStats();
  outcome.written = session.written();
  outcome.decoder = session.decoder_stats();
  PrintSummaryNote(options, outcome, env.err);
  return outcome;
}

TraceOutcome RunTraceCommand(const TraceOptions& options, const TraceEnvironment& env) {
  auto source = OpenTraceSource(options.source, env.log);
  if (!options.quiet) std::fprintf(env.err, "trace: reading %s\n", source->Describe().c_str());
  TraceOptions run = options;
  run.session.join_mid_stream = IsLiveSource(options.source);
  return RunTrace(run, *source, env);
}

}  // namespace tockctl::tracer
