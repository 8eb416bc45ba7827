// `tockctl console` as a library call: an interactive terminal on a device's link. Keys go to the
// device, its console text comes back as it arrives, trace frames on the same link are decoded.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tracer/byte_source.h"
#include "tracer/console_view.h"
#include "tracer/trace_source.h"

namespace tockctl::tracer {

/// Everything `tockctl console` was asked to do.
struct ConsoleOptions {
  SourceFlags source;                       ///< As given; a live source (no --replay).
  ConsoleViewOptions view;                  ///< records, timestamps (colour and width: the CLI).
  std::optional<std::string> capture_path;  ///< -w FILE: also write a pcapng capture.
  bool overwrite_capture = false;           ///< --force: -w may replace an existing file.
  std::optional<double> duration_s;         ///< End after this many seconds.
  /// End (ConsoleEnd::kUntil) once the device's console text contains this (`tockctl run
  /// --until`); matched across pieces, never inside trace frames.
  std::optional<std::string> until;
  bool quiet = false;                   ///< -q: no help line and no link messages.
  std::string application = "tockctl";  ///< pcapng shb_userappl.
};

/// Where the console reads keys and writes, and what it depends on.
struct ConsoleEnvironment {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  int input_fd = 0;  ///< Keys: a terminal (put into raw mode) or a pipe (passed through).
  const std::atomic<bool>* stop = nullptr;  ///< Set by the signal handlers.
  std::shared_ptr<spdlog::logger> log;
};

/// How a console session ended.
enum class ConsoleEnd {
  kQuitKey,   ///< Ctrl-] was typed.
  kStopped,   ///< *env.stop was set (SIGINT, SIGTERM, SIGHUP).
  kDuration,  ///< --duration elapsed.
  kUntil,     ///< The --until text appeared in the console text.
};

/// The stderr line that says how to quit; `terminal`: the keys come from a terminal.
std::string ConsoleHelpLine(const std::string& device, bool terminal);

/// Throws Error(kUsage) for no source, a --replay source, -w - or an existing -w file without
/// --force: what RunConsoleCommand checks before it opens anything.
void CheckConsoleOptions(const ConsoleOptions& options);

/// Opens the source, puts a terminal on env.input_fd into raw mode (restored on every way out),
/// and runs until the quit key, a stop signal, --duration or the --until text. Throws the
/// errors of CheckConsoleOptions and ParseSourceSpec; Error(kTransport) naming the device when it
/// goes away for good (--no-reconnect); and the source's own errors.
ConsoleEnd RunConsoleCommand(const ConsoleOptions& options, const ConsoleEnvironment& env);

/// RunConsoleCommand on a source already open (borrowed): `tockctl run` opens it before the
/// device starts. options.source is not looked at.
ConsoleEnd RunConsoleOn(const ConsoleOptions& options, ByteSource& device,
                        const ConsoleEnvironment& env);

}  // namespace tockctl::tracer
