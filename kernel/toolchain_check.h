// Checks, before a kernel build, that the tools it needs are there, and names the exact command
// that installs what is missing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/process.h"

namespace tockctl::kernel {

/// What a build needs.
struct ToolchainNeeds {
  bool make = false;         ///< `make` in the board directory.
  bool rust = true;          ///< cargo and the Rust target (false with NO_RUSTUP=1).
  std::string target;        ///< Rust target triple.
  bool json_target = false;  ///< A JSON-spec target: built with build-std, nothing to install.
  std::filesystem::path board_dir;  ///< rustup runs here, so rust-toolchain.toml applies.
};

/// Checks `needs` with FindProgram and `runner` (rustup target list --installed, or
/// rustc --print sysroot without rustup). Throws Error(kToolFailed) naming what is missing, with
/// the command that installs it as the hint ("rustup target add thumbv7em-none-eabi",
/// "apt-get install make", "rustup toolchain install nightly-2026-07-21"). Returns notes on
/// what was checked.
std::vector<std::string> CheckToolchain(const ToolchainNeeds& needs, ProcessRunner& runner);

/// The `channel` of the rust-toolchain.toml (or rust-toolchain) nearest `dir`, or "".
std::string ToolchainChannel(const std::filesystem::path& dir);

}  // namespace tockctl::kernel
