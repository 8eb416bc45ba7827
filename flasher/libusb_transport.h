// UsbHost and UsbTransport on libusb-1.0. Every libusb resource (context, device list, device
// reference, handle, claimed interface, config descriptor) is owned by an RAII object; every
// transfer uses kUsbTransferTimeout; every libusb failure is logged with libusb_error_name while
// the messages users see are tockctl's own.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>

#include "flasher/usb_transport.h"

namespace tockctl::flasher {

/// The one timeout for every control and bulk transfer (PICOBOOT erases are split so that no
/// single command takes longer).
inline constexpr std::chrono::milliseconds kUsbTransferTimeout{5000};

/// libusb-backed host. Creating it initialises libusb and throws Error(kTransport) with one clear
/// line when the host has no USB access (no usbfs, e.g. in a container).
class LibusbHost : public UsbHost {
 public:
  explicit LibusbHost(std::shared_ptr<spdlog::logger> log);
  ~LibusbHost() override;
  std::vector<UsbDeviceInfo> ListDevices() override;
  std::unique_ptr<UsbTransport> Open(const UsbDeviceInfo& device) override;

  struct Context;

 private:
  std::shared_ptr<Context> context_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace tockctl::flasher
