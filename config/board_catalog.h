// The board catalog: every boards/*.json of a data directory, looked up by name.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/board.h"

namespace tockctl::config {

/// One catalog entry: the board, the file it came from and that file's warnings.
struct CatalogEntry {
  HardwareBoard board;
  std::string file;
  std::vector<BoardWarning> warnings;
};

/// Reads a catalog file: {"format": 1, "board": {...}, optional "$schema", "ipc", "network"}.
/// The board name must equal the file name without ".json". Throws Error(kInvalidInput) with the
/// file, line, column and JSON pointer of the first problem, or Error(kIo) if it cannot be read.
CatalogEntry LoadCatalogFile(const std::filesystem::path& path);

/// The boards of a catalog directory, in name order.
class BoardCatalog {
 public:
  /// Loads every `dir`/*.json. Throws Error(kIo) if `dir` is not a readable directory and the
  /// error of the first bad file (errors name the file), or Error(kInvalidInput) if two files
  /// declare the same board.
  static BoardCatalog Load(const std::filesystem::path& dir);

  /// The board called `name`. Throws Error(kUsage) naming the closest boards when there is none.
  const HardwareBoard& Find(const std::string& name) const;
  /// The entry (board, file, warnings) called `name`; same errors as Find.
  const CatalogEntry& FindEntry(const std::string& name) const;
  /// True if a board called `name` exists.
  bool Contains(const std::string& name) const { return entries_.count(name) != 0; }

  /// All entries, in name order.
  std::vector<const CatalogEntry*> Entries() const;
  /// All board names, in name order.
  std::vector<std::string> Names() const;
  /// Up to `limit` names closest to `name` (substring and case-insensitive matches first, then
  /// by edit distance), for "did you mean" messages.
  std::vector<std::string> Suggest(const std::string& name, size_t limit = 3) const;

  size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, CatalogEntry> entries_;
};

}  // namespace tockctl::config
