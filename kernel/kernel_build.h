// `tockctl build` as one library call: read the board file, find the Tock tree, generate the
// kernel configuration module, check the toolchain, build, then read the outputs and report the
// memory the kernel uses (docs/build.md).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/process.h"
#include "config/board.h"
#include "config/board_catalog.h"
#include "kernel/kernel_builder.h"
#include "kernel/memory_report.h"

namespace tockctl::kernel {

/// What the user asked for.
struct BuildRequest {
  std::optional<std::string> board;     ///< --board NAME (catalog board, `config init` defaults).
  std::optional<std::string> config;    ///< --config FILE (a board JSON file).
  std::optional<std::string> tock_dir;  ///< --tock-dir DIR.
  std::string tock_dir_env;             ///< TOCK_DIR ("" when unset).
  std::filesystem::path cwd;            ///< Where the search for a Tock tree starts.
  std::filesystem::path data_dir;       ///< boards/, templates/ and kernel/tock-config.
  /// Where --board names are looked up (unset: `data_dir`/boards alone).
  std::optional<config::BoardSearch> board_search;
  bool generate_only = false;
  bool integrate = false;  ///< --integrate: add the module's (and tracer's) lines to the board.
  bool dry_run = false;    ///< With integrate: show the diff, write nothing, stop.
  BuildTool tool = BuildTool::kMake;
  BuildProfile profile = BuildProfile::kRelease;
  bool check_rust = true;        ///< False with NO_RUSTUP=1, as in Tock's Makefiles.
  std::string cargo_target_dir;  ///< CARGO_TARGET_DIR ("" when unset).
};

/// How the build reports progress while it runs.
struct BuildEnvironment {
  ProcessRunner* runner = nullptr;  ///< Never null.
  /// Each line of the build's output, as it arrives, with its kind.
  std::function<void(const std::string&, LineKind)> on_output;
  /// tockctl's own progress ("wrote boards/x/src/tockctl_config.rs", "running make").
  std::function<void(const std::string&)> on_note;
  /// --integrate: the unified diff of what it changes (or would change), before the build.
  std::function<void(const std::string&)> on_diff;
};

/// The files a build produced.
struct BuildOutputs {
  std::filesystem::path elf;
  std::string elf_sha256;
  std::filesystem::path bin;  ///< ELF path + ".bin", as Tock names it.
  uint64_t bin_address = 0;
  uint64_t bin_size = 0;
  std::string bin_sha256;
};

/// What --integrate did.
struct IntegrationResult {
  std::vector<std::string> changed;  ///< Files (relative to the tree) changed or to change.
  std::string link;                  ///< "tockctl -> DIR" when the link was (to be) made.
  std::string diff;
  bool written = false;  ///< False for --dry-run and when nothing needed changing.
};

/// Everything `tockctl build` found and did.
struct BuildResult {
  config::HardwareBoard board;
  std::string source_file;        ///< The board file (the catalog file for --board).
  std::string source_sha256;      ///< Of the file, or of the `config init` document for --board.
  bool catalog_defaults = false;  ///< --board: catalog board with `config init` defaults.
  std::filesystem::path tock_root;
  std::string tock_found_by;
  std::filesystem::path board_dir;
  std::string package;
  std::string target;
  std::filesystem::path module;                  ///< The generated tockctl_config.rs.
  bool module_written = false;                   ///< False when it already held the same bytes.
  std::optional<IntegrationResult> integration;  ///< With --integrate.
  std::vector<std::string> warnings;
  std::vector<std::string> toolchain;  ///< What the toolchain check found.
  std::string command;                 ///< The build command run ("" with --generate-only).
  BuildTool tool = BuildTool::kMake;
  BuildProfile profile = BuildProfile::kRelease;
  int errors = 0;
  int compiler_warnings = 0;
  std::optional<BuildOutputs> outputs;
  std::optional<MemoryReport> memory;
};

/// Runs the request. Throws Error: kUsage (no or two board choices, no Tock tree), kIo (missing
/// board directory, unwritable module), kInvalidInput (invalid board file, bad ELF), kToolFailed
/// (missing tool or target with the command that installs it; failed build with the compiler's
/// first error; no ELF where cargo puts it), kInvalidInput when the linker reports a region
/// overflow. Memory overflows found in the ELF are left in result.memory->problems for the
/// caller to print before ThrowIfOverflowing.
BuildResult BuildKernel(const BuildRequest& request, BuildEnvironment& env);

/// The result as JSON: board, source, tree, module, toolchain, build, outputs, memory.
nlohmann::ordered_json BuildResultToJson(const BuildResult& result);

/// The result for people: output files with hashes, then the memory report.
std::string FormatBuildResult(const BuildResult& result);

}  // namespace tockctl::kernel
