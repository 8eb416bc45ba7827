// `tockctl trace`: stream, decode, print and capture IPC and packet traces from a device.
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/stop_signals.h"
#include "tracer/trace_runner.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {
namespace {

struct TraceCommandOptions {
  tracer::TraceOptions trace;
  std::optional<std::string> format;
  bool stats = false;
  double stats_interval = 10.0;
};

tracer::TraceFormat ChooseFormat(const TraceCommandOptions& o, const CliContext& ctx) {
  if (o.format == "json" || (!o.format && ctx.options.json)) return tracer::TraceFormat::kJson;
  if (o.format == "text") return tracer::TraceFormat::kText;
  return o.trace.capture_path ? tracer::TraceFormat::kNone : tracer::TraceFormat::kText;
}

void RunTrace(CliContext& ctx, TraceCommandOptions& o) {
  o.trace.format = ChooseFormat(o, ctx);
  o.trace.quiet = ctx.options.quiet;
  o.trace.application = std::string("tockctl ") + TOCKCTL_VERSION;
  if (o.stats) o.trace.session.stats_interval_s = o.stats_interval;
  ScopedStopSignals signals;
  tracer::TraceEnvironment env;
  env.out = ctx.out();
  env.err = ctx.err();
  env.stop = &signals.stop_requested();
  env.log = ctx.Log();
  tracer::RunTraceCommand(o.trace, env);
}

void AddSourceOptions(CLI::App& cmd, tracer::TraceSourceOptions& s) {
  auto* group = cmd.add_option_group("source", "Where the trace comes from (exactly one)");
  group->add_option("--serial", s.serial, "Serial port, e.g. /dev/ttyACM0");
  group->add_option("--usb", s.usb, "USB device VID:PID[:SERIAL], e.g. 1209:0001");
  group->add_option("--tcp", s.tcp, "TCP HOST:PORT, e.g. 127.0.0.1:4444 (QEMU chardev socket)");
  group->add_option("--replay", s.replay, "A recorded raw stream (from --save-raw)")
      ->check(CLI::ExistingFile);
  group->require_option(1);
  cmd.add_option("--baud", s.baud,
                 "Serial line rate (default 115200); with --replay, replay at this UART speed")
      ->check(CLI::Range(1u, 100000000u));
  cmd.add_option("--save-raw", s.save_raw, "Also record the raw byte stream to FILE");
}

void AddFilterOptions(CLI::App& cmd, tracer::SessionOptions& s) {
  cmd.add_flag("--ipc", s.filter.ipc, "Only IPC records (with --net: IPC and network)");
  cmd.add_flag("--net", s.filter.net, "Only network records");
  cmd.add_option("--process", s.filter.process, "Only records naming this process");
  cmd.add_option("--service", s.filter.service, "Only records of this IPC service");
  cmd.add_option("--iface", s.filter.iface, "Only records of this network interface");
  cmd.add_option("--count", s.count, "Stop after N records")->check(CLI::PositiveNumber);
  cmd.add_option("--duration", s.duration_s, "Stop after S seconds")->check(CLI::PositiveNumber);
}

void RegisterTraceCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<TraceCommandOptions>();
  auto* cmd = app.add_subcommand("trace", "Stream, decode, print and capture IPC and packet traces");
  AddSourceOptions(*cmd, opts->trace.source);
  cmd->add_option("--format", opts->format, "Record view on stdout (default text; none with -w)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("-w,--write", opts->trace.capture_path, "Write a pcapng capture to FILE");
  AddFilterOptions(*cmd, opts->trace.session);
  cmd->add_flag("--stats", opts->stats, "Print statistics periodically (always at exit unless -q)");
  cmd->add_option("--stats-interval", opts->stats_interval, "Seconds between --stats reports")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([&ctx, opts] { RunTrace(ctx, *opts); });
}

}  // namespace

const CommandRegistration kTraceRegistration{50, &RegisterTraceCommand};

}  // namespace tockctl::cli
