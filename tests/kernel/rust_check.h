// Test helpers that check generated Rust with the host toolchain: rustfmt --check and rustc
// against the tock-config crate (offline).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tockctl::kernel::testing {

/// Result of running a Rust tool: empty `output` and ok when it passed.
struct RustToolRun {
  bool ok = false;
  std::string output;
};

/// True if `program` is on PATH.
bool HaveProgram(const std::string& program);

/// Runs `rustfmt --check --edition 2021` on `files`.
RustToolRun RustfmtCheck(const std::vector<std::filesystem::path>& files);

/// Compiles kernel/tock-config to an rlib in `dir` (and, for modules with the tracer on, the real
/// tock-trace and tock-trace-tock-core under the stand-ins of tests/fixtures/rust-standins for
/// Tock's crates), then a library crate that includes every generated module in `modules` (as
/// `mod <name>`, beside a `Platform` struct), with warnings denied and a compile-time check that
/// each module's count constants match its arrays.
RustToolRun CompileAgainstTockConfig(const std::filesystem::path& dir,
                                     const std::vector<std::filesystem::path>& modules);

}  // namespace tockctl::kernel::testing
