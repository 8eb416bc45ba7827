#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/command_registry.h"
#include "common/closest_names.h"
#include "common/error.h"
#include "common/output_stream.h"

#ifndef TOCKCTL_VERSION
#define TOCKCTL_VERSION "0.0.0"
#endif

namespace tockctl::cli {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& o) {
  app.set_version_flag("--version", std::string("tockctl ") + TOCKCTL_VERSION);
  app.add_flag("-v,--verbose", o.verbosity, "More log output (repeat for more)");
  app.add_flag("-q,--quiet", o.quiet, "Only print errors on stderr");
  app.add_flag("--json", o.json, "Machine-readable JSON on stdout");
  app.add_option("--color", o.color, "Colour output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--data-dir", o.data_dir,
                 "Directory holding boards/ and templates/ (default: installed or source tree)");
}

void PrintError(CliContext& ctx, const std::string& text) {
  std::string prefix = ctx.UseColor(ctx.err()) ? "\033[1;31merror\033[0m: " : "error: ";
  std::fputs((prefix + text + "\n").c_str(), ctx.err());
}

// True if `word` is an option of `at` (or of a parent, as options fall through) that takes a value
// in the next argument.
bool TakesSeparateValue(const CLI::App& at, const std::string& word) {
  if (word.rfind("--", 0) == 0 && word.find('=') != std::string::npos) return false;
  for (const CLI::App* app = &at; app != nullptr; app = app->get_parent()) {
    if (const CLI::Option* opt = app->get_option_no_throw(word))
      return opt->get_items_expected_max() > 0 && !opt->get_positional();
  }
  return false;
}

std::vector<std::string> VisibleSubcommandNames(CLI::App& at) {
  std::vector<std::string> names;
  for (CLI::App* sub : at.get_subcommands([](CLI::App* s) { return !s->get_group().empty(); }))
    names.push_back(sub->get_name());
  return names;
}

CLI::App* FindSubcommand(CLI::App& at, const std::string& word) {
  for (CLI::App* sub : at.get_subcommands({}))
    if (sub->check_name(word)) return sub;
  return nullptr;
}

// "unknown command `boards lst`; did you mean `boards list`?" when a word stands where a
// subcommand is expected and names none; nullopt when the command words are all known.
std::optional<std::string> UnknownCommandMessage(CLI::App& root,
                                                 const std::vector<std::string>& args) {
  CLI::App* at = &root;
  std::string path;
  for (size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    const std::string& word = args[i];
    if (word.size() > 1 && word[0] == '-') {
      if (TakesSeparateValue(*at, word)) ++i;
      continue;
    }
    if (at->get_subcommands({}).empty()) return std::nullopt;
    CLI::App* sub = FindSubcommand(*at, word);
    if (sub == nullptr) {
      std::string text = "unknown command `";
      text.append(path).append(word).append("`; ");
      const auto close = ClosestNames(word, VisibleSubcommandNames(*at));
      if (close.empty())
        return text.append("run `tockctl ").append(path).append("--help` to see the commands");
      for (size_t n = 0; n < close.size(); ++n)
        text.append(n == 0 ? "did you mean `" : " or `").append(path).append(close[n]).append("`");
      return text + "?";
    }
    at = sub;
    path += word + " ";
  }
  return std::nullopt;
}

int HandleParseError(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args,
                     CliContext& ctx) {
  if (e.get_exit_code() == 0) {  // --help, --version
    ctx.Write(app.help());
    return 0;
  }
  if (auto unknown = UnknownCommandMessage(app, args)) {
    PrintError(ctx, *unknown);
    return ExitCodeFor(ErrorCategory::kUsage);
  }
  PrintError(ctx, std::string(e.what()) + "; run with --help for usage");
  return ExitCodeFor(ErrorCategory::kUsage);
}

// Thrown by ParseAndRun in place of a command line error when `fall_back` is set: the command line
// did not parse with only one subcommand registered, so it is parsed again with all of them.
struct ParseWithAllCommands {};

// Parses and runs; help and version requests print here. Errors from the command propagate. With
// `fall_back`, a command line error found before any callback ran throws ParseWithAllCommands.
int ParseAndRun(CLI::App& app, const std::vector<std::string>& args, CliContext& ctx,
                bool fall_back) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  bool parsed = false;
  app.parse_complete_callback([&parsed] { parsed = true; });
  try {
    app.parse(reversed);
    return ctx.exit_code;
  } catch (const CLI::CallForVersion&) {
    ctx.Write(std::string("tockctl ") + TOCKCTL_VERSION + "\n");
    return 0;
  } catch (const CLI::CallForHelp&) {
    ctx.Write(app.help());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    ctx.Write(app.help("", CLI::AppFormatMode::All));
    return 0;
  } catch (const CLI::ParseError& e) {
    if (fall_back && !parsed && e.get_exit_code() != 0) throw ParseWithAllCommands{};
    return HandleParseError(app, e, args, ctx);
  }
}

std::unique_ptr<CLI::App> RootApp(CliContext& ctx) {
  auto app = std::make_unique<CLI::App>("tockctl: build, flash and trace Tock kernels", "tockctl");
  app->fallthrough();
  app->require_subcommand(1);
  AddGlobalOptions(*app, ctx.options);
  return app;
}

bool IsHelpFlag(const std::string& word) {
  return word == "-h" || word == "--help" || word == "--help-all";
}

// The subcommand the command line names: its first word that is not a global option or an
// option's value. Empty when there is none, or when help is asked for anywhere (help may list
// every subcommand).
std::string CommandWord(const CLI::App& root, const std::vector<std::string>& args) {
  if (std::any_of(args.begin(), args.end(), IsHelpFlag)) return "";
  for (size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    if (args[i].size() > 1 && args[i][0] == '-') {
      if (TakesSeparateValue(root, args[i])) ++i;
      continue;
    }
    return args[i];
  }
  return "";
}

// Registers the subcommand the command line names, when that is enough to run it; otherwise, and
// when the command line does not parse so, every subcommand. Registering every subcommand's
// options costs more than many commands' own work (about 10,000 allocations); help and
// command line errors still see the whole tree, so they read the same either way.
int ParseAndRunRegistering(const std::vector<std::string>& args, CliContext& ctx) {
  std::unique_ptr<CLI::App> app = RootApp(ctx);
  const GlobalOptions defaults = ctx.options;
  const std::string word = CommandWord(*app, args);
  if (!word.empty() && RegisterOneCommand(*app, ctx, word)) {
    try {
      return ParseAndRun(*app, args, ctx, true);
    } catch (const ParseWithAllCommands&) {
      ctx.options = defaults;
      app = RootApp(ctx);
    }
  }
  RegisterAllCommands(*app, ctx);
  return ParseAndRun(*app, args, ctx, false);
}

}  // namespace

int RunTockctl(const std::vector<std::string>& args, CliContext& ctx) {
  try {
    const int code = ParseAndRunRegistering(args, ctx);
    FlushStream(ctx.out());  // output written straight to the stream (trace, extcap) counts too
    return code;
  } catch (const Error& e) {
    PrintError(ctx, e.Describe());
    return ExitCodeFor(e.category());
  }
}

std::vector<std::string> ArgumentsFor(std::string_view program, std::vector<std::string> args) {
  if (std::filesystem::path(program).filename() == "tockctl-extcap") {
    args.insert(args.begin(), "extcap");
  }
  return args;
}

}  // namespace tockctl::cli
