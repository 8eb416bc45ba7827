// tockctl qemu status|stop: the QEMU that `tockctl flash` started for qemu_rv32_virt.
#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "devices/qemu_instance.h"

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

void RegisterQemuCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* qemu = app.add_subcommand("qemu", "Manage the QEMU that `tockctl flash` started");
  qemu->require_subcommand(1);
  qemu->add_subcommand("status", "Show pid, gdb and UART ports, uptime and whether it is alive")
      ->callback([&ctx] { RunStatus(ctx); });
  qemu->add_subcommand("stop", "Stop it (SIGTERM, then SIGKILL) and remove its state file")
      ->callback([&ctx] { RunStop(ctx); });
}

const CommandRegistration kQemuRegistration{42, &RegisterQemuCommand};

}  // namespace
}  // namespace tockctl::cli
