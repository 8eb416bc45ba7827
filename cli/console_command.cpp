// `tockctl console` (alias `listen`): an interactive terminal on a device's console, with the
// trace records on the same link decoded in between.
#include <unistd.h>

#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/option_checks.h"
#include "cli/source_options.h"
#include "cli/stop_signals.h"
#include "tracer/console_runner.h"
#include "tracer/trace_runner.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {
namespace {

void RunConsole(CliContext& ctx, tracer::ConsoleOptions& o) {
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
  tracer::RunConsoleCommand(o, env);
}

void AddViewOptions(CLI::App& cmd, tracer::ConsoleOptions& o) {
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
}

void RegisterConsoleCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<tracer::ConsoleOptions>();
  auto* cmd = app.add_subcommand("console",
                                 "Interactive terminal on a device's console (Ctrl-] quits); "
                                 "trace records on the link are decoded");
  cmd->alias("listen");
  AddSourceOptions(*cmd, opts->source, false);
  AddViewOptions(*cmd, *opts);
  cmd->callback([&ctx, opts] { RunConsole(ctx, *opts); });
}

}  // namespace

const CommandRegistration kConsoleRegistration{55, &RegisterConsoleCommand};

}  // namespace tockctl::cli
