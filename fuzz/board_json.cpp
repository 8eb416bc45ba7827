// Fuzz target board_json: arbitrary text as a board JSON file, read the ways tockctl reads one:
// JsonDocument::Parse (positions, depth limit, duplicate keys), the whole-file check of
// `tockctl config validate` (structure and the ipc/network semantic rules), `config show`, and
// the catalog's strict board reader. Checks: Parse and the strict reader refuse only with a
// proper tockctl::Error; CheckBoardConfig never throws; every finding has a position inside the
// text and a one-line message; a board that was read writes back to JSON that reads back to
// the same board.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/board.h"
#include "config/board_summary.h"
#include "config/config_summary.h"
#include "config/config_validator.h"
#include "config/json_document.h"
#include "fuzz/fuzz_support.h"

namespace tockctl::fuzz {
namespace {
namespace TOCKCTL_UNITY_ID {

using config::JsonDocument;
using Json = nlohmann::ordered_json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

void CheckFindings(const JsonDocument& doc, const config::ValidationReport& report) {
  uint64_t lines = 1;
  for (char c : doc.text()) lines += c == '\n';
  for (const config::Finding& f : report.findings()) {
    FUZZ_CHECK(!f.message.empty());
    FUZZ_CHECK(f.position.line >= 1 && f.position.line <= lines);
    FUZZ_CHECK(f.position.column >= 1);
  }
  const std::string text = config::FormatFindings(doc.file(), report);
  FUZZ_CHECK(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) ==
             report.findings().size());
  FUZZ_CHECK(
      nlohmann::json::accept(config::FindingsToJson(doc.file(), report)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

// to_json then ReadHardwareBoard again must give the same JSON: nothing lost or invented. Flash
// method objects are kept as written, unknown keys included, so a board that warned may warn
// again; one that did not must not.
void CheckBoardRoundTrip(const config::HardwareBoard& board, bool warned) {
  Json written;
  config::to_json(written, board);
  Json file = {{"format", 1}, {"board", written}};
  JsonDocument again = JsonDocument::Parse(config::FormatJson(file), "round-trip.json");
  std::vector<config::BoardWarning> warnings;
  config::HardwareBoard reread = config::ReadHardwareBoard(again, "/board", warnings);
  if (!warnings.empty() && !warned)
    Fail(__FILE__, __LINE__,
         "re-reading the written board warns: " +
             config::FormatBoardWarning(again.file(), warnings[0]) + "\n" + again.text());
  Json rewritten;
  config::to_json(rewritten, reread);
  if (Dump(rewritten) != Dump(written))
    Fail(__FILE__, __LINE__,
         "board changed on re-reading:\n" + Dump(written) + "\n" + Dump(rewritten));
}

TOCKCTL_FUZZ_TARGET(board_json) {
  using namespace tockctl;
  std::optional<config::JsonDocument> doc;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!Accepted([&] { doc = config::JsonDocument::Parse(text, "fuzz.json"); })) return 0;

  config::CheckedBoardConfig checked = config::CheckBoardConfig(*doc);
  CheckFindings(*doc, checked.report);
  (void)config::DescribeBoardConfig(checked);
  if (checked.board) {
    (void)config::DescribeBoard(*checked.board);
    CheckBoardRoundTrip(*checked.board, checked.report.WarningCount() > 0);
  }

  std::vector<config::BoardWarning> warnings;
  Accepted([&] {
    config::HardwareBoard board = config::ReadCheckedHardwareBoard(*doc, "/board", warnings);
    FUZZ_CHECK(checked.board.has_value());
    FUZZ_CHECK(config::CheckHardwareBoard(board).empty());
  });
  for (const auto& w : warnings) (void)config::FormatBoardWarning(doc->file(), w);
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::fuzz
