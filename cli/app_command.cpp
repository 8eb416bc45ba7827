// tockctl app inspect FILE: a TAB's or TBF's header fields, TLVs, footers and findings.
// tockctl app list/install/update/uninstall/enable/disable/sticky/unsticky/erase-apps: the apps on
// a board, through any flash method that can read it (docs/apps.md).
#include <CLI/CLI.hpp>

#include "apps/app_pack.h"
#include "apps/app_report.h"
#include "apps/placement.h"
#include "apps/tab.h"
#include "cli/command_registry.h"
#include "cli/device_options.h"
#include "cli/flash_command.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "config/board_resolution.h"
#include "devices/qemu_instance.h"
#include "flasher/app_job.h"

namespace tockctl::cli {
namespace {

struct AppInspectOptions {
  std::string file;
};

void RunInspect(const AppInspectOptions& o, CliContext& ctx) {
  const apps::AppBundle bundle = apps::LoadAppBundle(o.file);
  if (ctx.options.json) return ctx.PrintJson(apps::AppBundleToJson(bundle));
  ctx.Write(apps::RenderAppBundle(bundle));
}

// The options every app command that reaches a board shares: which board, which device, and
// the flash run's switches.
struct AppBoardOptions {
  std::optional<std::string> board;
  std::optional<std::string> config;
  std::optional<std::string> kernel_version;
  std::optional<std::string> on_board;
  std::optional<std::string> output;
  bool no_verify = false;
  bool no_start = false;
  bool verbose = false;
  flasher::AppRequest request;
};

void AddBoardOptions(CLI::App& cmd, AppBoardOptions& o) {
  auto* board = cmd.add_option("-b,--board", o.board, "Board name from the catalog");
  auto* config = cmd.add_option("-c,--config", o.config, "Board JSON file");
  board->excludes(config);
  cmd.add_option("-m,--method", o.request.device.method,
                 "How to reach the board's flash (default: the board's flash method); one that "
                 "can read: gdb, qemu, tock-bootloader");
  AddFlashDeviceOptions(cmd, o.request.device, "Device");
  cmd.add_option("--qemu-name", o.request.device.qemu_name,
                 "qemu and gdb methods: which QEMU instance started by tockctl (default: default)");
}

void AddWriteOptions(CLI::App& cmd, AppBoardOptions& o) {
  cmd.add_flag("-n,--dry-run", o.request.device.dry_run,
               "Print the plan; touch nothing (the board's apps come from --on-board)");
  cmd.add_option("--on-board", o.on_board,
                 "With --dry-run: file with the board's app flash as read from its start");
  cmd.add_flag("--no-verify", o.no_verify, "Skip reading back what was written");
  cmd.add_flag("--no-start", o.no_start,
               "Do not restart the board afterwards (its kernel loads the apps at its next reset)");
}

// A dry run prints the plan (nothing was read from the board: the apps on it come from
// --on-board) and with -o writes the planned app flash.
void PrintDryRun(const AppBoardOptions& o, const flasher::AppReport& report, CliContext& ctx) {
  const apps::PlacementPlan& plan = *report.plan;
  if (o.output) WriteFileAtomic(*o.output, std::span<const uint8_t>(apps::PlanImage(plan)));
  if (ctx.options.json) {
    nlohmann::json j = apps::PlacementPlanToJson(plan);
    j["dry_run"] = true;
    j["pages_written"] = report.pages.pages_written;
    j["pages_unchanged"] = report.pages.pages_unchanged;
    j["output"] = o.output ? nlohmann::json(*o.output) : nlohmann::json(nullptr);
    return ctx.PrintJson(j);
  }
  std::string text = apps::RenderPlacementPlan(plan);
  text += "  pages: " + std::to_string(report.pages.pages_written) + " to write, " +
          std::to_string(report.pages.pages_unchanged) + " unchanged (against " +
          (o.on_board ? *o.on_board : std::string("an empty app flash")) + ")\n";
  ctx.Write(text);
  if (o.output)
    ctx.Note("wrote the app flash image (" +
             std::to_string(plan.end + plan.clear_size - plan.app_flash.origin) +
             " bytes from the start of app flash) to " + *o.output);
}

void RunAppJob(AppBoardOptions& o, CliContext& ctx) {
  flasher::AppRequest& r = o.request;
  r.device.verify = !o.no_verify;
  r.device.start = !o.no_start;
  r.device.qemu_name = devices::ParseQemuName(r.device.qemu_name, "--qemu-name");
  if (o.kernel_version) r.kernel = apps::ParseKernelVersion(*o.kernel_version, "--kernel-version");
  if (o.on_board && !r.device.dry_run)
    throw Error(ErrorCategory::kUsage, "--on-board stands for the board in a dry run",
                ErrorContext{}, "add --dry-run, or leave --on-board out to read the board");
  const std::vector<uint8_t> on_board =
      o.on_board ? ReadBinaryFile(*o.on_board) : std::vector<uint8_t>{};
  DeviceJobScope scope(ctx, std::string("app ") + flasher::AppActionName(r.action));
  const config::HardwareBoard board =
      config::ResolveBoard({o.board, o.config}, ctx.BoardSearch()).board;
  const flasher::AppReport report = flasher::RunAppJob(r, board, scope.env(), on_board);
  if (r.action == flasher::AppAction::kList) {
    if (ctx.options.json) return ctx.PrintJson(flasher::AppListToJson(report));
    return ctx.Write(flasher::RenderAppList(report.before, o.verbose));
  }
  if (r.device.dry_run) return PrintDryRun(o, report, ctx);
  if (ctx.options.json) return ctx.PrintJson(flasher::AppSummaryToJson(r, report));
  ctx.Note(flasher::RenderAppSummary(r, report));
}
void RegisterList(CLI::App* apps, CliContext& ctx) {
  auto o = std::make_shared<AppBoardOptions>();
  o->request.action = flasher::AppAction::kList;
  CLI::App* cmd = apps->add_subcommand(
      "list", "List the apps on a board: address, size, name, version, flags (-v: every TLV)");
  AddBoardOptions(*cmd, *o);
  cmd->add_flag("-v,--verbose", o->verbose, "Also show each app's TLVs and footers");
  cmd->callback([o, &ctx] { RunAppJob(*o, ctx); });
}

void RegisterInstall(CLI::App* apps, CliContext& ctx, flasher::AppAction action) {
  auto o = std::make_shared<AppBoardOptions>();
  o->request.action = action;
  const bool install = action == flasher::AppAction::kInstall;
  CLI::App* cmd = apps->add_subcommand(
      install ? "install" : "update",
      install ? "Install TABs/TBFs on a board, replacing installed apps of the same name"
              : "Replace apps installed on a board with new builds of them (TABs/TBFs)");
  cmd->add_option("FILE", o->request.files, "TAB or TBF files, in the order to install them")
      ->required();
  AddBoardOptions(*cmd, *o);
  AddWriteOptions(*cmd, *o);
  cmd->add_option("--kernel-version", o->kernel_version,
                  "The board's Tock kernel version MAJOR.MINOR (default: read from the board)");
  cmd->add_option("-o,--output", o->output,
                  "With --dry-run: write the planned app flash (from its start) to this file");
  if (install) {
    cmd->add_flag(
        "--no-replace", [o](int64_t) { o->request.replace = false; },
        "Keep an installed app of the same name");
    cmd->add_flag("--erase", o->request.erase, "Drop every app on the board first");
  }
  cmd->add_flag("--preserve-order", o->request.preserve_order,
                "On power-of-two MPUs keep the given order instead of largest first");
  cmd->add_flag("--force", o->request.device.force,
                "Write even where the board's memory map says no (see tockctl flash --force)");
  cmd->callback([o, &ctx] { RunAppJob(*o, ctx); });
}

std::string ByNameSummary(flasher::AppAction action) {
  switch (action) {
    case flasher::AppAction::kUninstall:
      return "Remove apps from a board by name (sticky apps only with --force)";
    case flasher::AppAction::kEnable:
      return "Set apps' enabled flag: the kernel starts them at boot";
    case flasher::AppAction::kDisable:
      return "Clear apps' enabled flag: the kernel keeps them but does not start them";
    case flasher::AppAction::kSticky:
      return "Set apps' sticky flag: uninstall and erase-apps keep them unless --force";
    default:
      return "Clear apps' sticky flag";
  }
}

void RegisterByName(CLI::App* apps, CliContext& ctx, flasher::AppAction action) {
  auto o = std::make_shared<AppBoardOptions>();
  o->request.action = action;
  CLI::App* cmd = apps->add_subcommand(flasher::AppActionName(action), ByNameSummary(action));
  cmd->add_option("NAME", o->request.names, "Package names, as tockctl app list shows them")
      ->required();
  AddBoardOptions(*cmd, *o);
  AddWriteOptions(*cmd, *o);
  if (action == flasher::AppAction::kUninstall)
    cmd->add_flag("--force", o->request.device.force, "Remove sticky apps too");
  cmd->callback([o, &ctx] { RunAppJob(*o, ctx); });
}

void RegisterEraseApps(CLI::App* apps, CliContext& ctx) {
  auto o = std::make_shared<AppBoardOptions>();
  o->request.action = flasher::AppAction::kEraseAll;
  CLI::App* cmd = apps->add_subcommand(
      "erase-apps", "Remove every app from a board (sticky apps only with --force)");
  AddBoardOptions(*cmd, *o);
  AddWriteOptions(*cmd, *o);
  cmd->add_flag("--force", o->request.device.force, "Remove sticky apps too");
  cmd->callback([o, &ctx] { RunAppJob(*o, ctx); });
}

struct AppPackOptions {
  std::string elf;
  std::string output;
  apps::PackOptions pack;
  std::string kernel_version = "2.0";
  std::string layout = "auto";
  bool disabled = false;
};

apps::PackLayout LayoutNamed(const std::string& name) {
  if (name == "simple") return apps::PackLayout::kSimple;
  if (name == "elf2tab") return apps::PackLayout::kElf2tab;
  return apps::PackLayout::kAuto;
}

// "fixed flash 0x80100080, RAM 0x80300000" for a fixed-address TBF, else "".
std::string FixedAddressNote(const std::vector<uint8_t>& tbf, const std::string& output) {
  const auto& fixed = apps::ParseTbf(tbf, output).header.fixed_addresses;
  if (!fixed) return "";
  auto address = [](uint32_t a) { return a == apps::kTbfNoFixedAddress ? "any" : HexWord(a); };
  return ", fixed flash " + address(fixed->flash) + ", RAM " + address(fixed->ram);
}

void RunPack(const AppPackOptions& o, CliContext& ctx) {
  apps::PackOptions pack = o.pack;
  const apps::KernelVersion v = apps::ParseKernelVersion(o.kernel_version, "--kernel-version");
  pack.kernel = apps::TbfKernelVersion{v.major, v.minor};
  pack.enabled = !o.disabled;
  const auto elf = ReadBinaryFile(o.elf);
  pack.layout = apps::ChoosePackLayout(elf, o.elf, LayoutNamed(o.layout));
  const bool elf2tab = pack.layout == apps::PackLayout::kElf2tab;
  const auto tbf = apps::PackElf(elf, o.elf, pack);
  WriteFileAtomic(o.output, std::span<const uint8_t>(tbf));
  if (ctx.options.json)
    return ctx.PrintJson({{"output", o.output}, {"name", pack.name}, {"size", tbf.size()}});
  const std::string layout =
      elf2tab ? " (elf2tab layout" + FixedAddressNote(tbf, o.output) + ")" : "";
  ctx.Note("wrote " + o.output + ": app \"" + pack.name + "\", " + std::to_string(tbf.size()) +
           " bytes" + layout);
}

void RegisterPack(CLI::App* apps, CliContext& ctx) {
  auto o = std::make_shared<AppPackOptions>();
  CLI::App* cmd = apps->add_subcommand(
      "pack", "Make a TBF from a libtock-c ELF (as elf2tab lays it out) or a simple program");
  cmd->add_option("ELF", o->elf, "The linked program")->required()->check(CLI::ExistingFile);
  cmd->add_option("-n,--name", o->pack.name, "Package name")->required();
  cmd->add_option("-o,--output", o->output, "TBF file to write")->required();
  cmd->add_option("--layout", o->layout,
                  "auto (elf2tab for an ELF with a .crt0_header section), simple or elf2tab")
      ->check(CLI::IsMember({"auto", "simple", "elf2tab"}));
  cmd->add_option("--stack", o->pack.stack,
                  "Stack bytes (default: elf2tab layout the ELF's .stack size, else 2048)");
  cmd->add_option("--heap", o->pack.heap, "App heap bytes (default 1024)");
  cmd->add_option("--kernel-heap", o->pack.kernel_heap, "Grant bytes (default 1024)");
  cmd->add_option("--kernel-version", o->kernel_version,
                  "Kernel version the app needs, MAJOR.MINOR (default 2.0)");
  cmd->add_option("--minimum-size", o->pack.minimum_total_size,
                  "Simple layout: pad the TBF to at least this many bytes (Reserved footer)");
  cmd->add_option("--minimum-footer-size", o->pack.minimum_footer_size,
                  "elf2tab layout: reserve at least this many footer bytes (libtock-c: 3000)");
  cmd->add_option("--protected-region-size", o->pack.protected_region_size,
                  "elf2tab layout: header + protected trailer bytes (default: up to the fixed "
                  "flash address, else the header)");
  cmd->add_flag("--sticky", o->pack.sticky, "Set the sticky flag");
  cmd->add_flag("--disabled", o->disabled, "Clear the enabled flag");
  cmd->callback([o, &ctx] { RunPack(*o, ctx); });
}

void RegisterAppCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* apps = app.add_subcommand(
      "app",
      "Tock apps: inspect and pack TABs/TBFs; list, install, update and remove them on a board");
  apps->require_subcommand(1);
  auto inspect = std::make_shared<AppInspectOptions>();
  CLI::App* cmd = apps->add_subcommand(
      "inspect", "Show a TAB's metadata and each TBF's header, TLVs, footers and findings");
  cmd->add_option("FILE", inspect->file, "TAB or TBF file")->required();
  cmd->callback([inspect, &ctx] { RunInspect(*inspect, ctx); });
  RegisterList(apps, ctx);
  RegisterInstall(apps, ctx, flasher::AppAction::kInstall);
  RegisterInstall(apps, ctx, flasher::AppAction::kUpdate);
  RegisterByName(apps, ctx, flasher::AppAction::kUninstall);
  for (auto action : {flasher::AppAction::kEnable, flasher::AppAction::kDisable,
                      flasher::AppAction::kSticky, flasher::AppAction::kUnsticky})
    RegisterByName(apps, ctx, action);
  RegisterEraseApps(apps, ctx);
  RegisterPack(apps, ctx);
}

const CommandRegistration kAppRegistration{45, "app", &RegisterAppCommand};

}  // namespace
}  // namespace tockctl::cli
