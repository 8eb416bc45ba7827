// Strict, position-aware reading of one JSON object for board files: the first problem throws
// Error(kInvalidInput) with FILE:LINE:COL and the JSON pointer; unknown keys become warnings.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/board.h"
#include "config/json_document.h"

namespace tockctl::config {

/// Reads the members of one object of a board file; each accessor marks its key as known.
class BoardObjectReader {
 public:
  using Json = nlohmann::ordered_json;

  /// `value` lives in `doc` at `pointer`. Throws if it is not an object.
  BoardObjectReader(const JsonDocument& doc, const Json& value, std::string pointer,
                    std::vector<BoardWarning>& warnings);

  /// The member `key`, or nullptr when absent and optional (throws when absent and required).
  const Json* Find(const std::string& key, bool required);
  /// A non-empty string member.
  std::string String(const std::string& key);
  std::optional<std::string> OptionalString(const std::string& key);
  /// A string that must be one of `values`.
  std::string Enum(const std::string& key, const std::vector<std::string>& values);
  /// An integer or a "0x..." hex string, at most `max`.
  uint64_t Unsigned(const std::string& key, uint64_t max = std::numeric_limits<uint64_t>::max());
  std::optional<uint64_t> OptionalUnsigned(const std::string& key,
                                           uint64_t max = std::numeric_limits<uint64_t>::max());
  /// An integer in [min, max] (hex strings accepted too).
  uint64_t Integer(const std::string& key, uint64_t min, uint64_t max);
  bool Bool(const std::string& key);
  std::optional<bool> OptionalBool(const std::string& key);
  /// A reader for the object member `key`.
  BoardObjectReader Object(const std::string& key);
  /// The array member `key`.
  const Json& Array(const std::string& key);
  /// Marks keys as known without reading them.
  void Accept(const std::vector<std::string>& keys);
  /// Adds a warning for every member no accessor asked for.
  void WarnUnknownKeys();

  /// Pointer of member `key`.
  std::string PointerOf(const std::string& key) const;
  const std::string& pointer() const { return pointer_; }
  const Json& value() const { return value_; }
  const JsonDocument& doc() const { return doc_; }
  std::vector<BoardWarning>& warnings() { return warnings_; }

  /// Throws Error(kInvalidInput) about the value at `pointer`; `valid` (what would be valid)
  /// becomes the hint "valid: ...".
  [[noreturn]] static void Fail(const JsonDocument& doc, const std::string& pointer,
                                const std::string& message, const std::string& valid);

 private:
  [[noreturn]] void FailAt(const std::string& key, const std::string& message,
                           const std::string& valid) const;
  void MarkKnown(const std::string& key);

  const JsonDocument& doc_;
  const Json& value_;
  std::string pointer_;
  std::vector<BoardWarning>& warnings_;
  std::vector<std::string> known_;
};

/// Parses an integer or a "0x..." hex string (JSON value) into `out`. Returns an empty string on
/// success, or the reason it failed ("expected a hex string ...", "does not fit in 64 bits").
std::string ParseBoardUnsigned(const nlohmann::ordered_json& value, uint64_t& out);

/// "0x1f": lowercase hex with prefix, the form board files hold addresses and sizes in.
std::string FormatBoardHex(uint64_t value);

/// JSON type name as users see it: object, array, string, integer, number, boolean, null.
std::string BoardJsonTypeName(const nlohmann::ordered_json& value);

}  // namespace tockctl::config
