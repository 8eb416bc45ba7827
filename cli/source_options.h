// The device-source options `tockctl trace`, `tockctl console` and `tockctl run` share (--serial,
// --usb, --tcp, --qemu, --baud, ...) and the console's own: one definition, so the commands take
// the same flags.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "tracer/console_runner.h"
#include "tracer/trace_source.h"

namespace tockctl::cli {

/// Adds the source options to `cmd`, storing into `flags`; --replay only with `with_replay`; the
/// source flags under the help heading `heading`.
void AddSourceOptions(CLI::App& cmd, tracer::SourceFlags& flags, bool with_replay,
                      const char* heading = "Source (exactly one)");

/// Adds the console's output options (--no-records, --timestamps, -w, --force, --duration,
/// --until) to `cmd`, storing into `options`; `tockctl console` and `tockctl run` share them.
void AddConsoleViewOptions(CLI::App& cmd, tracer::ConsoleOptions& options);

/// Runs the console on `device` (null: opens options.source) with the terminal and signals of
/// `ctx`, and says when the --until text did not appear (exit code 1). `tockctl console` and
/// `tockctl run` end here.
void RunConsoleFor(CliContext& ctx, tracer::ConsoleOptions& options,
                   tracer::ByteSource* device = nullptr);

}  // namespace tockctl::cli
