// `tockctl console` (alias `listen`): an interactive terminal on a device's console, with the
// trace records on the same link decoded in between.
#include <memory>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/source_options.h"

namespace tockctl::cli {
namespace {

void RegisterConsoleCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<tracer::ConsoleOptions>();
  auto board = std::make_shared<BoardChoice>();
  auto* cmd = app.add_subcommand("console",
                                 "Interactive terminal on a device's console (Ctrl-] quits); "
                                 "trace records on the link are decoded");
  cmd->alias("listen");
  AddSourceOptions(*cmd, opts->source, false);
  AddBoardChoiceOptions(*cmd, *board);
  AddConsoleViewOptions(*cmd, *opts);
  cmd->callback([&ctx, opts, board] {
    ApplyBoardChoice(ctx, *board, opts->source);
    RunConsoleFor(ctx, *opts);
  });
}

}  // namespace

const CommandRegistration kConsoleRegistration{55, "console", &RegisterConsoleCommand};

}  // namespace tockctl::cli
