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
  for (const BoardWarning& w : warnings) report.KeyWarning(w.pointer, w.message);
  if (board)
    for (const HardwareProblem& p : CheckHardwareBoard(*board))
      report.Error("/board" + p.pointer, p.message);
  return board;
}

void CheckFormat(ObjectReader& top, ValidationReport& report) {
  const OrderedJson* format = top.Member("format", true);
  if (format == nullptr) return;
  if (format->is_number_integer() && format->get<int64_t>() == kBoardFormatVersion) return;
  report.Error("/format", "unsupported format " + format->dump(),
               std::to_string(kBoardFormatVersion));
}

}  // namespace

CheckedBoardConfig CheckBoardConfig(const JsonDocument& doc) {
  CheckedBoardConfig out{{}, {}, {}, ValidationReport(&doc)};
  ValidationReport& report = out.report;
  ObjectReader top(doc.root(), "", report);
  top.String("$schema");
  CheckFormat(top, report);
  if (top.Object("board", true) != nullptr) out.board = ReadBoard(doc, report);
  if (const OrderedJson* ipc = top.Object("ipc")) out.ipc = ReadIpcConfig(*ipc, "/ipc", report);
  if (const OrderedJson* net = top.Object("network"))
    out.network = ReadNetworkConfig(*net, "/network", report);
  top.WarnUnknownKeys();
  const HardwareBoard* board = out.board ? &*out.board : nullptr;
  if (out.ipc) CheckIpcRules(*out.ipc, "/ipc", board, report);
  if (out.network)
    CheckNetworkRules(*out.network, "/network", out.ipc ? &*out.ipc : nullptr, board, report);
  report.Sort();
  return out;
}

CheckedBoardConfig LoadAndCheckBoardConfig(const std::string& path, JsonDocument& doc) {
  doc = JsonDocument::Load(path);
  return CheckBoardConfig(doc);
}

FileCheck CheckConfigFile(const std::string& path) {
  FileCheck check;
  check.file = path;
  try {
    JsonDocument doc = JsonDocument::Load(path);
    check.report = CheckBoardConfig(doc).report;
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
