// Which board a command works on: `--board NAME` (a catalog board) or `--config FILE` (a board
// JSON file, whose "board" is inline or a catalog reference). The one place build, flash and
// trace turn those options into hardware facts (docs/board-config.md, "Choosing a board").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/board.h"
#include "config/board_catalog.h"
#include "config/config_validator.h"

namespace tockctl::config {

/// The board options as given on the command line; exactly one must be set.
struct BoardSelection {
  std::optional<std::string> board;   ///< --board NAME
  std::optional<std::string> config;  ///< --config FILE
};

/// The board a command works on.
struct ResolvedBoard {
  HardwareBoard board;
  std::string file;              ///< The catalog file (--board) or the board JSON file (--config).
  nlohmann::ordered_json json;   ///< The "board" object, references expanded.
  std::string text;              ///< --config: the file's bytes; empty for --board.
  std::optional<IpcConfig> ipc;  ///< --config: its "ipc" section, when it has one.
  std::optional<NetworkConfig> network;  ///< --config: its "network" section, when it has one.
  bool from_catalog = false;             ///< True for --board.
  std::optional<TraceConfig> trace;      ///< --config: its "trace" section, when it has one.
};

/// Throws Error(kInvalidInput) at the first error of `checked` (read from `path`): file, line,
/// column and pointer, the message with "(and N more)" and `consequence` (when not empty), and
/// the hint "valid: ...; run: tockctl config validate PATH". Does nothing when there is none.
void RequireValidBoardConfig(const CheckedBoardConfig& checked, const std::string& path,
                             const std::string& consequence = {});

/// Resolves `selection` in `search`. Throws Error(kUsage) when neither or both are given or the
/// board name is unknown (naming the closest boards), Error(kIo) when the file cannot be read,
/// and Error(kInvalidInput) at the first error of the file (file, line, column, pointer, what
/// would be valid, and how many more errors there are).
ResolvedBoard ResolveBoard(const BoardSelection& selection, const BoardSearch& search);

}  // namespace tockctl::config
