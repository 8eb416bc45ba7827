// The board catalog: every boards/*.json of a data directory, looked up by name.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/board.h"

namespace tockctl::config {

/// One catalog entry: the board, the file it came from and that file's warnings.
struct CatalogEntry {
  HardwareBoard board;
  std::string file;
  std::vector<BoardWarning> warnings;
  nlohmann::ordered_json json;  ///< The "board" object as the file holds it.
};

/// Receives one warning line ("FILE:LINE:COL: /pointer: what; left out of the catalog").
using CatalogWarningSink = std::function<void(const std::string&)>;

/// Where boards are looked for, first match of a name wins: each directory of
/// TOCKCTL_BOARDS_PATH (colon-separated), then $XDG_CONFIG_HOME/tockctl/boards (by default
/// ~/.config/tockctl/boards), then the data directory's boards/. Only the last must exist.
struct BoardSearch {
  std::vector<std::filesystem::path> dirs;  ///< In order of precedence; the last is the data dir's.
  CatalogWarningSink warn;                  ///< Told about every file left out (may be empty).

  /// The directories from the environment variables above and `data_dir`/boards.
  static BoardSearch FromEnvironment(const std::filesystem::path& data_dir,
                                     CatalogWarningSink warn = {});
  /// The same from explicit values (null when unset), for tests.
  static BoardSearch From(const std::filesystem::path& data_dir, const char* boards_path,
                          const char* xdg_config_home, const char* home,
                          CatalogWarningSink warn = {});
};

/// Reads a catalog file: {"format": 1, "board": {...}, optional "$schema", "ipc", "network"}.
/// The board name must equal the file name without ".json". Throws Error(kInvalidInput) with the
/// file, line, column and JSON pointer of the first problem, or Error(kIo) if it cannot be read.
CatalogEntry LoadCatalogFile(const std::filesystem::path& path);

/// The boards of a catalog directory, in name order. Not thread-safe: lookups may read files.
class BoardCatalog {
 public:
  /// Loads every `dir`/*.json. Throws Error(kIo) if `dir` is not a readable directory. A file
  /// that cannot be read or is invalid is left out, and `warn` (when set) gets a line naming it.
  static BoardCatalog Load(const std::filesystem::path& dir, const CatalogWarningSink& warn = {});
  /// Loads every directory of `search`; a board name found in an earlier directory hides the
  /// same name in later ones. Throws Error(kIo) only when the last directory is missing. The
  /// user's directories are read at once (so a broken file there is named by every command); the
  /// last one, the shipped catalog, only lists its files and reads each when first asked for
  /// (a lookup by name reads one file; names, entries, sizes and suggestions read them all).
  static BoardCatalog Load(const BoardSearch& search);

  /// The board called `name`. Throws Error(kUsage) naming the closest boards when there is none.
  const HardwareBoard& Find(const std::string& name) const;
  /// The entry (board, file, warnings) called `name`; same errors as Find.
  const CatalogEntry& FindEntry(const std::string& name) const;
  /// True if a board called `name` exists.
  bool Contains(const std::string& name) const;

  /// All entries, in name order.
  std::vector<const CatalogEntry*> Entries() const;
  /// All board names, in name order.
  std::vector<std::string> Names() const;
  /// Up to `limit` names closest to `name` (substring and case-insensitive matches first, then
  /// by edit distance), for "did you mean" messages.
  std::vector<std::string> Suggest(const std::string& name, size_t limit = 3) const;

  size_t size() const;

 private:
  void ReadListed(const std::string& name) const;
  void ReadAllListed() const;

  // Boards read so far, and the files listed but not read yet (the shipped catalog's), by name.
  mutable std::map<std::string, CatalogEntry> entries_;
  mutable std::map<std::string, std::filesystem::path> listed_;
  CatalogWarningSink warn_;
};

}  // namespace tockctl::config
