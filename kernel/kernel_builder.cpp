#include "kernel/kernel_builder.h"

#include "common/error.h"

namespace tockctl::kernel {
namespace {

bool Has(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

std::string StripAnsi(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\033' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !(line[i] >= '@' && line[i] <= '~')) ++i;
      continue;
    }
    out += line[i];
  }
  return out;
}

bool IsMakeFailure(std::string_view t) {
  if (!t.starts_with("make")) return false;
  size_t colon = t.find(": ***");
  return colon != std::string_view::npos && colon <= 12;
}

// Lines that summarise a failure rather than report one.
bool IsSummary(std::string_view t) {
  return IsMakeFailure(t) || t.starts_with("error: could not compile") ||
         t.starts_with("error: aborting due to") || Has(t, "collect2: error: ld returned") ||
         (t.starts_with("warning: `") && Has(t, " generated ")) ||
         t.starts_with("warning: build failed");
}

bool IsRegionOverflow(std::string_view t) {
  return (Has(t, "region `") && Has(t, "' overflowed by")) || Has(t, "will not fit in region");
}

bool IsError(std::string_view t) {
  return t.starts_with("error:") || t.starts_with("error[") || Has(t, ": error:") ||
         Has(t, ": fatal error:") || Has(t, ": undefined reference to") || IsRegionOverflow(t);
}

bool IsWarning(std::string_view t) {
  return t.starts_with("warning:") || t.starts_with("warning[") || Has(t, ": warning:");
}

std::string Plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

const char* ProfileName(BuildProfile profile) {
  return profile == BuildProfile::kRelease ? "release" : "debug";
}

std::string BuildCommand::Display() const {
  std::string out;
  for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

BuildCommand MakeBuildCommand(BuildTool tool, BuildProfile profile, const BoardCrate& crate) {
  BuildCommand c;
  c.cwd = crate.board_dir;
  if (tool == BuildTool::kMake) {
    c.argv = {"make"};
    if (profile == BuildProfile::kDebug) c.argv.emplace_back("debug");
    return c;
  }
  c.argv = {"cargo", "build"};
  if (profile == BuildProfile::kRelease) c.argv.emplace_back("--release");
  if (!crate.json_target) c.argv.insert(c.argv.end(), {"--target", crate.target});
  return c;
}

LineKind DiagnosticCounter::Add(std::string_view raw) {
  std::string line = StripAnsi(raw);
  std::string_view t = line;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  if (IsSummary(t)) {
    last_summary_ = std::string(t);
    return t.starts_with("warning") ? LineKind::kWarning : LineKind::kError;
  }
  if (IsError(t)) {
    ++errors_;
    bool amount = Has(t, "overflowed by");  // "region `rom' overflowed by 72 bytes" says most
    if (first_error_.empty() || (amount && !overflow_amount_)) first_error_ = std::string(t);
    overflow_amount_ |= amount;
    region_overflow_ |= IsRegionOverflow(t);
    return LineKind::kError;
  }
  if (IsWarning(t)) {
    ++warnings_;
    return LineKind::kWarning;
  }
  return LineKind::kOutput;
}

BuildRun RunBuild(const BuildCommand& command, ProcessRunner& runner,
                  const std::function<void(const std::string&, LineKind)>& on_line) {
  DiagnosticCounter counter;
  auto handle = [&](const std::string& line) { on_line(line, counter.Add(line)); };
  ProcessSpec spec;
  spec.argv = command.argv;
  spec.cwd = command.cwd.string();
  spec.env = command.env;
  spec.on_stdout_line = handle;
  spec.on_stderr_line = handle;
  ProcessResult result = runner.Run(spec);
  return {result.exit_code,      counter.errors(),       counter.warnings(),
          counter.first_error(), counter.last_summary(), counter.region_overflow()};
}

void ThrowIfFailed(const BuildRun& run, const BuildCommand& command) {
  if (run.exit_code == 0) return;
  std::string counts = DiagnosticSummary(run.errors, run.warnings);
  if (run.region_overflow)
    throw Error(ErrorCategory::kInvalidInput,
                "the kernel does not fit its memory region: " + run.first_error, {},
                "make the kernel smaller or give it more room in layout.ld and the board JSON");
  std::string why = !run.first_error.empty()    ? run.first_error
                    : !run.last_summary.empty() ? run.last_summary
                                                : "no error line in its output";
  ErrorContext ctx;
  ctx.file = command.cwd.string();
  throw Error(
      ErrorCategory::kToolFailed,
      "`" + command.Display() + "` failed (exit " + std::to_string(run.exit_code) + "): " + why,
      ctx, counts + "; the full output is above");
}

std::string DiagnosticSummary(int errors, int warnings) {
  return Plural(errors, "error") + ", " + Plural(warnings, "warning");
}

}  // namespace tockctl::kernel
