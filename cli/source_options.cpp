#include "cli/source_options.h"

#include <unistd.h>

#include <cstdio>

#include "cli/device_options.h"
#include "cli/option_checks.h"
#include "cli/stop_signals.h"
#include "common/error.h"
#include "config/board_resolution.h"
#include "tracer/trace_runner.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {

void AddSourceOptions(CLI::App& cmd, tracer::SourceFlags& s, bool with_replay, const char* heading,
                      const std::string& prefix) {
  const char* source = heading;
  cmd.add_option("--" + prefix + "serial", s.serial,
                 "Serial port, e.g. /dev/ttyACM0, or the port of a USB device by "
                 "VID:PID[:SERIAL], e.g. 6667:0002:0123456789")
      ->group(source);
  CLI::Option* usb =
      cmd.add_option("--" + prefix + "usb", s.usb, "USB device VID:PID[:SERIAL], e.g. 6667:0001")
          ->group(source);
  cmd.add_option("--" + prefix + "tcp", s.tcp,
                 "TCP HOST:PORT, e.g. 127.0.0.1:4444 (QEMU chardev socket)")
      ->group(source);
  if (with_replay) {
    cmd.add_option("--replay", s.replay, "A recorded raw stream (from --save-raw)")->group(source);
  }
  if (prefix.empty()) {
    cmd.add_flag("--qemu", s.qemu,
                 "The UART of the QEMU that `tockctl flash` started (follows it when restarted)")
        ->group(source);
  }
  cmd.add_option("--qemu-name", s.qemu_name,
                 "The UART of the QEMU started with `tockctl qemu start --name NAME`")
      ->group(source);
  const char* link = "Source options";
  cmd.add_option("--baud", s.baud,
                 with_replay ? "Serial line rate (default 115200); with --replay, replay at this "
                               "UART speed"
                             : "Serial line rate (default 115200)")
      ->group(link);
  cmd.add_option("--usb-interface", s.usb_interface, "USB interface number to read")
      ->needs(usb)
      ->group(link);
  cmd.add_flag("--wait", s.wait, "Wait for a device that is not there yet")->group(link);
  cmd.add_flag("--no-reconnect", s.no_reconnect, "End when the device goes away")->group(link);
  CLI::Option* save_raw =
      cmd.add_option("--save-raw", s.save_raw, "Also record the raw byte stream to FILE")
          ->group(link);
  cmd.add_flag("--overwrite-raw", s.overwrite_raw, "Let --save-raw replace an existing file")
      ->needs(save_raw)
      ->group(link);
}

void AddBoardChoiceOptions(CLI::App& cmd, BoardChoice& choice) {
  const char* group = "Board (fills in the source from its trace link)";
  auto* board =
      cmd.add_option("-b,--board", choice.board, "Board name from the catalog")->group(group);
  auto* config = cmd.add_option("-c,--config", choice.config, "Board JSON file")->group(group);
  board->excludes(config);
}

bool AnySourceGiven(const tracer::SourceFlags& s) {
  return s.serial || s.usb || s.tcp || s.qemu || s.qemu_name || s.replay;
}

namespace {

// The usage error for a board whose trace link needs a device path nobody gave.
Error NeedsADevice(const config::HardwareBoard& board, const std::string& prefix) {
  const nlohmann::ordered_json& link = board.trace;
  const std::string kind = link.value("link", "");
  std::string device = board.console.is_object() ? board.console.value("device", "") : "";
  if (kind == "uart") {
    std::string what = board.name + " traces over its UART";
    if (!device.empty()) what += " (" + device + ")";
    if (link.contains("baud"))
      what += " at " + std::to_string(link["baud"].get<int64_t>()) + " baud";
    return Error(ErrorCategory::kUsage, what, ErrorContext{},
                 "give --" + prefix +
                     "serial PORT, the USB serial adapter or debugger port it is wired to "
                     "(tockctl devices lists them)");
  }
  if (kind == "usb") {
    std::string what = board.name + " traces over its USB CDC-ACM serial port";
    if (link.contains("vid_pid")) what += " (" + link["vid_pid"].get<std::string>() + ")";
    return Error(ErrorCategory::kUsage, what, ErrorContext{},
                 "give --" + prefix + "serial /dev/ttyACMn (tockctl devices lists it)");
  }
  return Error(ErrorCategory::kUsage,
               board.name + " traces over " + (kind.empty() ? "no link tockctl knows" : kind) +
                   ", which tockctl cannot read",
               ErrorContext{},
               "wire the tracer to a UART or USB serial port and give --" + prefix +
                   "serial PORT, or --" + prefix + "tcp HOST:PORT");
}

}  // namespace

void ApplyBoardTraceLink(const config::HardwareBoard& board, const std::string& flash_method,
                         tracer::SourceFlags& flags, const std::string& prefix) {
  const nlohmann::ordered_json& link = board.trace;
  if (flags.serial && !flags.baud && link.is_object() && link.contains("baud"))
    flags.baud = link["baud"].get<int64_t>();
  if (AnySourceGiven(flags)) return;
  if (flash_method == "qemu") {
    flags.qemu = true;
    return;
  }
  throw NeedsADevice(board, prefix);
}

void ApplyBoardChoice(CliContext& ctx, const BoardChoice& choice, tracer::SourceFlags& flags) {
  if (!choice.board && !choice.config) return;
  const config::HardwareBoard board =
      config::ResolveBoard({choice.board, choice.config}, ctx.BoardSearch()).board;
  ApplyBoardTraceLink(board, board.default_flash_method, flags);
}

void AddConsoleViewOptions(CLI::App& cmd, tracer::ConsoleOptions& o) {
  const char* output = "Output";
  cmd.add_flag_callback(
         "--no-records", [&o] { o.view.records = false; },
         "Hide the decoded trace records (console text only)")
      ->group(output);
  cmd.add_flag("--timestamps", o.view.timestamps, "Host time [HH:MM:SS.mmm] before each line")
      ->group(output);
  CLI::Option* capture =
      cmd.add_option("-o,--output", o.capture_path, "Also write a pcapng capture to FILE")
          ->group(output);
  AddHiddenAlias(cmd, "-w,--write", o.capture_path, capture);
  cmd.add_flag("--force", o.overwrite_capture, "Let -o replace an existing file")
      ->needs(capture)
      ->group(output);
  cmd.add_option("--duration", o.duration_s, "End after S seconds (for scripts)")
      ->check(MoreThan(0))
      ->group(output);
  cmd.add_option("--until", o.until,
                 "End (exit 0) once the console shows TEXT; with --duration, exit 1 if it did not")
      ->group(output);
}

void RunConsoleFor(CliContext& ctx, tracer::ConsoleOptions& o, tracer::ByteSource* device) {
  o.quiet = ctx.options.quiet;
  o.application = std::string("tockctl ") + TOCKCTL_VERSION;
  o.view.color = ctx.UseColor(ctx.out());
  o.view.width = tracer::TerminalWidth(ctx.out());
  ScopedStopSignals signals;
  tracer::ConsoleEnvironment env;
  env.out = ctx.out();
  env.err = ctx.err();
  env.input_fd = STDIN_FILENO;
  env.stop = &signals.stop_requested();
  env.log = ctx.Log();
  const tracer::ConsoleEnd end =
      device != nullptr ? tracer::RunConsoleOn(o, *device, env) : tracer::RunConsoleCommand(o, env);
  if (o.until && end == tracer::ConsoleEnd::kDuration) {
    std::fprintf(ctx.err(), "error: the console did not show \"%s\" within %g s\n",
                 o.until->c_str(), *o.duration_s);
    ctx.exit_code = 1;
  }
}

}  // namespace tockctl::cli
