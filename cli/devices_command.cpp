// `tockctl devices`: serial ports, debug probes and bootloaders attached to this host.
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "devices/device_discovery.h"

namespace tockctl::cli {
namespace {

struct DevicesOptions {
  std::string sys_root = "/sys";  ///< Hidden: tests point these at a fake tree.
  std::string dev_root = "/dev";
};

void RunDevices(CliContext& ctx, const DevicesOptions& opts) {
  devices::SysfsDeviceScanner scanner(opts.sys_root, opts.dev_root);
  devices::DeviceReport report = devices::DiscoverDevices(scanner);
  if (ctx.options.json) return ctx.Print(devices::DeviceReportToJson(report).dump());
  std::string text = devices::RenderDeviceReport(report);
  text.pop_back();  // Print adds the final newline
  ctx.Print(text);
}

void RegisterDevicesCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<DevicesOptions>();
  auto* cmd = app.add_subcommand(
      "devices", "List serial ports, debug probes and bootloaders (with --json: one object)");
  cmd->add_option("--sys-root", opts->sys_root, "sysfs root")->group("");
  cmd->add_option("--dev-root", opts->dev_root, "device node root")->group("");
  cmd->callback([&ctx, opts] { RunDevices(ctx, *opts); });
}

}  // namespace

const CommandRegistration kDevicesRegistration{43, "devices", &RegisterDevicesCommand};

}  // namespace tockctl::cli
