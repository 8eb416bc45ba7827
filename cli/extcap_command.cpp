// `tockctl extcap`: Wireshark's extcap interface (live capture from QEMU, serial and USB trace
// sources), and --install to set it up. Wireshark runs it as `tockctl-extcap` (cli/app.cpp).
#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/stop_signals.h"
#include "common/data_dir.h"
#include "common/process.h"
#include "devices/qemu_instance.h"
#include "tracer/extcap_install.h"
#include "tracer/extcap_program.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {
namespace {

struct ExtcapCommandOptions {
  tracer::ExtcapRequest request;
  tracer::ExtcapInstallRequest install;
  bool do_install = false;
  std::string sys_root = "/sys";  ///< Hidden: tests point these at a fake tree.
  std::string dev_root = "/dev";
};

// A reader that leaves the FIFO must show as EPIPE, not end the process.
class ScopedIgnoreSigpipe {
 public:
  ScopedIgnoreSigpipe() : old_(std::signal(SIGPIPE, SIG_IGN)) {}
  ~ScopedIgnoreSigpipe() { std::signal(SIGPIPE, old_); }
  ScopedIgnoreSigpipe(const ScopedIgnoreSigpipe&) = delete;
  ScopedIgnoreSigpipe& operator=(const ScopedIgnoreSigpipe&) = delete;

 private:
  void (*old_)(int);
};

std::optional<std::string> GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
}

void RunInstall(CliContext& ctx, ExtcapCommandOptions& o) {
  o.install.executable = CurrentExecutable();
  if (!o.install.uninstall) o.install.data_dir = ctx.DataDir();
  o.install.tshark = FindProgram("tshark");
  PosixProcessRunner runner;
  std::string text = tracer::RunExtcapInstall(o.install, runner, &GetEnv);
  text.pop_back();  // Print adds the final newline
  ctx.Print(text);
}

void RunExtcap(CliContext& ctx, ExtcapCommandOptions& o) {
  if (o.do_install || o.install.uninstall) return RunInstall(ctx, o);
  ScopedStopSignals signals;
  ScopedIgnoreSigpipe no_sigpipe;
  tracer::HostSourceInventory inventory(o.sys_root, o.dev_root, devices::QemuStateDir());
  tracer::RecordedQemuUartLocator qemu(devices::QemuStateDir());
  tracer::ExtcapCaptureEnvironment env;
  env.inventory = &inventory;
  env.qemu = &qemu;
  env.stop = &signals.stop_requested();
  env.log = ctx.Log();
  env.application = std::string("tockctl ") + TOCKCTL_VERSION;
  tracer::ExtcapProgramInfo info{TOCKCTL_VERSION, tracer::ExtcapHelpLink(ctx.DataDir())};
  tracer::RunExtcapRequest(o.request, info, env, ctx.out());
}

void AddProtocolOptions(CLI::App& cmd, tracer::ExtcapRequest& r) {
  const char* group = "Wireshark extcap calls";
  cmd.add_flag("--extcap-interfaces", r.interfaces, "List the capture interfaces")->group(group);
  cmd.add_option("--extcap-version", r.version, "Print tockctl's extcap version")
      ->expected(0, 1)
      ->group(group);
  cmd.add_option("--extcap-interface", r.interface, "The interface, e.g. tockctl-qemu")
      ->group(group);
  cmd.add_flag("--extcap-dlts", r.dlts, "List the interface's link types")->group(group);
  cmd.add_flag("--extcap-config", r.config, "List the interface's options")->group(group);
  cmd.add_option("--extcap-reload-option", r.reload_option, "Values of one option")->group(group);
  cmd.add_option("--extcap-capture-filter", r.capture_filter, "Check (or apply) a capture filter")
      ->group(group);
  cmd.add_flag("--capture", r.capture, "Capture into --fifo until stopped")->group(group);
  cmd.add_option("--fifo", r.fifo, "Where to write the pcapng capture")
      ->type_name("FILE")
      ->group(group);
  cmd.add_option("--extcap-control-in", r.control_in, "Control pipe (not used)")->group(group);
  cmd.add_option("--extcap-control-out", r.control_out, "Control pipe (not used)")->group(group);
}

void AddCaptureOptions(CLI::App& cmd, tracer::ExtcapCaptureOptions& c) {
  const char* group = "Interface options (set in Wireshark)";
  cmd.add_option("--baud", c.baud, "Serial line rate (default 115200)")->group(group);
  cmd.add_option("--usb-interface", c.usb_interface, "USB interface number to read")->group(group);
  cmd.add_flag("--reconnect", c.reconnect, "Wait for a device that goes away")->group(group);
  cmd.add_flag("--wait", c.wait, "tockctl-qemu: wait for a QEMU to start")->group(group);
  cmd.add_flag("--ipc", c.filter.ipc, "Only IPC records")->group(group);
  cmd.add_flag("--net", c.filter.net, "Only network records")->group(group);
  cmd.add_option("--process", c.filter.process, "Only records naming this process")->group(group);
  cmd.add_option("--service", c.filter.service, "Only records of this IPC service")->group(group);
  cmd.add_option("--iface", c.filter.iface, "Only records of this network interface")->group(group);
  cmd.add_option("--save-raw", c.save_raw, "Also record the raw byte stream to FILE")
      ->type_name("FILE")
      ->group(group);
}

void AddInstallOptions(CLI::App& cmd, ExtcapCommandOptions& o) {
  const char* group = "Setup";
  auto* install = cmd.add_flag("--install", o.do_install,
                               "Link tockctl and its Lua dissector into your Wireshark folders")
                      ->group(group);
  cmd.add_flag("--uninstall", o.install.uninstall, "Remove those links")
      ->excludes(install)
      ->group(group);
  cmd.add_option("--extcap-dir", o.install.extcap_dir, "Extcap folder (default: Wireshark's)")
      ->type_name("DIR")
      ->group(group);
  cmd.add_option("--lua-dir", o.install.lua_dir, "Lua plugins folder (default: Wireshark's)")
      ->type_name("DIR")
      ->group(group);
  cmd.add_flag("--force", o.install.force, "Replace files that are not links")->group(group);
  cmd.add_option("--sys-root", o.sys_root, "sysfs root")->group("");
  cmd.add_option("--dev-root", o.dev_root, "device node root")->group("");
}

void RegisterExtcapCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<ExtcapCommandOptions>();
  auto* cmd = app.add_subcommand(
      "extcap", "Live capture in Wireshark (extcap; set up with: tockctl extcap --install)");
  AddProtocolOptions(*cmd, opts->request);
  AddCaptureOptions(*cmd, opts->request.options);
  AddInstallOptions(*cmd, *opts);
  cmd->callback([&ctx, opts] { RunExtcap(ctx, *opts); });
}

}  // namespace

const CommandRegistration kExtcapRegistration{60, "extcap", &RegisterExtcapCommand};

}  // namespace tockctl::cli
