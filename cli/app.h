// The tockctl command line: global options, subcommands, and the mapping of errors to exit codes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/context.h"

namespace tockctl::cli {

/// Parses `args` (without the program name), runs the chosen subcommand, prints any error as one
/// line on ctx.err(), and returns the documented exit code.
int RunTockctl(const std::vector<std::string>& args, CliContext& ctx);

/// The arguments to parse when started as `program` (argv[0]) with `args`: started through the
/// `tockctl-extcap` link that Wireshark runs, `extcap` goes first.
std::vector<std::string> ArgumentsFor(std::string_view program, std::vector<std::string> args);

}  // namespace tockctl::cli
