#include "tracer/trace_runner.h"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/error.h"
#include "tracer/pcapng_writer.h"
#include "tracer/trace_sink.h"

namespace tockctl::tracer {
namespace {

void PrintSummaryNote(const TraceOptions& o, const TraceOutcome& outcome,
                      const FileBlockOutput& file, std::FILE* err) {
  if (o.quiet || file.failed()) return;
  std::string console;
  if (outcome.console_written > 0)
    console = " and " + std::to_string(outcome.console_written) + " console text pieces";
  std::fprintf(err, "trace: wrote %llu records%s to %s\n",
               static_cast<unsigned long long>(outcome.written), console.c_str(),
               file.name().c_str());
}

// -o - and a record view would mix pcapng and text on standard output.
void CheckOneStdoutUser(const TraceOptions& o) {
  if (o.capture_path == "-" && o.format != TraceFormat::kNone)
    throw Error(ErrorCategory::kUsage,
                "-o - writes the capture to standard output, where the record view goes too", {},
                "leave out --format (and --json) with -o -, or write the capture to a file");
}

}  // namespace

size_t TerminalWidth(std::FILE* out) {
  if (out == nullptr || ::isatty(::fileno(out)) == 0) return 0;
  winsize size{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 80;
  return size.ws_col;
}

std::shared_ptr<spdlog::logger> QuieterSourceLogger(const std::shared_ptr<spdlog::logger>& log) {
  if (!log) return spdlog::default_logger();
  auto quieter = log->clone(log->name());
  if (quieter->level() == spdlog::level::warn) quieter->set_level(spdlog::level::err);
  return quieter;
}

TraceOutcome RunTrace(const TraceOptions& options, ByteSource& source,
                      const TraceEnvironment& env) {
  std::FILE* messages = options.quiet ? nullptr : env.err;
  std::unique_ptr<TraceSink> view;
  if (options.format == TraceFormat::kJson) {
    view = std::make_unique<JsonSink>(env.out, messages);
  } else {
    view = std::make_unique<TextSink>(options.format == TraceFormat::kText ? env.out : nullptr,
                                      messages, true, env.out_width);
  }
  return RunTraceInto(options, source, env, *view);
}

TraceOutcome RunTraceInto(const TraceOptions& options, ByteSource& source,
                          const TraceEnvironment& env, TraceSink& view) {
  std::atomic<bool> never{false};
  const std::atomic<bool>& stop = env.stop != nullptr ? *env.stop : never;
  std::vector<TraceSink*> sinks{&view};
  std::unique_ptr<FileBlockOutput> file;
  std::unique_ptr<PcapngWriter> writer;
  std::unique_ptr<PcapngSink> capture;
  if (options.capture_path) {
    file = std::make_unique<FileBlockOutput>(*options.capture_path, options.overwrite_capture);
    writer = std::make_unique<PcapngWriter>(*file, options.application);
    writer->Flush();  // the section header at once: a valid (empty) capture from the start
    capture = std::make_unique<PcapngSink>(*writer);
    sinks.push_back(capture.get());
  }
  TraceSession session(options.session, *env.clock, sinks);
  TraceOutcome outcome;
  std::optional<Error> capture_failed;  // the run ends, but statistics are still printed
  try {
    outcome.end = session.Run(source, stop);
  } catch (const Error& e) {
    if (!file || !file->failed()) throw;
    capture_failed = e;
  }
  if (!options.quiet && options.stats_at_exit) session.ReportStats();
  outcome.written = session.written();
  outcome.console_written = session.console_written();
  outcome.decoder = session.decoder_stats();
  if (file) PrintSummaryNote(options, outcome, *file, env.err);
  if (capture_failed) throw *capture_failed;
  return outcome;
}

TraceOutcome RunTraceCommand(const TraceOptions& options, const TraceEnvironment& env) {
  CheckOneStdoutUser(options);
  if (options.capture_path) CheckCaptureTarget(*options.capture_path, options.overwrite_capture);
  SourceSpec spec = ParseSourceSpec(options.source);
  spec.lends_as = "trace";
  auto source = OpenTraceSource(spec, QuieterSourceLogger(env.log));
  if (!options.quiet) std::fprintf(env.err, "trace: reading %s\n", source->Describe().c_str());
  TraceOptions run = options;
  run.session.join_mid_stream = spec.kind != SourceKind::kReplay;
  if (spec.kind != SourceKind::kReplay) run.session.console_latency = kLiveConsoleLatency;
  run.session.end_is_link_loss = spec.kind != SourceKind::kReplay && !spec.reconnect;
  return RunTrace(run, *source, env);
}

}  // namespace tockctl::tracer
