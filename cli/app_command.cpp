// tockctl app inspect FILE: a TAB's or TBF's header fields, TLVs, footers and findings.
// tockctl app install TAB... --board NAME --dry-run: where the apps would go (docs/apps.md).
#include <CLI/CLI.hpp>

#include "apps/app_pack.h"
#include "apps/app_report.h"
#include "apps/placement.h"
#include "apps/tab.h"
#include "cli/command_registry.h"
#include "common/error.h"
#include "common/file_io.h"
#include "config/board_resolution.h"

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

struct AppInstallOptions {
  std::vector<std::string> files;
  std::optional<std::string> board;
  std::optional<std::string> kernel_version;
  std::optional<std::string> on_board;
  std::optional<std::string> output;
  bool dry_run = false;
  bool no_replace = false;
  bool erase = false;
  bool preserve_order = false;
};

apps::PlacementRequest InstallRequest(const AppInstallOptions& o, CliContext& ctx) {
  apps::PlacementRequest request;
  request.board = config::ResolveBoard({o.board, {}}, ctx.BoardSearch()).board;
  for (const std::string& file : o.files) request.bundles.push_back(apps::LoadAppBundle(file));
  if (o.kernel_version)
    request.kernel = apps::ParseKernelVersion(*o.kernel_version, "--kernel-version");
  if (o.on_board) {
    const auto dump = ReadBinaryFile(*o.on_board);
    request.installed =
        apps::ReadInstalledApps(dump, request.board.memory.app_flash.origin, *o.on_board);
  }
  request.replace = !o.no_replace;
  request.erase = o.erase;
  request.preserve_order = o.preserve_order;
  return request;
}

void RunInstall(const AppInstallOptions& o, CliContext& ctx) {
  const apps::PlacementPlan plan = apps::PlanPlacement(InstallRequest(o, ctx));
  if (!o.dry_run)
    throw Error(ErrorCategory::kUsage,
                "writing apps to a board is not implemented yet, nothing was written",
                ErrorContext{}, "add --dry-run to print where the apps would go");
  if (o.output) WriteFileAtomic(*o.output, std::span<const uint8_t>(apps::PlanImage(plan)));
  if (ctx.options.json) {
    nlohmann::json j = apps::PlacementPlanToJson(plan);
    j["dry_run"] = true;
    j["output"] = o.output ? nlohmann::json(*o.output) : nlohmann::json(nullptr);
    return ctx.PrintJson(j);
  }
  ctx.Write(apps::RenderPlacementPlan(plan));
  if (o.output)
    ctx.Note("wrote the app flash image (" +
             std::to_string(plan.end + plan.clear_size - plan.app_flash.origin) +
             " bytes from the start of app flash) to " + *o.output);
}

void RegisterInstall(CLI::App* apps, CliContext& ctx) {
  auto o = std::make_shared<AppInstallOptions>();
  CLI::App* cmd = apps->add_subcommand(
      "install", "Plan where TABs/TBFs go in a board's app flash (--dry-run prints the plan)");
  cmd->add_option("FILE", o->files, "TAB or TBF files, in the order to install them")->required();
  cmd->add_option("-b,--board", o->board, "Board name from the catalog")->required();
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan; write nothing");
  cmd->add_option("--kernel-version", o->kernel_version,
                  "The board's Tock kernel version MAJOR.MINOR, checked against the apps");
  cmd->add_option("--on-board", o->on_board,
                  "File with the board's app flash as read from its start (apps to keep)");
  cmd->add_option("-o,--output", o->output,
                  "Also write the planned app flash (from its start) to this file, for "
                  "`tockctl flash FILE --region app`");
  cmd->add_flag("--no-replace", o->no_replace, "Keep an installed app of the same name");
  cmd->add_flag("--erase", o->erase, "Drop every app on the board first");
  cmd->add_flag("--preserve-order", o->preserve_order,
                "On power-of-two MPUs keep the given order instead of largest first");
  cmd->callback([o, &ctx] { RunInstall(*o, ctx); });
}

struct AppPackOptions {
  std::string elf;
  std::string output;
  apps::PackOptions pack;
  std::string kernel_version = "2.0";
  bool disabled = false;
};

void RunPack(const AppPackOptions& o, CliContext& ctx) {
  apps::PackOptions pack = o.pack;
  const apps::KernelVersion v = apps::ParseKernelVersion(o.kernel_version, "--kernel-version");
  pack.kernel = apps::TbfKernelVersion{v.major, v.minor};
  pack.enabled = !o.disabled;
  const auto tbf = apps::PackElf(ReadBinaryFile(o.elf), o.elf, pack);
  WriteFileAtomic(o.output, std::span<const uint8_t>(tbf));
  if (ctx.options.json)
    return ctx.PrintJson({{"output", o.output}, {"name", pack.name}, {"size", tbf.size()}});
  ctx.Note("wrote " + o.output + ": app \"" + pack.name + "\", " + std::to_string(tbf.size()) +
           " bytes");
}

void RegisterPack(CLI::App* apps, CliContext& ctx) {
  auto o = std::make_shared<AppPackOptions>();
  CLI::App* cmd = apps->add_subcommand(
      "pack", "Make a TBF from a simple position-independent ELF program (not elf2tab)");
  cmd->add_option("ELF", o->elf, "The linked program")->required()->check(CLI::ExistingFile);
  cmd->add_option("-n,--name", o->pack.name, "Package name")->required();
  cmd->add_option("-o,--output", o->output, "TBF file to write")->required();
  cmd->add_option("--stack", o->pack.stack, "Stack bytes (default 2048)");
  cmd->add_option("--heap", o->pack.heap, "App heap bytes (default 1024)");
  cmd->add_option("--kernel-heap", o->pack.kernel_heap, "Grant bytes (default 1024)");
  cmd->add_option("--kernel-version", o->kernel_version,
                  "Kernel version the app needs, MAJOR.MINOR (default 2.0)");
  cmd->add_option("--minimum-size", o->pack.minimum_total_size,
                  "Pad the TBF to at least this many bytes (Reserved credentials footer)");
  cmd->add_flag("--sticky", o->pack.sticky, "Set the sticky flag");
  cmd->add_flag("--disabled", o->disabled, "Clear the enabled flag");
  cmd->callback([o, &ctx] { RunPack(*o, ctx); });
}

void RegisterAppCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* apps = app.add_subcommand(
      "app", "Inspect, pack and plan the placement of Tock apps (TAB and TBF files)");
  apps->require_subcommand(1);
  auto inspect = std::make_shared<AppInspectOptions>();
  CLI::App* cmd = apps->add_subcommand(
      "inspect", "Show a TAB's metadata and each TBF's header, TLVs, footers and findings");
  cmd->add_option("FILE", inspect->file, "TAB or TBF file")->required();
  cmd->callback([inspect, &ctx] { RunInspect(*inspect, ctx); });
  RegisterInstall(apps, ctx);
  RegisterPack(apps, ctx);
}

const CommandRegistration kAppRegistration{45, &RegisterAppCommand};

}  // namespace
}  // namespace tockctl::cli
