// Reading and editing board JSON files by JSON pointer: get, set, unset and a semantic diff.
// Edits keep key order and unknown keys, are refused when they would add errors (unless forced),
// and replace the file atomically.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/board_catalog.h"
#include "config/json_document.h"
#include "config/validation_report.h"

namespace tockctl::config {

/// Parses a JSON pointer given on the command line. Throws Error(kUsage) if it is malformed.
nlohmann::ordered_json::json_pointer ParsePointer(const std::string& text);

/// The value at `pointer`. Throws Error(kUsage) naming the keys that do exist when there is none.
const nlohmann::ordered_json& GetValue(const JsonDocument& doc, const std::string& pointer);

/// A VALUE argument: JSON when it parses as JSON, otherwise the text as a JSON string.
nlohmann::ordered_json ParseValueArgument(const std::string& text);

/// Sets `pointer` in `root` to `value`, creating missing intermediate objects; "-" or the array
/// size as the last token appends. Throws Error(kUsage) if a parent is not a container, an array
/// index is out of range, or `pointer` is the root.
void SetValue(nlohmann::ordered_json& root, const std::string& pointer,
              nlohmann::ordered_json value);

/// Removes the member or array element at `pointer`. Throws Error(kUsage) if there is none or
/// `pointer` is the root.
void UnsetValue(nlohmann::ordered_json& root, const std::string& pointer);

/// What a set or unset did.
struct EditOutcome {
  bool written = false;  ///< The file was replaced.
  /// Errors the edit adds (positions in the edited text), including a key tockctl does not know
  /// (an unknown-key warning the file did not have), which names the closest known key.
  std::vector<Finding> introduced;
  ValidationReport report;  ///< Every finding of the edited document.
};

/// Applies one edit to the file at `path` (through symbolic links, to the file they name). When
/// the edit would add errors or unknown keys and `force` is false, nothing is written (the file
/// stays byte-for-byte the same) and `introduced` lists them. A board reference in the file is
/// resolved in `catalog`. Throws Error(kIo) if the file cannot be read or replaced (read-only,
/// directory, missing), Error(kInvalidInput) if it is not JSON, Error(kUsage) for a bad pointer.
EditOutcome EditConfigFile(const std::string& path, bool force,
                           const std::function<void(nlohmann::ordered_json&)>& edit,
                           const BoardCatalog* catalog = nullptr);

/// One difference between two documents.
struct JsonChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::string pointer;
  nlohmann::ordered_json before;  ///< null for kAdded.
  nlohmann::ordered_json after;   ///< null for kRemoved.
};

/// Differences from `a` to `b` by JSON pointer, in document order. Object key order does not
/// count, and a hex string equals the integer it spells ("0x40000" == 262144).
std::vector<JsonChange> DiffJson(const nlohmann::ordered_json& a, const nlohmann::ordered_json& b);

/// "+ /p: value", "- /p: value", "~ /p: before -> after", one line each.
std::string FormatChanges(const std::vector<JsonChange>& changes);

/// [{"change": "added|removed|changed", "pointer", "before"?, "after"?}]
nlohmann::json ChangesToJson(const std::vector<JsonChange>& changes);

}  // namespace tockctl::config
