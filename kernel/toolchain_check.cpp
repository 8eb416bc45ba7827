#include "kernel/toolchain_check.h"

#include <sstream>

#include "common/error.h"
#include "common/file_io.h"
#include "kernel/tock_tree.h"

namespace tockctl::kernel {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRustupInstall =
    "install Rust with rustup: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh";

void RequireProgram(const std::string& program, const std::string& hint) {
  if (!FindProgram(program))
    throw Error(ErrorCategory::kToolFailed, "`" + program + "` was not found on PATH", {}, hint);
}

ProcessResult RunQuiet(ProcessRunner& runner, std::vector<std::string> argv, const fs::path& cwd) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.cwd = cwd.string();
  spec.env["RUSTUP_AUTO_INSTALL"] = "0";  // never download a toolchain while checking
  spec.env["RUST_BACKTRACE"] = "0";
  spec.timeout = std::chrono::seconds(60);
  return runner.Run(spec);
}

std::string FirstErrorLine(const std::string& text) {
  std::istringstream in(text);
  std::string line, first;
  while (std::getline(in, line)) {
    if (line.starts_with("error:")) return line;
    if (first.empty() && !line.empty()) first = line;
  }
  return first;
}

[[noreturn]] void ToolchainFailed(const ToolchainNeeds& needs, const std::string& tool,
                                  const ProcessResult& r) {
  std::string output = r.stderr_text + r.stdout_text;
  std::string channel = ToolchainChannel(needs.board_dir);
  if (output.find("is not installed") != std::string::npos && !channel.empty())
    throw Error(ErrorCategory::kToolFailed,
                "the Rust toolchain " + channel +
                    " that the Tock tree's rust-toolchain.toml asks for is not installed",
                {}, "install it with: rustup toolchain install " + channel);
  throw Error(ErrorCategory::kToolFailed,
              "`" + tool + "` failed while checking the Rust target: " + FirstErrorLine(output));
}

[[noreturn]] void TargetMissing(const std::string& target, const std::string& how) {
  throw Error(ErrorCategory::kToolFailed,
              "the Rust target " + target + " is not installed (" + how + ")", {},
              "install it with: rustup target add " + target);
}

void CheckTargetWithRustup(const ToolchainNeeds& needs, ProcessRunner& runner) {
  ProcessResult r = RunQuiet(runner, {"rustup", "target", "list", "--installed"}, needs.board_dir);
  if (r.exit_code != 0) ToolchainFailed(needs, "rustup target list --installed", r);
  std::istringstream in(r.stdout_text);
  std::string line;
  while (std::getline(in, line))
    if (line == needs.target) return;
  TargetMissing(needs.target, "rustup target list --installed does not list it");
}

void CheckTargetInSysroot(const ToolchainNeeds& needs, ProcessRunner& runner) {
  ProcessResult r = RunQuiet(runner, {"rustc", "--print", "sysroot"}, needs.board_dir);
  if (r.exit_code != 0) ToolchainFailed(needs, "rustc --print sysroot", r);
  std::string sysroot = r.stdout_text.substr(0, r.stdout_text.find('\n'));
  fs::path lib = fs::path(sysroot) / "lib" / "rustlib" / needs.target / "lib";
  std::error_code ec;
  if (!fs::is_directory(lib, ec)) TargetMissing(needs.target, lib.string() + " is missing");
}

}  // namespace

std::vector<std::string> CheckToolchain(const ToolchainNeeds& needs, ProcessRunner& runner) {
  std::vector<std::string> notes;
  if (needs.make) {
    RequireProgram("make", "install it with: apt-get install make");
    notes.emplace_back("make found");
  }
  if (!needs.rust) {
    notes.emplace_back("Rust toolchain not checked (NO_RUSTUP=1)");
    return notes;
  }
  RequireProgram("cargo", kRustupInstall);
  if (needs.json_target) {
    notes.push_back("target " + needs.target + " is a JSON target spec (built with build-std)");
    return notes;
  }
  if (FindProgram("rustup")) {
    CheckTargetWithRustup(needs, runner);
  } else {
    RequireProgram("rustc", kRustupInstall);
    CheckTargetInSysroot(needs, runner);
  }
  notes.push_back("Rust target " + needs.target + " installed");
  return notes;
}

std::string ToolchainChannel(const fs::path& dir) {
  std::error_code ec;
  for (fs::path d = fs::absolute(dir);; d = d.parent_path()) {
    for (const char* name : {"rust-toolchain.toml", "rust-toolchain"}) {
      fs::path file = d / name;
      if (!fs::is_regular_file(file, ec)) continue;
      std::string text = ReadFile(file);
      if (auto channel = TomlString(text, "toolchain", "channel")) return *channel;
      std::string first = text.substr(0, text.find('\n'));  // old plain-text form
      return first.find('[') == std::string::npos ? first : "";
    }
    if (d == d.parent_path()) return "";
  }
}

}  // namespace tockctl::kernel
