#include "config/board_resolution.h"

#include "common/error.h"
#include "common/file_io.h"

namespace tockctl::config {
namespace {

ResolvedBoard FromCatalog(const std::string& name, const BoardSearch& search) {
  // One file is enough when it exists; the whole catalog is read only to suggest names.
  for (const auto& dir : search.dirs) {
    std::filesystem::path file = dir / (name + ".json");
    std::error_code ec;
    if (name.find('/') != std::string::npos || !std::filesystem::is_regular_file(file, ec))
      continue;
    CatalogEntry entry = LoadCatalogFile(file);
    return {entry.board, entry.file, entry.json, {}, {}, {}, true, {}};
  }
  BoardCatalog catalog = BoardCatalog::Load(search);
  const CatalogEntry& entry = catalog.FindEntry(name);
  return {entry.board, entry.file, entry.json, {}, {}, {}, true, {}};
}

ResolvedBoard FromFile(const std::string& path, const BoardSearch& search) {
  JsonDocument doc = JsonDocument::Load(path);
  std::optional<BoardCatalog> catalog;
  if (doc.root().contains("board") && IsBoardReference(doc.root()["board"]))
    catalog = BoardCatalog::Load(search);
  CheckedBoardConfig checked = CheckBoardConfig(doc, catalog ? &*catalog : nullptr);
  RequireValidBoardConfig(checked, path);
  nlohmann::ordered_json json;
  to_json(json, *checked.board);
  return {*checked.board,  path,  json,         doc.text(), checked.ipc,
          checked.network, false, checked.trace};
}

}  // namespace

void RequireValidBoardConfig(const CheckedBoardConfig& checked, const std::string& path,
                             const std::string& consequence) {
  for (const Finding& f : checked.report.findings()) {
    if (f.severity != Severity::kError) continue;
    ErrorContext ctx;
    ctx.file = path;
    ctx.line = f.position.line;
    ctx.column = f.position.column;
    ctx.json_pointer = f.pointer;
    int errors = checked.report.ErrorCount();
    std::string more = errors > 1 ? " (and " + std::to_string(errors - 1) + " more)" : "";
    throw Error(ErrorCategory::kInvalidInput,
                f.message + more + (consequence.empty() ? "" : "; " + consequence), ctx,
                (f.valid.empty() ? "" : "valid: " + f.valid + "; ") +
                    "run: tockctl config validate " + path);
  }
  if (!checked.board) throw Error(ErrorCategory::kInvalidInput, path + " has no usable \"board\"");
}

ResolvedBoard ResolveBoard(const BoardSelection& selection, const BoardSearch& search) {
  if (selection.board && selection.config)
    throw Error(ErrorCategory::kUsage, "--board and --config both given", {},
                "choose one: --board NAME (a catalog board) or --config FILE (a board JSON file)");
  if (selection.board) return FromCatalog(*selection.board, search);
  if (selection.config) return FromFile(*selection.config, search);
  throw Error(ErrorCategory::kUsage, "say which board: pass --board NAME or --config FILE", {},
              "`tockctl boards list` shows the board names");
}

}  // namespace tockctl::config
