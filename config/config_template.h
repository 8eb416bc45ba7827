// `tockctl config init`: a user board file made from the catalog's "board" object and the
// default "ipc" and "network" sections in templates/ (docs/board-config.md, "Templates").
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "config/board.h"
#include "config/board_catalog.h"

namespace tockctl::config {

/// The initial file for `board`: {"format", "board" (= `board_json` verbatim), "ipc", "network"}.
/// "ipc" is templates/board-config.json's, patched by templates/ipc/copy.json when the board
/// cannot share memory; each network_hardware entry gets an interface from
/// templates/network/KIND-DRIVERNUM.json, KIND-nodriver.json (no syscall driver) or KIND.json,
/// with "{name}", "{hardware}", "{mac}" and "{eui64}" filled in (addresses derived from the
/// board and interface names). Throws Error(kIo) for a missing template and Error(kInvalidInput)
/// for a malformed one.
nlohmann::ordered_json BuildInitialConfig(const nlohmann::ordered_json& board_json,
                                          const HardwareBoard& board,
                                          const std::filesystem::path& templates_dir);

/// Writes the initial file for catalog board `board_name` (data_dir/boards) to `out_path`
/// atomically. Throws Error(kUsage) for an unknown board (naming the closest ones) or an
/// existing `out_path` without `force`, Error(kIo) when it cannot be written.
void InitConfigFile(const std::filesystem::path& data_dir, const std::string& board_name,
                    const std::string& out_path, bool force);

/// How `tockctl config init` writes the file.
struct InitOptions {
  bool force = false;      ///< Replace an existing file.
  bool reference = false;  ///< "board": "NAME" (a catalog reference) instead of a copy.
};

/// InitConfigFile for a board found in `search` (user board directories included), with the
/// templates of `templates_dir`. Same errors.
void InitConfigFile(const BoardSearch& search, const std::filesystem::path& templates_dir,
                    const std::string& board_name, const std::string& out_path,
                    const InitOptions& options);

}  // namespace tockctl::config
