// tockctl qemu start|status|stop: the QEMU instances that `tockctl flash` (or `qemu start`)
// started, each under a name ("default" unless --name says otherwise).
#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "cli/flash_command.h"
#include "devices/qemu_instance.h"
#include "flasher/qemu_flasher.h"

namespace tockctl::cli {
namespace {

/// Which instances a status or stop is about.
struct QemuSelection {
  std::string name = devices::kDefaultQemuName;
  bool all = false;
};

// The stores selected: the named one, or every recorded one for --all.
std::vector<devices::QemuStateStore> SelectedStores(const QemuSelection& s) {
  const std::filesystem::path dir = devices::QemuStateDir();
  if (!s.all) return {devices::QemuStateStore(dir, devices::ParseQemuName(s.name))};
  std::vector<devices::QemuStateStore> stores;
  for (const auto& name : devices::RecordedQemuNames(dir)) stores.emplace_back(dir, name);
  return stores;
}

// "Also recorded: a, b (tockctl qemu status --all)\n" when instances other than `shown` exist.
std::string OtherInstancesLine(const std::string& shown) {
  std::string others;
  for (const auto& name : devices::RecordedQemuNames(devices::QemuStateDir()))
    if (name != shown) others += (others.empty() ? "" : ", ") + name;
  return others.empty() ? "" : "Also recorded: " + others + " (tockctl qemu status --all)\n";
}

void RunStatus(const QemuSelection& s, CliContext& ctx) {
  std::vector<devices::QemuStateStore> stores = SelectedStores(s);
  if (s.all && stores.empty()) {
    if (ctx.options.json) return ctx.PrintJson(nlohmann::ordered_json::array());
    return ctx.Print("No QEMU started by tockctl (state directory " +
                     devices::QemuStateDir().string() + ")");
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::string text;
  for (const auto& store : stores) {
    devices::QemuStatus status = devices::ReadQemuStatus(store, devices::UnixNow());
    list.push_back(devices::QemuStatusToJson(status));
    text += devices::RenderQemuStatus(status);
  }
  if (ctx.options.json) return ctx.PrintJson(s.all ? list : list.front());
  if (!s.all) text += OtherInstancesLine(s.name);
  ctx.Print(text.substr(0, text.size() - 1));
}

// The instance as it was; running and stale as they are now.
nlohmann::ordered_json StoppedJson(const devices::QemuStatus& before) {
  auto j = devices::QemuStatusToJson(before);
  j["running"] = false;
  j["stale"] = false;
  j["stopped"] = before.alive;
  return j;
}

std::string StoppedNote(const devices::QemuStatus& before, const std::string& name) {
  const std::string title = name == devices::kDefaultQemuName ? "QEMU" : "QEMU " + name;
  if (!before.instance)
    return name == devices::kDefaultQemuName ? "No QEMU started by tockctl is running"
                                             : "No QEMU named " + name + " is running";
  if (!before.alive)
    return title + " pid " + std::to_string(before.instance->pid) +
           " was already gone; removed the stale state file";
  return "Stopped " + title + " pid " + std::to_string(before.instance->pid);
}

void RunStop(const QemuSelection& s, CliContext& ctx) {
  std::vector<devices::QemuStateStore> stores = SelectedStores(s);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  if (s.all && stores.empty() && !ctx.options.json)
    return ctx.Note("No QEMU started by tockctl is running");
  for (const auto& store : stores) {
    devices::QemuStatus before = devices::StopRecordedQemu(store, devices::UnixNow());
    list.push_back(StoppedJson(before));
    if (!ctx.options.json) ctx.Note(StoppedNote(before, store.name()));
  }
  if (ctx.options.json) ctx.PrintJson(s.all ? list : list.front());
}

void AddSelection(CLI::App* cmd, QemuSelection& s, const char* what) {
  auto* name = cmd->add_option("--name", s.name,
                               std::string("The instance to ") + what + " (default: default)");
  cmd->add_flag("--all", s.all, std::string("Every instance tockctl started: ") + what)
      ->excludes(name);
}

struct QemuStartOptions {
  std::string image;
  std::optional<std::string> board;
  std::optional<std::string> config;
  std::optional<std::string> netdev;
  bool no_start = false;
  flasher::FlashRequest request;
};

// `tockctl flash IMAGE --method qemu` with QEMU's options: a fresh QEMU with the image loaded.
void RunQemuStart(QemuStartOptions& o, CliContext& ctx) {
  o.request.image = o.image;
  o.request.method = "qemu";
  o.request.start = !o.no_start;
  o.request.qemu_name = devices::ParseQemuName(o.request.qemu_name);
  if (o.netdev) o.request.qemu_netdev = flasher::ParseQemuNetdev(*o.netdev);
  if (!o.board && !o.config) o.board = "qemu_rv32_virt";
  RunFlashAndReport(o.request, o.board, o.config, ctx);
}

void RegisterQemuStart(CLI::App* qemu, CliContext& ctx) {
  auto o = std::make_shared<QemuStartOptions>();
  CLI::App* start = qemu->add_subcommand(
      "start", "Start a new QEMU with IMAGE loaded and running (the qemu method of `flash`)");
  start->add_option("IMAGE", o->image, "Kernel image file")->required();
  auto* board =
      start->add_option("-b,--board", o->board, "Board name from the catalog (qemu_rv32_virt)");
  board->excludes(start->add_option("-c,--config", o->config, "Board JSON file"));
  start->add_option("--name", o->request.qemu_name,
                    "Instance name: replaces only the QEMU of that name (default: default)");
  start->add_option("--netdev", o->netdev,
                    "A VirtIO-net eth0 on QEMU's user (NAT) or tap network, or linked to another "
                    "instance (listen:PORT, connect:PORT)");
  start
      ->add_option("--qemu-arg", o->request.qemu_args,
                   "One more argument for QEMU's command line (repeat for more)")
      ->allow_extra_args(false);
  start->add_flag("--no-start", o->no_start, "Leave QEMU halted at the image's entry");
  start->callback([o, &ctx] { RunQemuStart(*o, ctx); });
}

void RegisterQemuCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* qemu = app.add_subcommand(
      "qemu", "Start, show and stop the QEMU instances that run kernels of the QEMU boards");
  qemu->require_subcommand(1);
  RegisterQemuStart(qemu, ctx);
  auto status_selection = std::make_shared<QemuSelection>();
  CLI::App* status = qemu->add_subcommand(
      "status", "Show pid, gdb and UART ports, uptime and whether it is alive");
  AddSelection(status, *status_selection, "show");
  status->callback([status_selection, &ctx] { RunStatus(*status_selection, ctx); });
  auto stop_selection = std::make_shared<QemuSelection>();
  CLI::App* stop =
      qemu->add_subcommand("stop", "Stop it (SIGTERM, then SIGKILL) and remove its state file");
  AddSelection(stop, *stop_selection, "stop");
  stop->callback([stop_selection, &ctx] { RunStop(*stop_selection, ctx); });
}

const CommandRegistration kQemuRegistration{42, "qemu", &RegisterQemuCommand};

}  // namespace
}  // namespace tockctl::cli
