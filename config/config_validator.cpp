#include "config/config_validator.h"

#include "common/error.h"
#include "common/one_line.h"
#include "config/ipc_rules.h"
#include "config/network_rules.h"

namespace tockctl::config {
namespace {

std::string ValidFromHint(const std::string& hint) {
  const std::string prefix = "valid: ";
  return hint.rfind(prefix, 0) == 0 ? hint.substr(prefix.size()) : hint;
}

// Reads "board" with the catalog's strict reader: its first structural problem becomes one
// finding (the reader cannot continue past it); contradictions between facts become one each.
std::optional<HardwareBoard> ReadBoard(const JsonDocument& doc, ValidationReport& report) {
  std::vector<BoardWarning> warnings;
  std::optional<HardwareBoard> board;
  try {
    board = ReadHardwareBoard(doc, "/board", warnings);
  } catch (const Error& e) {
    report.Error(e.context().json_pointer, e.message(), ValidFromHint(e.hint()));
  }
  for (const BoardWarning& w : warnings) report.KeyWarning(w.pointer, w.message, w.valid);
  if (board)
    for (const HardwareProblem& p : CheckHardwareBoard(*board))
      report.Error("/board" + p.pointer, p.message, p.valid);
  return board;
}

void ReportUnknownBoard(const std::string& pointer, const std::string& name,
                        const BoardCatalog& catalog, ValidationReport& report) {
  std::vector<std::string> close = catalog.Suggest(name);
  report.Error(pointer, "unknown board \"" + name + "\"",
               close.empty() ? "a board `tockctl boards list` shows (" +
                                   std::to_string(catalog.size()) + " known)"
                             : JoinWords(close));
}

// The catalog board a reference names with the reference's other members merged over it (JSON
// merge patch), or nullopt when it cannot be resolved (a finding says why).
std::optional<OrderedJson> ExpandBoardReference(const OrderedJson& board,
                                                const BoardCatalog* catalog,
                                                ValidationReport& report) {
  std::string pointer = board.is_string() ? "/board" : "/board/extends";
  const OrderedJson& name = board.is_string() ? board : board.at("extends");
  if (!name.is_string() || name.get<std::string>().empty()) {
    report.Error(pointer, "expected a catalog board name, found " + name.dump(),
                 "a board name `tockctl boards list` shows, e.g. \"nrf52840dk\"");
    return std::nullopt;
  }
  const std::string& text = name.get_ref<const std::string&>();
  if (catalog == nullptr) {
    report.Error(pointer, "board reference \"" + text + "\" needs the board catalog",
                 "an inline \"board\" object");
    return std::nullopt;
  }
  if (!catalog->Contains(text)) {
    ReportUnknownBoard(pointer, text, *catalog, report);
    return std::nullopt;
  }
  OrderedJson merged = catalog->FindEntry(text).json;
  if (board.is_object()) {
    OrderedJson patch = board;
    patch.erase("extends");
    merged.merge_patch(patch);
  }
  return merged;
}

// Reads "board": an inline object, or a reference expanded from the catalog. Pointers into an
// expanded board that the file does not spell out fall back to the reference's position.
std::optional<HardwareBoard> ReadAnyBoard(const JsonDocument& doc, ObjectReader& top,
                                          const BoardCatalog* catalog, ValidationReport& report) {
  const OrderedJson* board = top.Member("board", true);
  if (board == nullptr) return std::nullopt;
  if (!IsBoardReference(*board)) {
    if (board->is_object()) return ReadBoard(doc, report);
    report.Error("/board",
                 "expected an object or a catalog board name, found " + JsonTypeName(*board),
                 "an object, or a board name such as \"nrf52840dk\"");
    return std::nullopt;
  }
  std::optional<OrderedJson> expanded = ExpandBoardReference(*board, catalog, report);
  if (!expanded) return std::nullopt;
  JsonDocument with_board = doc;
  with_board.root()["board"] = std::move(*expanded);
  return ReadBoard(with_board, report);
}

void CheckFormat(ObjectReader& top, ValidationReport& report) {
  const OrderedJson* format = top.Member("format", true);
  if (format == nullptr) return;
  if (format->is_number_integer() && format->get<int64_t>() == kBoardFormatVersion) return;
  report.Error("/format", "unsupported format " + format->dump(),
               std::to_string(kBoardFormatVersion));
}

// A number too large for a double was read as null: say so instead of "expected ..., found null".
void ReportHugeNumbers(const JsonDocument& doc, ValidationReport& report) {
  for (const HugeNumber& n : doc.huge_numbers()) {
    report.RemoveAt(n.pointer);
    report.Error(n.pointer, "number " + n.literal + " is out of range",
                 "an integer or a hex string like \"0x20000000\", within the key's range");
  }
}

}  // namespace

bool IsBoardReference(const OrderedJson& board) {
  return board.is_string() || (board.is_object() && board.contains("extends"));
}

CheckedBoardConfig CheckBoardConfig(const JsonDocument& doc, const BoardCatalog* catalog) {
  CheckedBoardConfig out{{}, {}, {}, ValidationReport(&doc), {}};
  ValidationReport& report = out.report;
  ObjectReader top(doc.root(), "", report);
  top.String("$schema");
  CheckFormat(top, report);
  out.board = ReadAnyBoard(doc, top, catalog, report);
  if (const OrderedJson* ipc = top.Object("ipc")) out.ipc = ReadIpcConfig(*ipc, "/ipc", report);
  if (const OrderedJson* net = top.Object("network"))
    out.network = ReadNetworkConfig(*net, "/network", report);
  if (const OrderedJson* trace = top.Object("trace"))
    out.trace = ReadTraceConfig(*trace, "/trace", report);
  top.WarnUnknownKeys();
  const HardwareBoard* board = out.board ? &*out.board : nullptr;
  if (out.ipc) CheckIpcRules(*out.ipc, "/ipc", board, report);
  if (out.network)
    CheckNetworkRules(*out.network, "/network", out.ipc ? &*out.ipc : nullptr, board, report);
  if (out.trace) CheckTraceRules(*out.trace, "/trace", board, report);
  ReportHugeNumbers(doc, report);
  report.Sort();
  return out;
}

CheckedBoardConfig LoadAndCheckBoardConfig(const std::string& path, JsonDocument& doc,
                                           const BoardCatalog* catalog) {
  doc = JsonDocument::Load(path);
  return CheckBoardConfig(doc, catalog);
}

FileCheck CheckConfigFile(const std::string& path, const BoardCatalog* catalog) {
  FileCheck check;
  check.file = path;
  try {
    JsonDocument doc = JsonDocument::Load(path, HugeNumbers::kRecord);
    check.report = CheckBoardConfig(doc, catalog).report;
    check.loaded = true;
  } catch (const Error& e) {
    const ErrorContext& c = e.context();
    std::string where = c.file.empty() ? path : c.file;
    if (c.line) where += ":" + std::to_string(*c.line) + ":" + std::to_string(c.column.value_or(1));
    check.load_error =
        OneLine(where + ": error: " + e.message() + (e.hint().empty() ? "" : "; " + e.hint()));
    check.load_exit_code = ExitCodeFor(e.category());
  }
  return check;
}

std::string FormatFileCheck(const FileCheck& check) {
  if (!check.loaded) return check.load_error + "\n" + check.file + ": cannot be checked\n";
  return FormatFindings(check.file, check.report) + check.file + ": " + CountSummary(check.report) +
         "\n";
}

nlohmann::json FileCheckToJson(const FileCheck& check) {
  nlohmann::json out{{"file", check.file},
                     {"valid", check.ErrorCount() == 0},
                     {"errors", check.ErrorCount()},
                     {"warnings", check.loaded ? check.report.WarningCount() : 0}};
  if (check.loaded) {
    out["findings"] = FindingsToJson(check.file, check.report);
  } else {
    out["findings"] = nlohmann::json::array(
        {{{"file", check.file}, {"severity", "error"}, {"message", check.load_error}}});
  }
  return out;
}

}  // namespace tockctl::config
