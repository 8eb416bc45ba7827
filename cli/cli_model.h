// Converts the live CLI11 application into the plain CommandSpec tree that the completion and
// man page generators read, so they follow every subcommand as it is registered.
#pragma once

#include <CLI/CLI.hpp>

#include "common/command_spec.h"

namespace tockctl::cli {

/// The visible commands, options and positionals of `app` and its subcommands (hidden ones
/// left out; option groups folded into their command). Value kinds: CLI::IsMember gives choices;
/// type_name or validator "BOARD"/"FILE"/"DIR" (CLI::ExistingFile, ...) or the argument's name
/// and description say board, file or directory; anything else is text. Does not fail.
CommandSpec CommandSpecFromApp(CLI::App& app);

}  // namespace tockctl::cli
