// Helpers for the config tests: catalog boards as JSON and findings as whole lines.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/board_catalog.h"
#include "config/config_validator.h"
#include "config/json_document.h"
#include "tests/support/test_support.h"

namespace tockctl::config::testing {

/// The "board" object of catalog file boards/NAME.json.
inline nlohmann::ordered_json CatalogBoardJson(const std::string& name) {
  std::ifstream in(tockctl::testing::SourceDir() / "boards" / (name + ".json"));
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::ordered_json::parse(text.str()).at("board");
}

/// The parsed hardware of catalog board NAME.
inline HardwareBoard CatalogBoard(const std::string& name) {
  return LoadCatalogFile(tockctl::testing::SourceDir() / "boards" / (name + ".json")).board;
}

/// {"format": 1, "board": NAME's board, "ipc": ipc?, "network": network?}
inline nlohmann::ordered_json BoardFile(const std::string& name,
                                        const nlohmann::ordered_json& ipc = nullptr,
                                        const nlohmann::ordered_json& network = nullptr) {
  nlohmann::ordered_json doc{{"format", 1}, {"board", CatalogBoardJson(name)}};
  if (!ipc.is_null()) doc["ipc"] = ipc;
  if (!network.is_null()) doc["network"] = network;
  return doc;
}

/// Every finding of `doc` (written as tockctl writes files, named t.json) as formatted lines.
inline std::vector<std::string> FindingLines(const nlohmann::ordered_json& doc) {
  JsonDocument parsed = JsonDocument::Parse(FormatJson(doc), "t.json");
  CheckedBoardConfig checked = CheckBoardConfig(parsed);
  std::vector<std::string> out;
  for (const Finding& f : checked.report.findings()) out.push_back(FormatFinding("t.json", f));
  return out;
}

/// Findings without positions: "error: /pointer: message; valid: ..." (for reports built without
/// a document).
inline std::vector<std::string> Lines(const ValidationReport& report) {
  std::vector<std::string> out;
  for (const Finding& f : report.findings()) {
    std::string line = std::string(f.severity == Severity::kError ? "error: " : "warning: ") +
                       f.pointer + ": " + f.message;
    if (!f.valid.empty()) line += "; valid: " + f.valid;
    out.push_back(line);
  }
  return out;
}

}  // namespace tockctl::config::testing
