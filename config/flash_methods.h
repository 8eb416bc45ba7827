// The one table of flash methods: each method's name, one-line summary and the keys its board
// JSON object may carry (type, required, allowed values). The board reader validates against it,
// the flasher's settings reader accepts exactly its keys, and the flasher's back-end table must
// name the same methods (tests/flasher/backend_registry_test.cpp walks both).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tockctl::config {

/// How a method key's value is written in board JSON.
enum class MethodKeyType {
  kString,        ///< A string; one of `values` when that is not empty.
  kUnsigned,      ///< A non-negative number, or a "0x..." / decimal string.
  kBool,          ///< true or false.
  kStringOrList,  ///< A string or a non-empty list of strings.
  kVidPid,        ///< "VID:PID" in hex.
  kHostPort,      ///< "HOST:PORT".
};

/// One key of a method object.
struct MethodKey {
  const char* key;
  MethodKeyType type;
  bool required;
  std::vector<std::string> values;  ///< Allowed strings when non-empty.
};

/// One flash method.
struct FlashMethodSpec {
  const char* name;     ///< As written in "method", "default" and --method.
  const char* summary;  ///< One line for --help, `boards show` and docs.
  std::vector<MethodKey> keys;
};

/// Every flash method, in the order shown to users.
const std::vector<FlashMethodSpec>& FlashMethodSpecs();

/// The method called `name`, or null.
const FlashMethodSpec* FindFlashMethodSpec(std::string_view name);

/// The names of FlashMethodSpecs(), in order.
const std::vector<std::string>& KnownFlashMethods();

/// "gdb, qemu, ..." for messages.
std::string KnownFlashMethodList();

}  // namespace tockctl::config
