// tockctl flash IMAGE --board NAME|--config FILE [--method M] ...: plan, check and write an image.
#include "cli/flash_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "cli/device_options.h"
#include "cli/stop_signals.h"
#include "common/clock.h"
#include "common/process.h"
#include "config/board_resolution.h"
#include "devices/qemu_instance.h"
#include "devices/serial_lending.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_job.h"
#include "flasher/qemu_flasher.h"

namespace tockctl::cli {
namespace {

struct FlashOptions {
  std::string image;
  std::optional<std::string> board;
  std::optional<std::string> config;
  std::optional<std::string> format;
  std::optional<std::string> address;
  std::string region = "kernel";
  std::vector<std::string> apps;
  std::optional<std::string> netdev;
  bool no_verify = false;
  bool no_start = false;
  flasher::FlashRequest request;
};

flasher::ProgressStyle StyleFor(const CliContext& ctx) {
  if (ctx.options.json) return flasher::ProgressStyle::kJson;
  if (ctx.options.quiet) return flasher::ProgressStyle::kSilent;
  return ::isatty(::fileno(ctx.err())) ? flasher::ProgressStyle::kBar
                                       : flasher::ProgressStyle::kLines;
}

void RunFlashCommand(FlashOptions& o, CliContext& ctx) {
  flasher::FlashRequest& r = o.request;
  r.image = o.image;
  r.apps = o.apps;
  r.image_is_app = o.region == "app";
  r.verify = !o.no_verify;
  r.start = !o.no_start;
  if (o.format) r.format = flasher::ParseImageFormat(*o.format);
  if (o.address) r.address = flasher::ParseAddressArgument(*o.address, "--address");
  if (o.netdev) r.qemu_netdev = flasher::ParseQemuNetdev(*o.netdev);
  r.qemu_name = devices::ParseQemuName(r.qemu_name, "--qemu-name");
  RunFlashAndReport(r, o.board, o.config, ctx);
}

void RegisterFlashCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<FlashOptions>();
  CLI::App* cmd = app.add_subcommand(
      "flash",
      "Write an image (ELF, bin, Intel HEX, UF2) to a board, checked against its memory map");
  cmd->add_option("IMAGE", o->image, "Image file")->required();
  auto* board = cmd->add_option("-b,--board", o->board, "Board name from the catalog");
  auto* config = cmd->add_option("-c,--config", o->config, "Board JSON file");
  board->excludes(config);
  cmd->add_option("-m,--method", o->request.method,
                  "Flash method (default: the board's); one of " + flasher::KnownMethods());
  AddInputFormatOption(*cmd, o->format, "Options", true);
  cmd->add_option("--address", o->address, "Load address of a raw binary image");
  cmd->add_option("--region", o->region, "Flash region the image belongs in")
      ->check(CLI::IsMember({"kernel", "app"}))
      ->capture_default_str();
  cmd->add_option("--app", o->apps, "App image (TBF/TAB binary or ELF) to write into app flash");
  cmd->add_flag("--force", o->request.force, "Write even outside the board's flash map");
  cmd->add_flag("-n,--dry-run", o->request.dry_run, "Print the plan and touch nothing");
  auto* no_verify = cmd->add_flag("--no-verify", o->no_verify, "Skip verifying what was written");
  cmd->add_flag("--no-start", o->no_start, "Leave the device halted instead of starting the image");
  cmd->add_flag("--verify-only", o->request.verify_only,
                "Compare the device with the image without writing")
      ->excludes(no_verify);
  AddFlashDeviceOptions(*cmd, o->request, "Options");
  cmd->add_option("-o,--output", o->request.output, "Output file (methods that write files)");
  cmd->add_option("--mount", o->request.mount, "Mounted UF2 drive to copy to (uf2 method)");
  cmd->add_option("--netdev", o->netdev,
                  "qemu method: a VirtIO-net eth0 on QEMU's user (NAT) or tap network, or "
                  "linked to another instance (listen:PORT, connect:PORT)");
  cmd->add_option("--qemu-arg", o->request.qemu_args,
                  "qemu method: one more argument for QEMU's command line (repeat for more)")
      ->allow_extra_args(false);
  cmd->add_option(
      "--qemu-name", o->request.qemu_name,
      "qemu and gdb methods: which QEMU instance started by tockctl (default: default)");
  cmd->callback([o, &ctx] { RunFlashCommand(*o, ctx); });
}

const CommandRegistration kFlashRegistration{40, "flash", &RegisterFlashCommand};

}  // namespace

DeviceJobScope::DeviceJobScope(CliContext& ctx, const std::string& command,
                               std::function<void()> before_start)
    : progress_(StyleFor(ctx),
                [stream = ctx.options.json ? ctx.out() : ctx.err()](const std::string& text) {
                  std::fputs(text.c_str(), stream);
                  std::fflush(stream);
                }),
      loan_(command, std::chrono::milliseconds(3000),
            [&ctx](const std::string& text) { ctx.Note(text); }),
      env_{ctx.Log(),
           &runner_,
           &progress_,
           SystemClock(),
           &signals_.stop_requested(),
           std::move(before_start)} {}

flasher::FlashReport RunFlashAndReport(flasher::FlashRequest& r, std::optional<std::string> board,
                                       const std::optional<std::string>& config, CliContext& ctx,
                                       std::function<void()> before_start) {
  DeviceJobScope scope(ctx, "flash", std::move(before_start));
  flasher::FlashEnvironment& env = scope.env();
  if (!board && !config && r.method == "tock-bootloader")
    board = flasher::BoardFromBootloader(r, ctx.BoardSearch(), env);
  config::HardwareBoard hardware = config::ResolveBoard({board, config}, ctx.BoardSearch()).board;
  flasher::FlashReport report = flasher::RunFlash(r, hardware, env);
  if (!report.outcome) {
    if (ctx.options.json) {
      ctx.PrintJson(flasher::PlanToJson(report.plan));
    } else {
      std::string text = flasher::RenderPlan(report.plan);
      ctx.Print(text.substr(0, text.size() - 1));
    }
  } else if (ctx.options.json) {
    ctx.PrintJson(flasher::SummaryToJson(report.plan, *report.outcome));
  } else {
    ctx.Note(flasher::RenderSummary(report.plan, *report.outcome));
  }
  return report;
}

}  // namespace tockctl::cli
