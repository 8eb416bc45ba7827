// `tockctl run IMAGE`: flash, start, then the console with live trace records in one command, as
// `probe-rs run` and `cargo embed` do; usable as a cargo runner. With the qemu method it starts
// QEMU, connects the console before the CPU runs (nothing printed at boot is missed) and stops
// that QEMU on the way out.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_registry.h"
#include "cli/device_options.h"
#include "cli/flash_command.h"
#include "cli/source_options.h"
#include "common/error.h"
#include "common/process.h"
#include "config/board_resolution.h"
#include "devices/qemu_instance.h"
#include "flasher/backend_registry.h"
#include "flasher/flash_job.h"
#include "flasher/qemu_flasher.h"
#include "tracer/trace_runner.h"

namespace tockctl::cli {
namespace {

struct RunOptions {
  std::string image;
  std::optional<std::string> board;
  std::optional<std::string> config;
  std::optional<std::string> format;
  std::optional<std::string> address;
  std::optional<std::string> netdev;
  bool no_verify = false;
  bool keep_qemu = false;
  flasher::FlashRequest request;
  tracer::ConsoleOptions console;
};

// Where the console is when no --console-* option says: QEMU's UART for the qemu method; the
// --serial port for a serial bootloader (the image goes through it) and for methods that flash
// through a probe and have no use for a serial port (jlink, openocd, probe-rs, ...), but not for
// gdb, whose --serial is a Black Magic Probe's GDB port; otherwise the board's trace link tells
// what to give. A serial console gets the link's baud rate.
void ChooseConsole(RunOptions& o, const std::string& method, const config::HardwareBoard& board) {
  tracer::SourceFlags& s = o.console.source;
  if (!AnySourceGiven(s) && method != "qemu" && method != "gdb" && o.request.port)
    s.serial = *o.request.port;
  // With gdb, --serial is the probe's GDB port: the console needs its own option.
  ApplyBoardTraceLink(board, method, s, method == "gdb" ? "console-" : "");
}

// Stops the QEMU this run started when the run ends, however it ends (a flash that fails or is
// interrupted after starting QEMU included); leaves alone a QEMU that another command has put in
// its place meanwhile, and one that was running before.
class StartedQemu {
 public:
  StartedQemu(CliContext& ctx, const std::string& name, bool active)
      : ctx_(ctx), store_(devices::QemuStateDir(), name) {
    if (!active) return;
    active_ = true;
    before_ = RecordedPid();
  }
  ~StartedQemu() {
    try {
      Stop();
    } catch (...) {  // a destructor must not throw; the QEMU is left as `qemu status` shows
    }
  }
  StartedQemu(const StartedQemu&) = delete;
  StartedQemu& operator=(const StartedQemu&) = delete;

  /// The QEMU the flash reports it left running is the one to stop.
  void Adopt(const flasher::FlashReport& report) {
    if (!report.outcome) return;
    const auto& running = report.outcome->left_running;
    if (running.is_object() && running.contains("qemu") && running["qemu"].contains("pid"))
      started_ = running["qemu"]["pid"].get<int>();
  }

 private:
  std::optional<int> RecordedPid() const {
    const devices::QemuStatus status = devices::ReadQemuStatus(store_, devices::UnixNow());
    if (!status.instance || !status.alive) return std::nullopt;
    return status.instance->pid;
  }

  void Stop() {
    if (!active_) return;
    const std::optional<int> now = RecordedPid();
    if (!now || now == before_) return;  // none started, or the one from before the run
    if (started_ && *started_ != *now) {
      ctx_.Note("QEMU pid " + std::to_string(*started_) + " was replaced by pid " +
                std::to_string(*now) + " meanwhile; not stopping that one");
      return;
    }
    devices::StopRecordedQemu(store_, devices::UnixNow());
    ctx_.Note("Stopped QEMU pid " + std::to_string(*now));
  }

  CliContext& ctx_;
  devices::QemuStateStore store_;
  bool active_ = false;
  std::optional<int> before_;
  std::optional<int> started_;
};

void RunRunCommand(RunOptions& o, CliContext& ctx) {
  flasher::FlashRequest& r = o.request;
  r.image = o.image;
  r.verify = !o.no_verify;
  r.start = true;
  if (o.format) r.format = flasher::ParseImageFormat(*o.format);
  if (o.address) r.address = flasher::ParseAddressArgument(*o.address, "--address");
  if (o.netdev) r.qemu_netdev = flasher::ParseQemuNetdev(*o.netdev);
  // --qemu-name names the instance both for the flash and for the console.
  if (o.console.source.qemu_name)
    r.qemu_name = devices::ParseQemuName(*o.console.source.qemu_name, "--qemu-name");
  const config::HardwareBoard board =
      config::ResolveBoard({o.board, o.config}, ctx.BoardSearch()).board;
  const std::string method = flasher::MethodFor(r, board);
  if (o.keep_qemu && method != "qemu")
    throw Error(ErrorCategory::kUsage,
                "--keep-qemu leaves QEMU running, which the " + method + " method does not start",
                ErrorContext{}, "leave out --keep-qemu, or use --method qemu");
  ChooseConsole(o, method, board);
  tracer::CheckConsoleOptions(o.console);  // every usage error before the device is touched
  tracer::SourceSpec spec = tracer::ParseSourceSpec(o.console.source);
  spec.lends_as = "console";
  // A board that resets after flashing may re-enumerate: wait for its port to come back.
  spec.wait_for_device =
      spec.kind == tracer::SourceKind::kSerial || spec.kind == tracer::SourceKind::kUsb;
  const auto log = tracer::QuieterSourceLogger(ctx.Log());
  std::unique_ptr<tracer::ByteSource> device;
  const bool connect_first =
      spec.kind == tracer::SourceKind::kQemu || spec.kind == tracer::SourceKind::kTcp;

  StartedQemu qemu(ctx, r.qemu_name, method == "qemu" && !o.keep_qemu);
  const flasher::FlashReport report = RunFlashAndReport(r, o.board, o.config, ctx, [&] {
    if (connect_first) device = tracer::OpenTraceSource(spec, log);
  });
  qemu.Adopt(report);
  if (!device) device = tracer::OpenTraceSource(spec, log);
  RunConsoleFor(ctx, o.console, device.get());
}

void AddFlashOptions(CLI::App& cmd, RunOptions& o) {
  const char* flash = "Flashing (as tockctl flash)";
  auto* board = cmd.add_option("-b,--board", o.board, "Board name from the catalog")->group(flash);
  auto* config = cmd.add_option("-c,--config", o.config, "Board JSON file")->group(flash);
  board->excludes(config);
  cmd.add_option("-m,--method", o.request.method,
                 "Flash method (default: the board's); one of " + flasher::KnownMethods())
      ->group(flash);
  AddInputFormatOption(cmd, o.format, flash, true);
  cmd.add_option("--address", o.address, "Load address of a raw binary image")->group(flash);
  cmd.add_option("--app", o.request.apps, "App image to write into app flash")->group(flash);
  cmd.add_flag("--no-verify", o.no_verify, "Skip verifying what was written")->group(flash);
  AddFlashDeviceOptions(cmd, o.request, flash);
  cmd.add_option("--netdev", o.netdev, "qemu method: a VirtIO-net eth0 (user or tap)")
      ->group(flash);
  cmd.add_option("--qemu-arg", o.request.qemu_args, "qemu method: one more QEMU argument")
      ->allow_extra_args(false)
      ->group(flash);
  cmd.add_flag("--keep-qemu", o.keep_qemu, "qemu method: leave QEMU running on exit")->group(flash);
}

void RegisterRunCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Flash IMAGE, start it and open its console with live trace records (a cargo runner)");
  cmd->add_option("IMAGE", o->image, "Kernel image file (ELF, bin, Intel HEX, UF2)")->required();
  AddFlashOptions(*cmd, *o);
  AddSourceOptions(*cmd, o->console.source, false,
                   "Console (default: QEMU's UART with the qemu method, else the --serial port)",
                   "console-");
  AddConsoleViewOptions(*cmd, o->console);
  cmd->callback([o, &ctx] { RunRunCommand(*o, ctx); });
}

}  // namespace

const CommandRegistration kRunRegistration{41, "run", &RegisterRunCommand};

}  // namespace tockctl::cli
