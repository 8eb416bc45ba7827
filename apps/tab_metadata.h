// metadata.toml of a TAB: a minimal TOML reader (key = string | integer | boolean | array of
// strings, comments, [tables] as dotted prefixes) and the keys elf2tab and tockloader write.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tockctl::apps {

/// One TOML value: a string, an integer, a boolean or an array of strings.
using TomlValue = std::variant<std::string, int64_t, bool, std::vector<std::string>>;

/// One `key = value` line, with the table it is in prefixed ("table.key").
struct TomlEntry {
  std::string key;
  TomlValue value;
  size_t line = 0;
};

/// Parses the subset of TOML above. `what` names the file in errors. Throws
/// Error(kInvalidInput) with file, line and column for anything else (inline tables, floats,
/// dates, duplicate keys, unterminated strings).
std::vector<TomlEntry> ParseToml(const std::string& text, const std::string& what);

/// The keys of metadata.toml that tockctl reads; the others are kept in `other`.
struct TabMetadata {
  std::optional<int64_t> tab_version;
  std::string name;
  std::vector<std::string> only_for_boards;  ///< Empty: any board.
  std::string build_date;
  std::string minimum_tock_kernel_version;  ///< elf2tab's key, "2.1".
  std::string tock_kernel_version;          ///< tockloader's key, same meaning.
  std::optional<int64_t> minimum_ram_size;
  std::map<std::string, TomlValue> other;

  /// The kernel version the TAB asks for (either key), or "".
  std::string KernelVersion() const;
};

/// Reads metadata.toml. Throws Error(kInvalidInput) naming `what`, the line and the key when a
/// known key has the wrong type.
TabMetadata ParseTabMetadata(const std::string& text, const std::string& what);

/// metadata.toml text for `m`, as elf2tab writes it (tab-version first).
std::string WriteTabMetadata(const TabMetadata& m);

/// The TOML value as JSON (string, number, bool or array of strings).
nlohmann::json TomlValueToJson(const TomlValue& value);

}  // namespace tockctl::apps
