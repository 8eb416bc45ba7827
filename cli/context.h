// Global options and shared services handed to every subcommand. Nothing here is global state:
// main() owns one CliContext and passes it to each register function.
#pragma once

#include <spdlog/logger.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/board_catalog.h"

namespace tockctl::cli {

/// Options every subcommand accepts.
struct GlobalOptions {
  int verbosity = 0;                    ///< -v count.
  bool quiet = false;                   ///< -q: only errors on stderr.
  bool json = false;                    ///< --json: machine-readable output on stdout.
  std::string color = "auto";           ///< --color auto|always|never.
  std::optional<std::string> data_dir;  ///< --data-dir.
};

/// What subcommands share: options, logger, data directory, and the output streams.
class CliContext {
 public:
  explicit CliContext(std::FILE* out = stdout, std::FILE* err = stderr) : out_(out), err_(err) {}

  GlobalOptions options;
  /// Exit code of a command that ran successfully but reports a result through it (config diff: 1
  /// when the files differ). Errors use Error categories instead.
  int exit_code = 0;

  /// Logger writing to stderr at the level chosen by -v/-q and TOCKCTL_LOG (created on first use).
  std::shared_ptr<spdlog::logger> Log();
  /// Data directory with boards/ and templates/ (resolved on first use; throws Error(kIo)).
  const std::filesystem::path& DataDir();
  /// Where board names are looked up (docs/board-config.md); files left out are warned about.
  config::BoardSearch BoardSearch();
  /// True if `stream` should get ANSI colour.
  bool UseColor(std::FILE* stream) const;

  /// Writes `text` as is to stdout and flushes it; throws Error(kIo) if the write fails.
  void Write(std::string_view text) const;
  /// Writes a line of primary output to stdout; throws Error(kIo) if the write fails.
  void Print(const std::string& line) const;
  /// Writes a JSON document (one line) to stdout.
  void PrintJson(const nlohmann::json& doc) const;
  /// Writes a human message to stderr unless -q.
  void Note(const std::string& line) const;
  /// Writes "warning: ..." to stderr unless -q.
  void Warn(const std::string& line) const;
  /// `text` wrapped in an ANSI colour (e.g. "1;31") when stdout is coloured.
  std::string Paint(const std::string& text, const char* sgr) const;

  std::FILE* out() const { return out_; }
  std::FILE* err() const { return err_; }

 private:
  std::FILE* out_;
  std::FILE* err_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<std::filesystem::path> data_dir_;
};

}  // namespace tockctl::cli
