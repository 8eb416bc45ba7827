// Shell completion scripts for bash, zsh and fish, generated from a CommandSpec tree.
#pragma once

#include <string>

#include "common/command_spec.h"

namespace tockctl {

/// A bash completion script for `root` (completes commands, options, choices, files, and board
/// names from `<program> completion --list-boards`). Does not fail.
std::string BashCompletionScript(const CommandSpec& root);

/// A zsh completion script (#compdef; works autoloaded from $fpath or sourced). Does not fail.
std::string ZshCompletionScript(const CommandSpec& root);

/// A fish completion script (for vendor_completions.d or `source`). Does not fail.
std::string FishCompletionScript(const CommandSpec& root);

/// `text` as one single-quoted POSIX shell word.
std::string ShellQuote(const std::string& text);

/// Identifier-safe form of a command path for function names: {"tockctl","boards"} ->
/// "tockctl__boards" (characters other than letters, digits and '_' become '_').
std::string FunctionSuffix(const std::vector<std::string>& path);

}  // namespace tockctl
