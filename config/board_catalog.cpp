#include "config/board_catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
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
        "unsupported format " + format->dump() + "; this tockctl reads format 1", "1");
}

void CheckNameMatchesFile(const JsonDocument& doc, const HardwareBoard& board,
                          const fs::path& path) {
  std::string stem = path.stem().string();
  if (board.name != stem)
    BoardObjectReader::Fail(doc, "/board/name",
                            "board name \"" + board.name + "\" does not match the file name \"" +
                                path.filename().string() + "\"; rename the file or the board",
                            "\"" + stem + "\"");
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
  entry.json = doc.root().at("board");
  return entry;
}

BoardSearch BoardSearch::From(const fs::path& data_dir, const char* boards_path,
                              const char* xdg_config_home, const char* home,
                              CatalogWarningSink warn) {
  BoardSearch search;
  std::string list = boards_path ? boards_path : "";
  for (size_t start = 0; start <= list.size();) {
    size_t colon = std::min(list.find(':', start), list.size());
    if (colon > start) search.dirs.emplace_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  if (xdg_config_home && *xdg_config_home)
    search.dirs.push_back(fs::path(xdg_config_home) / "tockctl" / "boards");
  else if (home && *home)
    search.dirs.push_back(fs::path(home) / ".config" / "tockctl" / "boards");
  search.dirs.push_back(data_dir / "boards");
  search.warn = std::move(warn);
  return search;
}

BoardSearch BoardSearch::FromEnvironment(const fs::path& data_dir, CatalogWarningSink warn) {
  return From(data_dir, std::getenv("TOCKCTL_BOARDS_PATH"), std::getenv("XDG_CONFIG_HOME"),
              std::getenv("HOME"), std::move(warn));
}

BoardCatalog BoardCatalog::Load(const fs::path& dir, const CatalogWarningSink& warn) {
  BoardCatalog catalog;
  catalog.warn_ = warn;
  for (const auto& path : JsonFilesIn(dir)) catalog.listed_.emplace(path.stem().string(), path);
  catalog.ReadAllListed();
  return catalog;
}

BoardCatalog BoardCatalog::Load(const BoardSearch& search) {
  BoardCatalog catalog;
  catalog.warn_ = search.warn;
  for (size_t i = 0; i + 1 < search.dirs.size(); ++i) {
    std::error_code ec;
    if (!fs::is_directory(search.dirs[i], ec)) continue;
    BoardCatalog part = Load(search.dirs[i], search.warn);
    for (auto& [name, entry] : part.entries_) catalog.entries_.emplace(name, std::move(entry));
  }
  if (search.dirs.empty()) return catalog;
  for (const auto& path : JsonFilesIn(search.dirs.back()))
    if (catalog.entries_.count(path.stem().string()) == 0)
      catalog.listed_.emplace(path.stem().string(), path);
  return catalog;
}

// Reads the listed file for `name`, if there is one: into the entries, or warned about.
void BoardCatalog::ReadListed(const std::string& name) const {
  auto it = listed_.find(name);
  if (it == listed_.end()) return;
  const fs::path path = it->second;
  listed_.erase(it);
  try {
    entries_.emplace(name, LoadCatalogFile(path));
  } catch (const Error& e) {
    if (warn_)
      warn_(e.Describe() + "; " + path.filename().string() + " is left out of the catalog");
  }
}

void BoardCatalog::ReadAllListed() const {
  while (!listed_.empty()) ReadListed(std::string(listed_.begin()->first));
}

bool BoardCatalog::Contains(const std::string& name) const {
  ReadListed(name);
  return entries_.count(name) != 0;
}

size_t BoardCatalog::size() const {
  ReadAllListed();
  return entries_.size();
}

const CatalogEntry& BoardCatalog::FindEntry(const std::string& name) const {
  ReadListed(name);
  auto it = entries_.find(name);
  if (it != entries_.end()) return it->second;
  std::vector<std::string> close = Suggest(name);
  if (close.empty())
    throw Error(ErrorCategory::kUsage, "unknown board \"" + name +
                                           "\"; run \"tockctl boards list\" to see the " +
                                           std::to_string(size()) + " known boards");
  throw Error(ErrorCategory::kUsage,
              "unknown board \"" + name + "\"; did you mean " + JoinNames(close) + "?");
}

const HardwareBoard& BoardCatalog::Find(const std::string& name) const {
  return FindEntry(name).board;
}

std::vector<const CatalogEntry*> BoardCatalog::Entries() const {
  ReadAllListed();
  std::vector<const CatalogEntry*> out;
  for (const auto& [name, entry] : entries_) out.push_back(&entry);
  return out;
}

std::vector<std::string> BoardCatalog::Names() const {
  ReadAllListed();
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

std::vector<std::string> BoardCatalog::Suggest(const std::string& name, size_t limit) const {
  return ClosestNames(name, Names(), limit);
}

}  // namespace tockctl::config
