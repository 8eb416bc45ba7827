// A parsed JSON file that remembers where every value came from, so errors can name
// FILE:LINE:COL and a JSON pointer.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tockctl::config {

/// 1-based line and column of a value in its source text.
struct SourcePosition {
  uint64_t line = 1;
  uint64_t column = 1;
};

/// Deepest nesting accepted in a document (arrays and objects).
inline constexpr int kMaxJsonDepth = 64;
/// Largest JSON file accepted (bytes).
inline constexpr uint64_t kMaxJsonFileSize = 8ull << 20;

/// What Parse does with a number too large for a double, such as 1e309.
enum class HugeNumbers {
  kRefuse,  ///< Throw, like any other malformed JSON.
  kRecord,  ///< Read it as null and list it in huge_numbers(), so a checker can report it.
};

/// A number literal too large for a double, read as null (HugeNumbers::kRecord).
struct HugeNumber {
  std::string pointer;  ///< Where it is.
  std::string literal;  ///< As written, e.g. "1e309".
};

/// JSON text, its parsed value and the position of every value and object key.
class JsonDocument {
 public:
  /// Parses `text`; `file` names it in errors. Throws Error(kInvalidInput) with file, line and
  /// column on malformed JSON, nesting deeper than kMaxJsonDepth, duplicate object keys, or
  /// (unless `huge` is kRecord) a number too large for a double.
  static JsonDocument Parse(std::string text, std::string file,
                            HugeNumbers huge = HugeNumbers::kRefuse);
  /// Reads and parses a file (Error(kIo) if it cannot be read; kMaxJsonFileSize limit).
  static JsonDocument Load(const std::string& path, HugeNumbers huge = HugeNumbers::kRefuse);

  const nlohmann::ordered_json& root() const { return root_; }
  nlohmann::ordered_json& root() { return root_; }
  const std::string& file() const { return file_; }
  const std::string& text() const { return text_; }
  /// Numbers too large for a double, in file order (only with HugeNumbers::kRecord).
  const std::vector<HugeNumber>& huge_numbers() const { return huge_numbers_; }

  /// Position of the value at `pointer`, or of its nearest existing ancestor.
  SourcePosition PositionOf(const std::string& pointer) const;
  /// Position of the key naming the member at `pointer` (falls back to PositionOf).
  SourcePosition KeyPositionOf(const std::string& pointer) const;

 private:
  std::string text_;
  std::string file_;
  nlohmann::ordered_json root_;
  std::map<std::string, SourcePosition> value_positions_;
  std::map<std::string, SourcePosition> key_positions_;
  std::vector<HugeNumber> huge_numbers_;
};

/// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

/// Serialises a document the way tockctl writes files: 2-space indent, key order kept, final
/// newline.
std::string FormatJson(const nlohmann::ordered_json& doc);

}  // namespace tockctl::config
