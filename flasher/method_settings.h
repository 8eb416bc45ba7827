// Typed access to one flash method object of a board JSON file
// ({"method": "jlink", "device": "nRF52840_xxAA", ...}) with errors that name the key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace tockctl::flasher {

/// ErrorContext with only a JSON pointer set.
ErrorContext PointerContext(std::string pointer);

/// Reads keys of a method object. Construction throws Error(kInvalidInput) for a key that
/// config/flash_methods.h does not list for the method ("method" and "note" are always allowed);
/// each getter throws Error(kInvalidInput) for a value of the wrong type and returns nullopt for
/// an absent key. Pointers are `pointer_prefix` + "/key".
class MethodSettingsReader {
 public:
  MethodSettingsReader(const nlohmann::ordered_json& method, std::string method_name,
                       std::string pointer_prefix = "");

  std::optional<std::string> String(const std::string& key) const;
  std::optional<bool> Boolean(const std::string& key) const;
  /// A non-negative integer written as a number or as a "0x..." / decimal string.
  std::optional<uint64_t> Integer(const std::string& key) const;
  /// Same as Integer; the name documents that the value is an address.
  std::optional<uint64_t> Address(const std::string& key) const { return Integer(key); }
  /// An array of strings.
  std::optional<std::vector<std::string>> Strings(const std::string& key) const;
  /// A string or an array of strings.
  std::optional<std::vector<std::string>> StringList(const std::string& key) const;
  /// "VID:PID" with 4 hex digits each.
  std::optional<std::pair<uint16_t, uint16_t>> VidPid(const std::string& key) const;

 private:
  [[noreturn]] void Fail(const std::string& key, const std::string& what) const;
  const nlohmann::ordered_json* Find(const std::string& key) const;

  const nlohmann::ordered_json& method_;
  std::string name_;
  std::string prefix_;
};

/// Parses "0x1A" / "26" / "0x0000_1000"-free plain forms; nullopt if not a number.
std::optional<uint64_t> ParseUnsigned(const std::string& text);

}  // namespace tockctl::flasher
