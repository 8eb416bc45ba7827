// Whole-file checking of a board JSON document: the structure of every section (what the JSON
// Schema in docs/board.schema.json also says) and the semantic rules tying "ipc" and "network" to
// the hardware in "board". Every finding is collected; nothing stops at the first.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/board.h"
#include "config/board_catalog.h"
#include "config/ipc_config.h"
#include "config/json_document.h"
#include "config/network_config.h"
#include "config/trace_config.h"
#include "config/validation_report.h"

namespace tockctl::config {

/// Format version this tockctl reads and writes.
inline constexpr int kBoardFormatVersion = 1;

/// A board JSON file read into typed sections, with every finding about it.
struct CheckedBoardConfig {
  std::optional<HardwareBoard> board;    ///< Missing when "board" could not be read.
  std::optional<IpcConfig> ipc;          ///< Missing when the file has no "ipc".
  std::optional<NetworkConfig> network;  ///< Missing when the file has no "network".
  ValidationReport report;               ///< Sorted by position.
  std::optional<TraceConfig> trace;      ///< Missing when the file has no "trace".
};

/// True if `board` (the value of "board") refers to a catalog board: "NAME", or an object with
/// "extends": "NAME" whose other members override the catalog's (JSON merge patch).
bool IsBoardReference(const nlohmann::ordered_json& board);

/// Reads and checks `doc`. A board reference is resolved in `catalog`; without one it is an
/// error. Never throws for problems in the document; they all become findings.
CheckedBoardConfig CheckBoardConfig(const JsonDocument& doc, const BoardCatalog* catalog = nullptr);

/// Loads `path` and checks it. Throws Error (kIo, kInvalidInput) only when the file cannot be
/// read or is not JSON; `doc` receives the parsed document.
CheckedBoardConfig LoadAndCheckBoardConfig(const std::string& path, JsonDocument& doc,
                                           const BoardCatalog* catalog = nullptr);

/// One file checked by `tockctl config validate`: its findings, or why it could not be read.
struct FileCheck {
  std::string file;
  ValidationReport report;
  bool loaded = false;     ///< False when the file could not be read or parsed.
  std::string load_error;  ///< "FILE:LINE:COL: error: malformed JSON: ..." when !loaded.
  int load_exit_code = 0;  ///< Exit code of the load error's category.
  int ErrorCount() const { return loaded ? report.ErrorCount() : 1; }
};

/// Loads and checks one file; never throws for problems with the file itself.
FileCheck CheckConfigFile(const std::string& path, const BoardCatalog* catalog = nullptr);

/// The findings (one line each) then "FILE: N errors, M warnings".
std::string FormatFileCheck(const FileCheck& check);

/// {"file", "valid", "errors", "warnings", "findings": [...]} (a load error is one finding).
nlohmann::json FileCheckToJson(const FileCheck& check);

}  // namespace tockctl::config
