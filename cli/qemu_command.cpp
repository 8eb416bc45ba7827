// tockctl qemu start|status|stop: the QEMU that `tockctl flash` (or `qemu start`) started for
// qemu_rv32_virt.
#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "cli/flash_command.h"
#include "devices/qemu_instance.h"
#include "flasher/qemu_flasher.h"

namespace tockctl::cli {
namespace {

void RunStatus(CliContext& ctx) {
  devices::QemuStateStore store(devices::QemuStateDir());
  devices::QemuStatus status = devices::ReadQemuStatus(store, devices::UnixNow());
  if (ctx.options.json) return ctx.PrintJson(devices::QemuStatusToJson(status));
  std::string text = devices::RenderQemuStatus(status);
  ctx.Print(text.substr(0, text.size() - 1));
}

void RunStop(CliContext& ctx) {
  devices::QemuStateStore store(devices::QemuStateDir());
  devices::QemuStatus before = devices::StopRecordedQemu(store, devices::UnixNow());
  if (ctx.options.json) {  // the instance as it was; running and stale as they are now
    auto j = devices::QemuStatusToJson(before);
    j["running"] = false;
    j["stale"] = false;
    j["stopped"] = before.alive;
    return ctx.PrintJson(j);
  }
  if (!before.instance) return ctx.Note("No QEMU started by tockctl is running");
  if (!before.alive)
    return ctx.Note("QEMU pid " + std::to_string(before.instance->pid) +
                    " was already gone; removed the stale state file");
  ctx.Note("Stopped QEMU pid " + std::to_string(before.instance->pid));
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
  start->add_option("--netdev", o->netdev, "A VirtIO-net eth0 on QEMU's user (NAT) or tap network");
  start
      ->add_option("--qemu-arg", o->request.qemu_args,
                   "One more argument for QEMU's command line (repeat for more)")
      ->allow_extra_args(false);
  start->add_flag("--no-start", o->no_start, "Leave QEMU halted at the image's entry");
  start->callback([o, &ctx] { RunQemuStart(*o, ctx); });
}

void RegisterQemuCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* qemu =
      app.add_subcommand("qemu", "Start, show and stop the QEMU that runs qemu_rv32_virt kernels");
  qemu->require_subcommand(1);
  RegisterQemuStart(qemu, ctx);
  qemu->add_subcommand("status", "Show pid, gdb and UART ports, uptime and whether it is alive")
      ->callback([&ctx] { RunStatus(ctx); });
  qemu->add_subcommand("stop", "Stop it (SIGTERM, then SIGKILL) and remove its state file")
      ->callback([&ctx] { RunStop(ctx); });
}

const CommandRegistration kQemuRegistration{42, &RegisterQemuCommand};

}  // namespace
}  // namespace tockctl::cli
