#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
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
      std::string text = "unknown command `" + path + word + "`; ";
      const auto close = ClosestNames(word, VisibleSubcommandNames(*at));
      if (close.empty()) return text + "run `tockctl " + path + "--help` to see the commands";
      for (size_t n = 0; n < close.size(); ++n)
        text += std::string(n == 0 ? "did you mean `" : " or `") + path + close[n] + "`";
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

// Parses and runs; help and version requests print here. Errors from the command propagate.
int ParseAndRun(CLI::App& app, const std::vector<std::string>& args, CliContext& ctx) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
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
    return HandleParseError(app, e, args, ctx);
  }
}

}  // namespace

int RunTockctl(const std::vector<std::string>& args, CliContext& ctx) {
  CLI::App app{"tockctl: build, flash and trace Tock kernels", "tockctl"};
  app.fallthrough();
  app.require_subcommand(1);
  AddGlobalOptions(app, ctx.options);
  RegisterAllCommands(app, ctx);
  try {
    const int code = ParseAndRun(app, args, ctx);
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
