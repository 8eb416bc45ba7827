// tockctl entry point: everything else lives in the libraries and cli/ subcommand files.
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "cli/app.h"
#include "common/error.h"

int main(int argc, char** argv) {
  tockctl::cli::CliContext ctx;
  try {
    std::vector<std::string> args = tockctl::cli::ArgumentsFor(
        argc > 0 ? argv[0] : "", {argv + std::min(argc, 1), argv + argc});
    return tockctl::cli::RunTockctl(args, ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal error: %s; please report this as a bug\n", e.what());
    return tockctl::ExitCodeFor(tockctl::ErrorCategory::kInternal);
  }
}
