// `tockctl trace` as a library call: open the source, set up the outputs, run the session, report.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tracer/byte_source.h"
#include "tracer/clock.h"
#include "tracer/trace_session.h"

namespace tockctl::tracer {

/// Exactly one of serial, usb, tcp, replay.
struct TraceSourceOptions {
  std::optional<std::string> serial;   ///< Serial port path.
  std::optional<uint32_t> baud;        ///< Serial line rate; with replay, pace like that UART.
  std::optional<std::string> usb;      ///< VID:PID[:SERIAL].
  std::optional<std::string> tcp;      ///< HOST:PORT.
  std::optional<std::string> replay;   ///< A recorded raw stream.
  std::optional<std::string> save_raw; ///< Also record the raw bytes here.
};

/// What the per-record view on stdout looks like.
enum class TraceFormat { kText, kJson, kNone };

/// Everything `tockctl trace` was asked to do.
struct TraceOptions {
  TraceSourceOptions source;
  TraceFormat format = TraceFormat::kText;
  std::optional<std::string> capture_path;  ///< -w FILE (pcapng).
  SessionOptions session;
  bool quiet = false;         ///< -q: no statistics at exit and no link messages on stderr.
  std::string application = "tockctl";  ///< pcapng shb_userappl.
};

/// Where the run writes and what it depends on.
struct TraceEnvironment {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  const Clock* clock = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::shared_ptr<spdlog::logger> log;
};

/// How a run ended.
struct TraceOutcome {
  SessionEnd end = SessionEnd::kEndOfStream;
  uint64_t written = 0;
  DecoderStats decoder;
};

/// Opens the source named in `options` (wrapped in a raw recorder for save_raw). Throws
/// Error(kUsage) unless exactly one source is given, and the source's own errors.
std::unique_ptr<ByteSource> OpenTraceSource(const TraceSourceOptions& options,
                                            std::shared_ptr<spdlog::logger> log);

/// True for sources that join a running stream (serial, USB, TCP) rather than a file.
bool IsLiveSource(const TraceSourceOptions& options);

/// Runs a trace over `source` until it ends, a limit is reached or *env.stop is set; prints records,
/// link events and statistics, writes the capture file. Throws the source's and the capture file's
/// errors.
TraceOutcome RunTrace(const TraceOptions& options, ByteSource& source, const TraceEnvironment& env);

/// OpenTraceSource + RunTrace.
TraceOutcome RunTraceCommand(const TraceOptions& options, const TraceEnvironment& env);

}  // namespace tockctl::tracer
