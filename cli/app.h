// The tockctl command line: global options, subcommands, and the mapping of errors to exit codes.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace tockctl::cli {

/// Parses `args` (without the program name), runs the chosen subcommand, prints any error as one
/// line on ctx.err(), and returns the documented exit code.
int RunTockctl(const std::vector<std::string>& args, CliContext& ctx);

}  // namespace tockctl::cli
