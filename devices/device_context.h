// Error context naming a device and what was being done with it.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "common/error.h"

namespace tockctl::devices {

/// ErrorContext with only `device` and `operation` set.
inline ErrorContext DeviceContext(std::string device, std::string operation = {}) {
  ErrorContext ctx;
  ctx.device = std::move(device);
  ctx.operation = std::move(operation);
  return ctx;
}

/// Text that came from a device, made safe for a one-line message: bytes outside printable ASCII
/// become \xNN, and more than `limit` characters are cut with "...".
inline std::string PrintableText(std::string_view text, size_t limit = 80) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (text.size() > limit) out += "...";
  return out;
}

}  // namespace tockctl::devices
