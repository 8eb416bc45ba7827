// Each subcommand file registers itself here, so adding a subcommand touches only its own file.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace tockctl::cli {

/// Adds one subcommand (and its callback) to the application.
using RegisterFn = void (*)(CLI::App& app, CliContext& ctx);

/// Declared at namespace scope in a subcommand's .cpp: `const CommandRegistration kReg{20, &Fn};`
/// `order` sets the position in --help.
struct CommandRegistration {
  CommandRegistration(int order, RegisterFn fn);
};

/// Registers every subcommand in order.
void RegisterAllCommands(CLI::App& app, CliContext& ctx);

}  // namespace tockctl::cli
