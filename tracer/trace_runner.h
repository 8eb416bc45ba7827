// `tockctl trace` as a library call: open the source, set up the outputs, run the session, report.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "tracer/byte_source.h"
#include "tracer/trace_session.h"
#include "tracer/trace_sink.h"
#include "tracer/trace_source.h"

namespace tockctl::tracer {

/// What the per-record view on stdout looks like.
enum class TraceFormat { kText, kJson, kNone };

/// Everything `tockctl trace` was asked to do.
struct TraceOptions {
  SourceFlags source;  ///< The source flags as given; checked by ParseSourceSpec.
  TraceFormat format = TraceFormat::kText;
  std::optional<std::string> capture_path;  ///< -w FILE (pcapng); "-" is standard output.
  bool overwrite_capture = false;           ///< --force: -w may replace an existing file.
  SessionOptions session;
  bool quiet = false;  ///< -q: no statistics at exit and no link messages on stderr.
  std::string application = "tockctl";  ///< pcapng shb_userappl.
  bool stats_at_exit = true;            ///< Statistics on stderr at the end (unless quiet).
};

/// Where the run writes and what it depends on.
struct TraceEnvironment {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  const Clock* clock = &SystemClock();
  const std::atomic<bool>* stop = nullptr;
  /// Columns of the terminal `out` is, 0 if it is not one (the text view then keeps its full,
  /// stable layout). See TerminalWidth().
  size_t out_width = 0;
  std::shared_ptr<spdlog::logger> log;
};

/// How a run ended.
struct TraceOutcome {
  SessionEnd end = SessionEnd::kEndOfStream;
  uint64_t written = 0;          ///< Records that reached the outputs.
  uint64_t console_written = 0;  ///< Console text pieces that reached the outputs.
  DecoderStats decoder;
};

/// Columns of the terminal behind `out`, or 0 if it is not a terminal.
size_t TerminalWidth(std::FILE* out);

/// Runs a trace over `source` until it ends, a limit is reached or *env.stop is set; prints
/// records, link events and statistics, writes the capture file. Throws the source's errors; a
/// capture file that cannot be written (full disk) ends the run, which still prints statistics,
/// then throws that file's Error(kIo).
TraceOutcome RunTrace(const TraceOptions& options, ByteSource& source, const TraceEnvironment& env);

/// `log` for a source whose link losses a session reports itself: its warnings become errors, so
/// "link lost" is said once (they still show with -v). The default logger if `log` is null.
std::shared_ptr<spdlog::logger> QuieterSourceLogger(const std::shared_ptr<spdlog::logger>& log);

/// A live link's console text waiting for a line end is shown after this long (a prompt has
/// none); well under the 100 ms promised in docs/trace.md, as it adds to one read timeout.
inline constexpr std::chrono::milliseconds kLiveConsoleLatency{25};

/// RunTrace with `view` (borrowed) as the record view instead of the one options.format names;
/// the capture file and the rest are as in RunTrace.
TraceOutcome RunTraceInto(const TraceOptions& options, ByteSource& source,
                          const TraceEnvironment& env, TraceSink& view);

/// Checks the source flags and the -w target, opens the source (joining a live stream mid-way) and
/// runs RunTrace. Throws Error(kUsage) for bad source flags, an existing -w file without
/// overwrite_capture, or -w - with a record view; and the source's own errors.
TraceOutcome RunTraceCommand(const TraceOptions& options, const TraceEnvironment& env);

}  // namespace tockctl::tracer
