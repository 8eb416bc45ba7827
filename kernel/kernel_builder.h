// Running a board's build the way Tock does (`make` in the board directory, or cargo), streaming
// the compiler's output and picking out its errors and warnings.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/process.h"
#include "kernel/tock_tree.h"

namespace tockctl::kernel {

/// Which build system runs.
enum class BuildTool { kMake, kCargo };
/// Which profile is built.
enum class BuildProfile { kRelease, kDebug };

/// "release" or "debug" (cargo's directory name for the profile).
const char* ProfileName(BuildProfile profile);

/// One command to run.
struct BuildCommand {
  std::vector<std::string> argv;
  std::filesystem::path cwd;
  std::map<std::string, std::string> env;
  /// The command as one line, for messages ("make -C boards/qemu_rv32_virt").
  std::string Display() const;
};

/// make: `make` (release, Tock's default target) or `make debug`, in the board directory.
/// cargo: `cargo build [--release] --target TRIPLE` in the board directory (no --target for a
/// JSON-spec target: the board's .cargo/config.toml names it, as in Tock).
BuildCommand MakeBuildCommand(BuildTool tool, BuildProfile profile, const BoardCrate& crate);

/// What an output line is.
enum class LineKind { kOutput, kError, kWarning };

/// Classifies compiler, linker and make output lines and counts diagnostics. Summary lines
/// ("error: could not compile", "warning: `x` generated 2 warnings", "collect2: error: ld
/// returned 1 exit status", "make: *** ...") are not counted as diagnostics of their own.
class DiagnosticCounter {
 public:
  /// Classifies `line` and counts it.
  LineKind Add(std::string_view line);
  int errors() const { return errors_; }
  int warnings() const { return warnings_; }
  /// The first error line, or "" if none.
  const std::string& first_error() const { return first_error_; }
  /// The last make/cargo failure summary line, or "".
  const std::string& last_summary() const { return last_summary_; }
  /// True if the linker said a memory region overflowed.
  bool region_overflow() const { return region_overflow_; }

 private:
  int errors_ = 0;
  int warnings_ = 0;
  std::string first_error_;
  std::string last_summary_;
  bool region_overflow_ = false;
  bool overflow_amount_ = false;
};

/// How a build went.
struct BuildRun {
  int exit_code = -1;
  int errors = 0;
  int warnings = 0;
  std::string first_error;
  std::string last_summary;
  bool region_overflow = false;
};

/// Runs `command`, handing each output line (stdout and stderr, as they arrive) and its kind to
/// `on_line`. Throws Error(kToolFailed) if the program cannot be started.
BuildRun RunBuild(const BuildCommand& command, ProcessRunner& runner,
                  const std::function<void(const std::string&, LineKind)>& on_line);

/// Throws for a failed build: Error(kInvalidInput) when the linker reported a region overflow,
/// Error(kToolFailed) otherwise, with the compiler's first error line in the message.
void ThrowIfFailed(const BuildRun& run, const BuildCommand& command);

/// "N errors, M warnings" with singular forms.
std::string DiagnosticSummary(int errors, int warnings);

}  // namespace tockctl::kernel
