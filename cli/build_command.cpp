// `tockctl build`: generate the kernel configuration module from a board file, build the Tock
// board, and report the outputs and the memory the kernel uses (docs/build.md).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "common/clock.h"
#include "common/process.h"
#include "flasher/flash_job.h"
#include "kernel/kernel_build.h"

namespace tockctl::cli {
namespace {

struct BuildOptions {
  std::optional<std::string> board;
  std::optional<std::string> config;
  std::optional<std::string> tock_dir;
  bool generate_only = false;
  bool integrate = false;
  bool dry_run = false;
  bool cargo = false;
  bool release = false;
  bool debug = false;
  bool flash = false;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

kernel::BuildRequest MakeRequest(const BuildOptions& o, CliContext& ctx) {
  kernel::BuildRequest r;
  r.board = o.board;
  r.config = o.config;
  r.tock_dir = o.tock_dir;
  r.tock_dir_env = Env("TOCK_DIR");
  r.cwd = std::filesystem::current_path();
  r.data_dir = ctx.DataDir();
  r.board_search = ctx.BoardSearch();
  r.generate_only = o.generate_only;
  r.integrate = o.integrate;
  r.dry_run = o.dry_run;
  r.tool = o.cargo ? kernel::BuildTool::kCargo : kernel::BuildTool::kMake;
  r.profile = o.debug ? kernel::BuildProfile::kDebug : kernel::BuildProfile::kRelease;
  r.check_rust = Env("NO_RUSTUP").empty();
  r.cargo_target_dir = Env("CARGO_TARGET_DIR");
  return r;
}

// One line of the build's output on stderr, errors and warnings coloured on a terminal.
void StreamLine(const CliContext& ctx, const std::string& line, kernel::LineKind kind) {
  if (ctx.options.quiet && kind != kernel::LineKind::kError) return;
  const char* sgr = kind == kernel::LineKind::kError     ? "1;31"
                    : kind == kernel::LineKind::kWarning ? "1;33"
                                                         : nullptr;
  std::string text =
      sgr && ctx.UseColor(ctx.err()) ? std::string("\033[") + sgr + "m" + line + "\033[0m" : line;
  std::fputs((text + "\n").c_str(), ctx.err());
  std::fflush(ctx.err());
}

void PrintResult(CliContext& ctx, const kernel::BuildResult& result,
                 const nlohmann::ordered_json& flash_summary) {
  if (ctx.options.json) {
    nlohmann::ordered_json doc = kernel::BuildResultToJson(result);
    if (!flash_summary.is_null()) doc["flash"] = flash_summary;
    return ctx.Print(doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  }
  std::string text = kernel::FormatBuildResult(result);
  text.pop_back();  // Print adds the final newline
  ctx.Print(text);
}

// `tockctl flash KERNEL.bin --address A` for the board the kernel was built for, progress on
// stderr. The .bin, as with Tock's own tools, leaves out the .apps placeholder in app flash.
nlohmann::ordered_json FlashBuiltKernel(CliContext& ctx, const kernel::BuildResult& result) {
  flasher::FlashRequest request;
  request.image = result.outputs->bin.string();
  request.format = flasher::ImageFormat::kBin;
  request.address = result.outputs->bin_address;
  auto style = ctx.options.quiet               ? flasher::ProgressStyle::kSilent
               : ::isatty(::fileno(ctx.err())) ? flasher::ProgressStyle::kBar
                                               : flasher::ProgressStyle::kLines;
  std::FILE* err = ctx.err();
  flasher::ProgressPrinter progress(style, [err](const std::string& text) {
    std::fputs(text.c_str(), err);
    std::fflush(err);
  });
  PosixProcessRunner runner;
  flasher::FlashEnvironment env{ctx.Log(), &runner, &progress, SystemClock()};
  flasher::FlashReport report = flasher::RunFlash(request, result.board, env);
  ctx.Note(flasher::RenderSummary(report.plan, *report.outcome));
  return flasher::SummaryToJson(report.plan, *report.outcome);
}

void RunBuildCommand(CliContext& ctx, const BuildOptions& o) {
  PosixProcessRunner runner;
  kernel::BuildEnvironment env;
  env.runner = &runner;
  env.on_output = [&ctx](const std::string& line, kernel::LineKind kind) {
    StreamLine(ctx, line, kind);
  };
  env.on_note = [&ctx](const std::string& note) { ctx.Note(note); };
  if (!ctx.options.json)
    env.on_diff = [&ctx](const std::string& diff) {
      std::fputs(diff.c_str(), ctx.out());
      std::fflush(ctx.out());
    };
  kernel::BuildResult result = kernel::BuildKernel(MakeRequest(o, ctx), env);
  for (const auto& w : result.warnings) ctx.Warn(w);
  if (!result.command.empty())
    ctx.Note("build finished: " +
             kernel::DiagnosticSummary(result.errors, result.compiler_warnings));
  bool fits = !result.memory || result.memory->problems.empty();
  nlohmann::ordered_json flash_summary;
  if (!ctx.options.json) PrintResult(ctx, result, flash_summary);
  if (o.flash && fits) flash_summary = FlashBuiltKernel(ctx, result);
  if (ctx.options.json) PrintResult(ctx, result, flash_summary);
  if (result.memory) kernel::ThrowIfOverflowing(*result.memory, result.outputs->elf.string());
}

void RegisterBuildCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<BuildOptions>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Generate the kernel configuration, build a Tock board, report memory use");
  auto* board = cmd->add_option("-b,--board", o->board,
                                "Catalog board, with the ipc/network defaults of config init");
  auto* config = cmd->add_option("-c,--config", o->config, "Board JSON file");
  board->excludes(config);
  cmd->add_option("--tock-dir", o->tock_dir,
                  "Tock checkout (default: TOCK_DIR, else the current directory or a parent)");
  auto* generate = cmd->add_flag("--generate-only", o->generate_only,
                                 "Write src/tockctl_config.rs into the board and stop");
  cmd->add_flag("--cargo", o->cargo,
                "Run cargo build --target TRIPLE instead of make in the board directory");
  auto* release = cmd->add_flag("--release", o->release, "Release profile (the default)");
  auto* debug = cmd->add_flag("--debug", o->debug, "Debug profile");
  release->excludes(debug);
  auto* flash = cmd->add_flag("--flash", o->flash, "Flash the kernel after a successful build");
  flash->excludes(generate);
  auto* integrate = cmd->add_flag(
      "--integrate", o->integrate,
      "Add the module's (and tracer's) lines to the board's main.rs, lib.rs and Cargo.toml, "
      "showing the diff");
  auto* dry_run = cmd->add_flag("--dry-run", o->dry_run,
                                "With --integrate: show the diff, write nothing, do not build");
  dry_run->needs(integrate);
  dry_run->excludes(flash);
  cmd->callback([&ctx, o] { RunBuildCommand(ctx, *o); });
}

}  // namespace

const CommandRegistration kBuildRegistration{30, "build", &RegisterBuildCommand};

}  // namespace tockctl::cli
