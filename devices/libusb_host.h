// UsbHost and UsbTransport on libusb-1.0: the only file that talks to libusb. Every libusb
// resource (context, device list, device reference, handle, claimed interface, config descriptor,
// transfer) is owned by an RAII object; every
// transfer uses kUsbTransferTimeout; every libusb failure is logged with libusb_error_name while
// the messages users see are tockctl's own.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>

#include "devices/usb_device.h"

namespace tockctl::devices {

/// The one timeout of every libusb transfer: each control and bulk transfer of a protocol
/// (PICOBOOT erases are split so that no single command takes longer), each streaming bulk IN
/// transfer (an idle link then completes with kTimeout and is queued again), and the wait for
/// cancelled transfers to be reaped.
inline constexpr std::chrono::milliseconds kUsbTransferTimeout{5000};

/// libusb-backed host. Creating it initialises libusb and throws Error(kTransport) with one clear
/// line when the host has no USB access (no usbfs, e.g. in a container).
class LibusbHost : public UsbHost {
 public:
  explicit LibusbHost(std::shared_ptr<spdlog::logger> log);
  ~LibusbHost() override;
  std::vector<UsbDeviceInfo> ListDevices() override;
  std::unique_ptr<UsbTransport> Open(const UsbDeviceInfo& device) override;
  UsbResult TryOpen(const UsbDeviceInfo& device, std::unique_ptr<UsbTransport>* opened) override;

  struct Context;

 private:
  std::shared_ptr<Context> context_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace tockctl::devices
