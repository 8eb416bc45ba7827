// Error context builders shared by the trace sources.
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

/// Context naming a device or endpoint and what was being done with it.
inline ErrorContext DeviceContext(const std::string& device, const std::string& operation) {
  ErrorContext ctx;
  ctx.device = device;
  ctx.operation = operation;
  return ctx;
}

}  // namespace tockctl::tracer
