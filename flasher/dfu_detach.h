// DFU run-time mode (USB DFU 1.1, sections 4.1 and 5.1): firmware that offers a run-time DFU
// interface (class 0xFE, subclass 1, protocol 1) leaves for DFU mode on DFU_DETACH. With
// bitWillDetach it re-enumerates by itself; without it the host must reset the device within
// wDetachTimeOut. The DFU-mode device then appears on the same port, possibly with another
// VID:PID and serial number. Facts: docs/flashing-serial-usb.md#dfu-run-time-mode.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include "common/clock.h"
#include "devices/usb_device.h"
#include "flasher/flash_backend.h"

namespace tockctl::flasher {

/// How long tockctl waits for the DFU-mode device beyond the device's own wDetachTimeOut.
inline constexpr std::chrono::milliseconds kDfuReenumerationWait{5000};
/// How often the bus is listed while waiting.
inline constexpr std::chrono::milliseconds kDfuReenumerationPoll{100};

/// The device after the detach: what it is now and the opened transport.
struct DfuModeDevice {
  devices::UsbDeviceInfo info;
  std::unique_ptr<devices::UsbTransport> usb;
};

/// True if `device` offers a DFU run-time interface and no other DFU interface.
bool OffersOnlyDfuRunTime(const devices::UsbDeviceInfo& device);

/// Sends DFU_DETACH (wValue = the device's wDetachTimeOut) to the run-time interface of the opened
/// `runtime`, resets the device unless its functional descriptor says bitWillDetach, and waits up
/// to wDetachTimeOut + kDfuReenumerationWait for a device with a DFU-mode interface on the same
/// port (or, when ports are unknown, with `dfu_mode_id`), which it opens. Tells `progress` what it
/// does. Throws Error(kTransport) when the interface cannot be claimed, has no functional
/// descriptor, DFU_DETACH is refused or nothing comes back in time (one line saying what to do),
/// and the host's permission error when the device came back but cannot be opened.
DfuModeDevice DetachIntoDfuMode(devices::UsbHost& host,
                                std::unique_ptr<devices::UsbTransport> runtime,
                                std::pair<uint16_t, uint16_t> dfu_mode_id, Clock& clock,
                                ProgressSink& progress, spdlog::logger& log);

}  // namespace tockctl::flasher
