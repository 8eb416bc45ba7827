// `tockctl build --integrate`: the lines a Tock board needs to use the generated module (and,
// with "trace" on, the tracer) added to its main.rs, lib.rs and Cargo.toml, and tockctl's Rust
// crates linked into the tree as TOCK/tockctl (docs/build.md, "Adding the module to a board").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kernel/config_module.h"

namespace tockctl::kernel {

/// Name of the link to tockctl's Rust crates in the Tock tree's top directory.
inline constexpr const char* kCratesLinkName = "tockctl";

/// One file's new text.
struct FileEdit {
  std::filesystem::path file;
  std::string before;
  std::string after;
};

/// Everything --integrate changes; empty when the board already has it all.
struct IntegrationPlan {
  std::vector<FileEdit> edits;
  std::filesystem::path link;         ///< TOCK/tockctl
  std::filesystem::path link_target;  ///< data dir's kernel/ (the Rust crates)
  bool create_link = false;           ///< False when the link is already there.
  bool Empty() const { return edits.empty() && !create_link; }
};

/// What the board crate at `board_dir` in the tree `tock_root` needs for `source`, crates from
/// `data_dir`/kernel. Throws Error(kInvalidInput) naming the file and the missing anchor line
/// (nothing is planned then), Error(kIo) when TOCK/tockctl exists and is not tockctl's crates.
IntegrationPlan PlanIntegration(const ConfigModuleSource& source,
                                const std::filesystem::path& tock_root,
                                const std::filesystem::path& board_dir,
                                const std::filesystem::path& data_dir);

/// The plan as a unified diff per file (paths relative to `tock_root`), plus the link line.
std::string FormatIntegrationDiff(const IntegrationPlan& plan,
                                  const std::filesystem::path& tock_root);

/// Writes every edit (each file through a temporary file and a rename) and makes the link.
/// Throws Error(kIo) when a file cannot be written.
void ApplyIntegration(const IntegrationPlan& plan);

/// The Cargo.toml dependency line for crate `name` of the link, from `board_dir`.
std::string CrateDependencyLine(const std::string& name, const std::filesystem::path& tock_root,
                                const std::filesystem::path& board_dir);

}  // namespace tockctl::kernel
