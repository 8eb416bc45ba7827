// `tockctl trace`: stream, decode, print and capture IPC and packet traces from a device.
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/device_options.h"
#include "cli/option_checks.h"
#include "cli/source_options.h"
#include "cli/stop_signals.h"
#include "common/error.h"
#include "tracer/trace_runner.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {
namespace {

struct TraceCommandOptions {
  tracer::TraceOptions trace;
  BoardChoice board;
  std::optional<std::string> format;
  bool stats = false;
  double stats_interval = 10.0;
};

tracer::TraceFormat ChooseFormat(const TraceCommandOptions& o, const CliContext& ctx) {
  if (ctx.options.json && o.format == "text")
    throw Error(ErrorCategory::kUsage, "--json asks for JSON on stdout, --format text for text", {},
                "leave out one of them (--json alone prints JSON lines)");
  if (o.format == "json" || (!o.format && ctx.options.json)) return tracer::TraceFormat::kJson;
  if (o.format == "text") return tracer::TraceFormat::kText;
  return o.trace.capture_path ? tracer::TraceFormat::kNone : tracer::TraceFormat::kText;
}

void RunTrace(CliContext& ctx, TraceCommandOptions& o) {
  ApplyBoardChoice(ctx, o.board, o.trace.source);
  o.trace.format = ChooseFormat(o, ctx);
  o.trace.quiet = ctx.options.quiet;
  o.trace.application = std::string("tockctl ") + TOCKCTL_VERSION;
  if (o.stats) o.trace.session.stats_interval_s = o.stats_interval;
  ScopedStopSignals signals;
  tracer::TraceEnvironment env;
  env.out = ctx.out();
  env.err = ctx.err();
  env.out_width = tracer::TerminalWidth(env.out);
  env.stop = &signals.stop_requested();
  env.log = ctx.Log();
  tracer::RunTraceCommand(o.trace, env);
}

void AddFilterOptions(CLI::App& cmd, tracer::SessionOptions& s) {
  const char* filters = "Filters and limits";
  cmd.add_flag("--ipc", s.filter.ipc, "Only IPC records (with --net: IPC and network)")
      ->group(filters);
  cmd.add_flag("--net", s.filter.net, "Only network records")->group(filters);
  cmd.add_option("--process", s.filter.process, "Only records naming this process")->group(filters);
  cmd.add_option("--service", s.filter.service, "Only records of this IPC service")->group(filters);
  cmd.add_option("--iface", s.filter.iface, "Only records of this network interface")
      ->group(filters);
  auto* no_console =
      cmd.add_flag("--no-console", s.filter.no_console, "Hide the device's console text")
          ->group(filters);
  cmd.add_flag("--console-only", s.filter.console_only, "Only the console text, no records")
      ->excludes(no_console)
      ->group(filters);
  cmd.add_option("--count", s.count, "Stop after N records")->check(AtLeast(1))->group(filters);
  cmd.add_option("--duration", s.duration_s, "Stop after S seconds")
      ->check(MoreThan(0))
      ->group(filters);
}

void AddOutputOptions(CLI::App& cmd, TraceCommandOptions& o) {
  const char* output = "Output";
  cmd.add_option("--format", o.format, "Record view on stdout: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->group(output);
  CLI::Option* capture =
      cmd.add_option("-o,--output", o.trace.capture_path,
                     "Write a pcapng capture to FILE, `-` for stdout (no record view unless "
                     "--format is given)")
          ->group(output);
  AddHiddenAlias(cmd, "-w,--write", o.trace.capture_path, capture);
  cmd.add_flag("--force", o.trace.overwrite_capture, "Let -o replace an existing file")
      ->needs(capture)
      ->group(output);
  cmd.add_flag("--stats", o.stats, "Print statistics periodically (always at exit unless -q)")
      ->group(output);
  cmd.add_option("--stats-interval", o.stats_interval, "Seconds between --stats reports")
      ->check(MoreThan(0))
      ->capture_default_str()
      ->group(output);
}

void RegisterTraceCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<TraceCommandOptions>();
  auto* cmd =
      app.add_subcommand("trace", "Stream, decode, print and capture IPC and packet traces");
  AddSourceOptions(*cmd, opts->trace.source, true);
  AddBoardChoiceOptions(*cmd, opts->board);
  AddOutputOptions(*cmd, *opts);
  AddFilterOptions(*cmd, opts->trace.session);
  cmd->callback([&ctx, opts] { RunTrace(ctx, *opts); });
}

}  // namespace

const CommandRegistration kTraceRegistration{50, "trace", &RegisterTraceCommand};

}  // namespace tockctl::cli
