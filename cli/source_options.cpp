#include "cli/source_options.h"

#include <unistd.h>

#include <cstdio>

#include "cli/option_checks.h"
#include "cli/stop_signals.h"
#include "tracer/trace_runner.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {

void AddSourceOptions(CLI::App& cmd, tracer::SourceFlags& s, bool with_replay,
                      const char* heading) {
  const char* source = heading;
  cmd.add_option("--serial", s.serial, "Serial port, e.g. /dev/ttyACM0")->group(source);
  cmd.add_option("--usb", s.usb, "USB device VID:PID[:SERIAL], e.g. 6667:0001")->group(source);
  cmd.add_option("--tcp", s.tcp, "TCP HOST:PORT, e.g. 127.0.0.1:4444 (QEMU chardev socket)")
      ->group(source);
  if (with_replay) {
    cmd.add_option("--replay", s.replay, "A recorded raw stream (from --save-raw)")->group(source);
  }
  cmd.add_flag("--qemu", s.qemu,
               "The UART of the QEMU that `tockctl flash` started (follows it when restarted)")
      ->group(source);
  cmd.add_option("--qemu-name", s.qemu_name,
                 "The UART of the QEMU started with `tockctl qemu start --name NAME`")
      ->group(source);
  const char* link = "Source options";
  cmd.add_option("--baud", s.baud,
                 with_replay ? "Serial line rate (default 115200); with --replay, replay at this "
                               "UART speed"
                             : "Serial line rate (default 115200)")
      ->group(link);
  cmd.add_option("--usb-interface", s.usb_interface, "USB interface number to read")->group(link);
  cmd.add_flag("--wait", s.wait, "Wait for a device that is not there yet")->group(link);
  cmd.add_flag("--no-reconnect", s.no_reconnect, "End when the device goes away")->group(link);
  cmd.add_option("--save-raw", s.save_raw, "Also record the raw byte stream to FILE")->group(link);
  cmd.add_flag("--overwrite-raw", s.overwrite_raw, "Let --save-raw replace an existing file")
      ->group(link);
}

void AddConsoleViewOptions(CLI::App& cmd, tracer::ConsoleOptions& o) {
  const char* output = "Output";
  cmd.add_flag_callback(
         "--no-records", [&o] { o.view.records = false; },
         "Hide the decoded trace records (console text only)")
      ->group(output);
  cmd.add_flag("--timestamps", o.view.timestamps, "Host time [HH:MM:SS.mmm] before each line")
      ->group(output);
  cmd.add_option("-w,--write", o.capture_path, "Also write a pcapng capture to FILE")
      ->group(output);
  cmd.add_flag("--force", o.overwrite_capture, "Let -w replace an existing file")->group(output);
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
