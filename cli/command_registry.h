// Each subcommand file registers itself here, so adding a subcommand touches only its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/context.h"

namespace tockctl::cli {

/// Adds one subcommand (and its callback) to the application.
using RegisterFn = void (*)(CLI::App& app, CliContext& ctx);

/// What a subcommand's callback reads of the command line definition.
enum class CommandScope {
  kOwn,        ///< Only its own options: it can run with no other subcommand registered.
  kWholeTree,  ///< Every subcommand's (completion scripts, the man page).
};

/// Declared at namespace scope in a subcommand's .cpp:
/// `const CommandRegistration kReg{20, "flash", &Fn};`. `order` sets the position in --help;
/// `name` is the subcommand `fn` adds.
struct CommandRegistration {
  CommandRegistration(int order, const char* name, RegisterFn fn,
                      CommandScope scope = CommandScope::kOwn);
};

/// Registers every subcommand in order.
void RegisterAllCommands(CLI::App& app, CliContext& ctx);

/// Registers only the subcommand called `name`, when there is one and its scope is kOwn; returns
/// whether it did.
bool RegisterOneCommand(CLI::App& app, CliContext& ctx, const std::string& name);

}  // namespace tockctl::cli
