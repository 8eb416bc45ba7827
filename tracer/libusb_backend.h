// UsbBackend on libusb-1.0: the only file that talks to libusb.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>

#include "tracer/usb_link.h"

struct libusb_context;
struct libusb_device;

namespace tockctl::tracer {

/// The one timeout for libusb operations: each bulk IN transfer (an idle link then completes
/// with kTimeout and is requeued) and the wait for cancelled transfers to be reaped.
inline constexpr std::chrono::milliseconds kUsbTimeout{1000};

/// The host's USB devices through libusb. Every libusb failure is logged with libusb_error_name.
class LibusbBackend : public UsbBackend {
 public:
  explicit LibusbBackend(std::shared_ptr<spdlog::logger> log);
  ~LibusbBackend() override;

  UsbStatus Init() override;
  std::string AccessProblem() const override;
  UsbStatus ListDevices(std::vector<UsbDeviceInfo>* devices) override;
  UsbStatus Open(const UsbDeviceInfo& device, std::unique_ptr<UsbDeviceLink>* link) override;

 private:
  struct DeviceListDeleter {
    void operator()(libusb_device** list) const;
  };

  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<libusb_context> context_;
  std::unique_ptr<libusb_device*, DeviceListDeleter> list_;
};

}  // namespace tockctl::tracer
