// The flasher's names for the device error helpers of devices/device_context.h.
#pragma once

#include "devices/device_context.h"

namespace tockctl::flasher {
using devices::DeviceContext;
using devices::PrintableText;
}  // namespace tockctl::flasher
