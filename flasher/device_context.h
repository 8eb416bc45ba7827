// Error context naming a device and what was being done with it.
#pragma once

#include <string>

#include "common/error.h"

namespace tockctl::flasher {

/// ErrorContext with only `device` and `operation` set.
inline ErrorContext DeviceContext(std::string device, std::string operation = {}) {
  ErrorContext ctx;
  ctx.device = std::move(device);
  ctx.operation = std::move(operation);
  return ctx;
}

}  // namespace tockctl::flasher
