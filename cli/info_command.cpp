// tockctl info [IMAGE] [--board NAME|--config FILE] ...: the kernel attributes (version, kernel
// flash, app memory) of a kernel image or of the kernel on a board (docs/info.md).
#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "cli/device_options.h"
#include "cli/stop_signals.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/process.h"
#include "config/board_resolution.h"
#include "devices/serial_lending.h"
#include "flasher/backend_registry.h"
#include "flasher/kernel_info.h"

namespace tockctl::cli {
namespace {

struct InfoOptions {
  std::optional<std::string> image;
  std::optional<std::string> board;
  std::optional<std::string> config;
  std::optional<std::string> format;
  std::optional<std::string> address;
  flasher::FlashRequest request;
};

flasher::KernelInfo ReadInfoFromImage(const InfoOptions& o, CliContext& ctx) {
  flasher::ImageLoadOptions load;
  if (o.format) load.format = flasher::ParseImageFormat(*o.format);
  if (o.address) load.address = flasher::ParseAddressArgument(*o.address, "--address");
  if (!o.board && !o.config) return flasher::ReadImageKernelInfo(*o.image, load, nullptr);
  config::HardwareBoard board = config::ResolveBoard({o.board, o.config}, ctx.BoardSearch()).board;
  return flasher::ReadImageKernelInfo(*o.image, load, &board.memory.kernel_flash);
}

flasher::KernelInfo ReadInfoFromBoard(const InfoOptions& o, CliContext& ctx) {
  if (!o.board && !o.config)
    throw Error(ErrorCategory::kUsage, "tockctl info needs an IMAGE file or a board to read",
                ErrorContext{},
                "pass IMAGE, or --board NAME (or --config FILE) for a running board");
  config::HardwareBoard board = config::ResolveBoard({o.board, o.config}, ctx.BoardSearch()).board;
  // Reading a few bytes has no progress to show, and the back-ends' connect messages speak of
  // flashing ("Using the QEMU started earlier").
  flasher::ProgressPrinter progress(flasher::ProgressStyle::kSilent, [](const std::string&) {});
  PosixProcessRunner runner;
  ScopedStopSignals signals;
  // A `tockctl console` or `trace` holding the board's serial port lends it meanwhile.
  devices::SerialLoanScope loan("info", std::chrono::milliseconds(3000),
                                [&ctx](const std::string& text) { ctx.Note(text); });
  flasher::FlashEnvironment env{ctx.Log(), &runner, &progress, SystemClock(),
                                &signals.stop_requested()};
  return flasher::ReadBoardKernelInfo(o.request, board, env);
}

void RunInfoCommand(const InfoOptions& o, CliContext& ctx) {
  flasher::KernelInfo info = o.image ? ReadInfoFromImage(o, ctx) : ReadInfoFromBoard(o, ctx);
  if (ctx.options.json) return ctx.PrintJson(flasher::KernelInfoToJson(info));
  std::string text = flasher::FormatKernelInfo(info);
  ctx.Print(text.substr(0, text.size() - 1));
}

void RegisterInfoCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info",
                                     "Show a Tock kernel's attributes (version, kernel flash, app "
                                     "memory) from an image or a board");
  cmd->add_option("IMAGE", o->image,
                  "Kernel image file (ELF, bin, Intel HEX, UF2); none: the board");
  auto* board = cmd->add_option("-b,--board", o->board, "Board name from the catalog");
  auto* config = cmd->add_option("-c,--config", o->config, "Board JSON file");
  board->excludes(config);
  AddInputFormatOption(*cmd, o->format, "Options", true);
  cmd->add_option("--address", o->address, "Load address of a raw binary image");
  cmd->add_option(
      "-m,--method", o->request.method,
      "Method that reads the board (default: the board's); one of " + flasher::KnownMethods());
  AddFlashDeviceOptions(*cmd, o->request, "Options");
  cmd->callback([o, &ctx] { RunInfoCommand(*o, ctx); });
}

const CommandRegistration kInfoRegistration{44, "info", &RegisterInfoCommand};

}  // namespace
}  // namespace tockctl::cli
