#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>

#include "cli/command_registry.h"
#include "common/error.h"

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

int HandleParseError(CLI::App& app, const CLI::ParseError& e, CliContext& ctx) {
  if (e.get_exit_code() == 0) {  // --help, --version
    std::fputs(app.help().c_str(), ctx.out());
    return 0;
  }
  PrintError(ctx, std::string(e.what()) + "; run with --help for usage");
  return ExitCodeFor(ErrorCategory::kUsage);
}

}  // namespace

int RunTockctl(const std::vector<std::string>& args, CliContext& ctx) {
  CLI::App app{"tockctl: build, flash and trace Tock kernels", "tockctl"};
  app.fallthrough();
  app.require_subcommand(1);
  AddGlobalOptions(app, ctx.options);
  RegisterAllCommands(app, ctx);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
    return ctx.exit_code;
  } catch (const CLI::CallForVersion&) {
    std::fputs((std::string("tockctl ") + TOCKCTL_VERSION + "\n").c_str(), ctx.out());
    return 0;
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), ctx.out());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), ctx.out());
    return 0;
  } catch (const CLI::ParseError& e) {
    return HandleParseError(app, e, ctx);
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
