// A plain description of tockctl's command line (commands, options, positionals), independent of
// the parser library, from which shell completions and the man page are generated.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace tockctl {

/// What a value on the command line is, so completions can offer the right candidates.
enum class ValueKind {
  kNone,       ///< No value: a flag.
  kText,       ///< Free text (no completion).
  kFile,       ///< A file name.
  kDirectory,  ///< A directory name.
  kBoard,      ///< A board name from the catalog.
  kChoice,     ///< One of `choices`.
};

/// One option (`-v,--verbose`) or positional argument (`NAME`).
struct ArgumentSpec {
  std::vector<std::string> short_names;  ///< Without the dash: {"v"}.
  std::vector<std::string> long_names;   ///< Without the dashes: {"verbose"}.
  std::string value_name;                ///< Shown for the value: "NAME", "FILE", "TEXT".
  std::string description;
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  ///< For kChoice.
  bool required = false;
  bool repeatable = false;  ///< May be given more than once (or takes several values).

  /// True if the argument consumes a value.
  bool TakesValue() const { return kind != ValueKind::kNone; }
};

/// One command or subcommand, with what it accepts.
struct CommandSpec {
  std::string name;  ///< "tockctl", "boards", "show".
  std::string description;
  std::vector<ArgumentSpec> options;      ///< In definition order.
  std::vector<ArgumentSpec> positionals;  ///< In the order they are consumed.
  std::vector<CommandSpec> subcommands;   ///< Visible subcommands, in --help order.
  bool inherits_options =
      false;  ///< The parent's options are accepted here too (CLI11 fallthrough).
  bool requires_subcommand = false;
  /// Set on the copy of a command made for each of its aliases ("listen" of "console"), so that
  /// completions accept and offer the alias; the man page gives it a one-line section.
  std::string alias_of = {};
};

/// One command as seen during a walk of the tree.
struct CommandVisit {
  std::vector<std::string> path;  ///< From the root: {"tockctl", "boards", "show"}.
  const CommandSpec* command = nullptr;
  /// Options accepted here: the command's own, then inherited ones it does not redefine.
  std::vector<const ArgumentSpec*> options;
};

/// Calls `fn` for `root` and every subcommand below it, parents before children.
void VisitCommands(const CommandSpec& root, const std::function<void(const CommandVisit&)>& fn);

/// Every name of an argument with its dashes: {"-v", "--verbose"}.
std::vector<std::string> DashedNames(const ArgumentSpec& arg);

/// `path` joined with single spaces.
std::string JoinPath(const std::vector<std::string>& path);

}  // namespace tockctl
