// Error context naming a host file, for the replay and recording sources (a device's context is
// devices/device_context.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"

namespace tockctl::tracer {

/// Context naming a host file (and optionally a byte offset in it).
inline ErrorContext FileContext(const std::string& file,
                                std::optional<uint64_t> offset = std::nullopt) {
  ErrorContext ctx;
  ctx.file = file;
  ctx.offset = offset;
  return ctx;
}

}  // namespace tockctl::tracer
