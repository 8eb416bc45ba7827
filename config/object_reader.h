// Reads the members of one JSON object into typed values, adding a finding (instead of throwing)
// for every missing, mistyped or out-of-range member, and a warning for every unknown key.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/validation_report.h"

namespace tockctl::config {

using OrderedJson = nlohmann::ordered_json;

/// Parses a JSON integer or "0x1F" hex text into an unsigned value; nullopt if it is neither.
std::optional<uint64_t> ParseUnsigned(const OrderedJson& value);

/// `word` in double quotes: "name".
std::string Quoted(const std::string& word);

/// "a, b, c" from a list of words.
std::string JoinWords(const std::vector<std::string>& words, const std::string& separator = ", ");

/// JSON type name as users see it: object, array, string, integer, number, boolean, null.
std::string JsonTypeName(const OrderedJson& value);

/// Reads one object's members; each accessor marks its key as known.
class ObjectReader {
 public:
  /// `object` must outlive the reader. A non-object adds an error and reads as empty.
  ObjectReader(const OrderedJson& object, std::string pointer, ValidationReport& report);

  /// Pointer of member `key`.
  std::string PointerOf(const std::string& key) const;
  /// True if `key` is present (and marks it known).
  bool Has(const std::string& key);
  /// The member value, or nullptr (adds "missing required key" when `required`).
  const OrderedJson* Member(const std::string& key, bool required);

  std::optional<std::string> String(const std::string& key, bool required = false);
  /// A string that names something: "" is an error ("must not be empty", `valid` says what a
  /// name looks like) and reads as absent, like a missing key.
  std::optional<std::string> Name(const std::string& key, const std::string& valid,
                                  bool required = false);
  /// A string from `values` (error listing them otherwise).
  std::optional<std::string> Enum(const std::string& key, const std::vector<std::string>& values,
                                  bool required = false);
  /// An integer or "0x" hex string within [min, max].
  std::optional<uint64_t> Unsigned(const std::string& key, uint64_t min, uint64_t max,
                                   bool required = false);
  std::optional<bool> Bool(const std::string& key, bool required = false);
  /// The member if it is an object (error otherwise).
  const OrderedJson* Object(const std::string& key, bool required = false);
  /// The member if it is an array (error otherwise).
  const OrderedJson* Array(const std::string& key, bool required = false);
  /// An array of non-empty strings, each checked against `allowed` when it is non-empty; a bad
  /// entry is reported and read as "" so that indexes stay those of the file.
  std::optional<std::vector<std::string>> StringList(const std::string& key,
                                                     const std::vector<std::string>& allowed = {},
                                                     bool required = false);
  /// Marks keys as known without reading them.
  void Accept(const std::vector<std::string>& keys);

  /// Warns about every member no accessor asked for (and Accept did not name), listing the rest.
  void WarnUnknownKeys();

  bool is_object() const { return is_object_; }
  const std::string& pointer() const { return pointer_; }
  ValidationReport& report() { return report_; }

 private:
  void TypeError(const std::string& key, const std::string& expected, const OrderedJson& got);

  const OrderedJson& object_;
  std::string pointer_;
  ValidationReport& report_;
  bool is_object_ = false;
  std::vector<std::string> known_;
};

/// The enum value whose name (in `names`, indexed by value) is `text`.
template <typename E, size_t N>
std::optional<E> EnumFromName(const std::array<const char*, N>& names, const std::string& text) {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

/// The names as strings, for messages and ObjectReader::Enum.
template <size_t N>
std::vector<std::string> NameList(const std::array<const char*, N>& names) {
  return std::vector<std::string>(names.begin(), names.end());
}

/// Reads member `key` as one of `names` (indexed by enum value) into `out`; unchanged if absent
/// or wrong (a finding says why).
template <typename E, size_t N>
void ReadEnum(ObjectReader& reader, const std::string& key, const std::array<const char*, N>& names,
              E& out, bool required = false) {
  if (auto text = reader.Enum(key, NameList(names), required)) out = *EnumFromName<E>(names, *text);
}

}  // namespace tockctl::config
