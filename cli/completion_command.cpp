// `tockctl completion bash|zsh|fish|man`: shell completion scripts and the man page, generated
// from the live command line definition.
#include <memory>
#include <string>

#include "cli/cli_model.h"
#include "cli/command_registry.h"
#include "cli/context.h"
#include "common/completion_script.h"
#include "common/error.h"
#include "common/man_page.h"
#include "config/board_catalog.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {
namespace {

struct CompletionOptions {
  std::string kind;
  bool list_boards = false;
};

std::string Generate(const std::string& kind, const CommandSpec& spec) {
  if (kind == "bash") return BashCompletionScript(spec);
  if (kind == "zsh") return ZshCompletionScript(spec);
  if (kind == "fish") return FishCompletionScript(spec);
  return ManPage(spec, TOCKCTL_VERSION);
}

void RunCompletion(CliContext& ctx, CLI::App& root, const CompletionOptions& o) {
  if (o.list_boards) {
    for (const auto& name : config::BoardCatalog::Load(ctx.BoardSearch()).Names()) ctx.Print(name);
    return;
  }
  ctx.Write(Generate(o.kind, CommandSpecFromApp(root)));
}

void RegisterCompletionCommand(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<CompletionOptions>();
  auto* cmd = app.add_subcommand(
      "completion", "Print a shell completion script (bash, zsh, fish) or the man page (man)");
  auto* kind = cmd->add_option("KIND", opts->kind, "bash, zsh, fish or man")
                   ->check(CLI::IsMember({"bash", "zsh", "fish", "man"}));
  auto* list = cmd->add_flag("--list-boards", opts->list_boards,
                             "Print the catalog's board names, one per line")
                   ->group("");  // used by the completion scripts
  kind->excludes(list);
  cmd->callback([&ctx, &app, opts, kind] {
    if (!opts->list_boards && kind->count() == 0)
      throw Error(
          ErrorCategory::kUsage, "completion needs KIND: bash, zsh, fish or man", {},
          "e.g. tockctl completion bash > ~/.local/share/bash-completion/completions/tockctl");
    RunCompletion(ctx, app, *opts);
  });
}

}  // namespace

const CommandRegistration kCompletionRegistration{70, "completion", &RegisterCompletionCommand,
                                                  CommandScope::kWholeTree};

}  // namespace tockctl::cli
