// The device-source options `tockctl trace`, `tockctl console` and `tockctl run` share (--serial,
// --usb, --tcp, --qemu, --baud, ...) and the console's own: one definition, so the commands take
// the same flags.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/context.h"
#include "config/board.h"
#include "tracer/console_runner.h"
#include "tracer/trace_source.h"

namespace tockctl::cli {

/// Adds the source options to `cmd`, storing into `flags`; --replay only with `with_replay`; the
/// source flags under the help heading `heading`. With a `prefix` ("console-" in `tockctl run`,
/// where --serial, --usb and --tcp name the flash device) the device options are
/// --PREFIXserial, --PREFIXusb and --PREFIXtcp, and --qemu is left out.
void AddSourceOptions(CLI::App& cmd, tracer::SourceFlags& flags, bool with_replay,
                      const char* heading = "Source (exactly one)", const std::string& prefix = "");

/// True if `flags` names a source (--serial, --usb, --tcp, --qemu, --qemu-name, --replay).
bool AnySourceGiven(const tracer::SourceFlags& flags);

/// --board NAME / --config FILE of `trace` and `console`: the board whose trace link fills in
/// what the source options leave out.
struct BoardChoice {
  std::optional<std::string> board;
  std::optional<std::string> config;
};

/// Adds -b/--board and -c/--config (one of them) to `cmd`, storing into `choice`.
void AddBoardChoiceOptions(CLI::App& cmd, BoardChoice& choice);

/// What the board's trace link (its catalog `trace` facts) says about `flags`: --baud from the
/// link's baud for a --serial source without one; --qemu when no source is given and
/// `flash_method` is qemu. Throws Error(kUsage) when no source is given and the link needs a
/// device path, naming the link ("nrf52840dk traces over its UART ... at 115200 baud") and what
/// to give (the options spelled with `prefix`, as AddSourceOptions adds them).
void ApplyBoardTraceLink(const config::HardwareBoard& board, const std::string& flash_method,
                         tracer::SourceFlags& flags, const std::string& prefix = "");

/// ApplyBoardTraceLink for the board `choice` names, with its default flash method; nothing when
/// `choice` names none.
void ApplyBoardChoice(CliContext& ctx, const BoardChoice& choice, tracer::SourceFlags& flags);

/// Adds the console's output options (--no-records, --timestamps, -o, --force, --duration,
/// --until) to `cmd`, storing into `options`; `tockctl console` and `tockctl run` share them.
void AddConsoleViewOptions(CLI::App& cmd, tracer::ConsoleOptions& options);

/// Runs the console on `device` (null: opens options.source) with the terminal and signals of
/// `ctx`, and says when the --until text did not appear (exit code 1). `tockctl console` and
/// `tockctl run` end here.
void RunConsoleFor(CliContext& ctx, tracer::ConsoleOptions& options,
                   tracer::ByteSource* device = nullptr);

}  // namespace tockctl::cli
