#include "config/board_catalog.h"

#include <algorithm>
#include <system_error>

#include "common/closest_names.h"
#include "common/error.h"
#include "config/board_reader.h"
#include "config/json_document.h"

namespace tockctl::config {
namespace {

namespace fs = std::filesystem;

void ReadFormat(BoardObjectReader& root) {
  const auto* format = root.Find("format", true);
  if (!format->is_number_unsigned() || format->get<uint64_t>() != 1)
    BoardObjectReader::Fail(
        root.doc(), "/format",
        "unsupported format " + format->dump() + "; this tockctl reads format 1");
}

void CheckNameMatchesFile(const JsonDocument& doc, const HardwareBoard& board,
                          const fs::path& path) {
  std::string stem = path.stem().string();
  if (board.name != stem)
    BoardObjectReader::Fail(doc, "/board/name",
                            "board name \"" + board.name + "\" does not match the file name \"" +
                                path.filename().string() + "\"; rename the file or the board");
}

std::vector<fs::path> JsonFilesIn(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    ErrorContext ctx;
    ctx.file = dir.string();
    throw Error(ErrorCategory::kIo, "board catalog directory not found", ctx,
                "pass --data-dir DIR with a boards/ subdirectory, or set TOCKCTL_DATA_DIR");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") files.push_back(it->path());
  if (ec) {
    ErrorContext ctx;
    ctx.file = dir.string();
    throw Error(ErrorCategory::kIo, "cannot list the board catalog: " + ec.message(), ctx);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

CatalogEntry LoadCatalogFile(const fs::path& path) {
  CatalogEntry entry;
  entry.file = path.string();
  JsonDocument doc = JsonDocument::Load(entry.file);
  BoardObjectReader root(doc, doc.root(), "", entry.warnings);
  ReadFormat(root);
  root.Find("board", true);
  root.Accept({"$schema", "ipc", "network"});
  root.WarnUnknownKeys();
  entry.board = ReadCheckedHardwareBoard(doc, "/board", entry.warnings);
  CheckNameMatchesFile(doc, entry.board, path);
  return entry;
}

BoardCatalog BoardCatalog::Load(const fs::path& dir) {
  BoardCatalog catalog;
  for (const auto& path : JsonFilesIn(dir)) {
    CatalogEntry entry = LoadCatalogFile(path);
    std::string name = entry.board.name;
    catalog.entries_.emplace(name, std::move(entry));
  }
  return catalog;
}

const CatalogEntry& BoardCatalog::FindEntry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it != entries_.end()) return it->second;
  std::vector<std::string> close = Suggest(name);
  if (close.empty())
    throw Error(ErrorCategory::kUsage, "unknown board \"" + name +
                                           "\"; run \"tockctl boards list\" to see the " +
                                           std::to_string(entries_.size()) + " known boards");
  throw Error(ErrorCategory::kUsage,
              "unknown board \"" + name + "\"; did you mean " + JoinNames(close) + "?");
}

const HardwareBoard& BoardCatalog::Find(const std::string& name) const {
  return FindEntry(name).board;
}

std::vector<const CatalogEntry*> BoardCatalog::Entries() const {
  std::vector<const CatalogEntry*> out;
  for (const auto& [name, entry] : entries_) out.push_back(&entry);
  return out;
}

std::vector<std::string> BoardCatalog::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

std::vector<std::string> BoardCatalog::Suggest(const std::string& name, size_t limit) const {
  return ClosestNames(name, Names(), limit);
}

}  // namespace tockctl::config
