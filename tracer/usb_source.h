// Trace bytes from a USB bulk IN endpoint (the device's vendor-specific "trace" interface), with
// several asynchronous transfers in flight and a bounded queue between them and Read().
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "tracer/byte_ring.h"
#include "tracer/byte_source.h"
#include "tracer/source_clock.h"
#include "tracer/usb_link.h"

namespace tockctl::tracer {

/// Which device and interface to read, and how.
struct UsbOptions {
  UsbSelector selector;
  /// Use this interface number instead of looking for a vendor-specific interface named "trace".
  std::optional<uint8_t> interface_number;
  /// After an unplug, wait for the device (kDisconnected, then kReconnected); if false, kEnd.
  bool reconnect = true;
  /// If no device matches yet, wait for one (kTimeout, then kReconnected) instead of throwing.
  bool wait_for_device = false;
  std::chrono::milliseconds reconnect_interval{250};  ///< How often to look for the device.
  size_t transfers_in_flight = 4;            ///< Bulk IN transfers kept queued on the endpoint.
  size_t transfer_size = size_t{16} * 1024;  ///< Bytes per transfer.
  size_t queue_bytes =
      size_t{256} * 1024;  ///< Received bytes held for Read() (at least one transfer).
};

/// The interface setting and endpoint the trace stream comes from.
struct UsbTraceEndpoint {
  uint8_t interface_number = 0;
  uint8_t alternate = 0;
  uint8_t endpoint = 0;  ///< Bulk IN endpoint address (bit 7 set).
  bool operator==(const UsbTraceEndpoint&) const = default;
};

/// Picks the trace endpoint: the first bulk IN endpoint of interface `interface_number` if given,
/// else of the first vendor-specific (class 0xFF) interface whose name contains "trace" (any
/// case). On failure returns nothing and sets `why` ("has no trace interface (...)").
std::optional<UsbTraceEndpoint> FindTraceEndpoint(const std::vector<UsbInterfaceInfo>& interfaces,
                                                  std::optional<uint8_t> interface_number,
                                                  std::string* why);

/// The hint for a device we may not open: a udev rule line for its VID:PID with uaccess.
std::string UdevHint(uint16_t vendor_id, uint16_t product_id);

/// Reads the trace stream of one USB device through a UsbBackend (libusb, or a test fake).
class UsbSource : public ByteSource {
 public:
  /// Finds, opens and claims the device and starts the transfers. Throws Error(kTransport) when
  /// the host has no USB access, no device matches (unless wait_for_device), permission is denied
  /// (with a udev hint), it has no trace interface or the interface is busy; Error(kUsage) when
  /// several devices match and no serial number tells them apart.
  UsbSource(UsbOptions options, std::unique_ptr<UsbBackend> backend,
            std::shared_ptr<spdlog::logger> log,
            std::shared_ptr<SourceClock> clock = RealSourceClock());
  /// Cancels and reaps the transfers, releases the interface, closes the device.
  ~UsbSource() override;

  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  /// "usb 1209:0001" (with ":SERIAL" when one was given).
  std::string Describe() const override;

  /// The most transfers that were in flight at the same time.
  size_t max_in_flight() const { return max_in_flight_; }
  /// The device currently open (bus/address change when it is replugged).
  const UsbDeviceInfo& device() const { return device_; }

 private:
  struct Attempt {
    std::unique_ptr<UsbDeviceLink> link;
    UsbDeviceInfo device;
    UsbTraceEndpoint endpoint;
    std::optional<Error> error;
    bool absent = false;  ///< No matching device (yet): worth waiting for.
  };

  /// Devices with the selector's VID:PID, opened: those that match, and why the others did not.
  struct Candidates {
    std::vector<Attempt> matches;
    std::vector<std::string> serials;  ///< Of every device opened, in listing order.
    std::optional<UsbDeviceInfo> denied;
    std::optional<Error> error;
  };

  Attempt OpenTraceLink();
  Attempt FindDevice();
  Candidates OpenCandidates(const std::vector<UsbDeviceInfo>& devices);
  void NoteOpenFailure(const UsbDeviceInfo& device, const UsbStatus& status, Candidates& found);
  Attempt NoSingleMatch(Candidates& found);
  Attempt Claim(Attempt found);
  Error ClaimError(const UsbDeviceInfo& device, uint8_t interface, const UsbStatus& status) const;
  std::optional<Error> Start(Attempt attempt);
  void CloseLink();

  ReadResult TryToReturn(SourceClock::TimePoint deadline);
  ReadResult Deliver(std::span<uint8_t> buf);
  ReadResult Lost();
  void Pump(SourceClock::TimePoint deadline);
  void OnCompletion(const UsbCompletion& done);
  void Accept(const UsbCompletion& done);
  void Unpark();
  void Submit(size_t slot);
  void ResubmitIdle();
  void CountError(const UsbStatus& status, const char* what);
  void MarkGone(const std::string& why);

  Error DeviceError(ErrorCategory category, const std::string& message,
                    const std::string& operation, std::string hint = {}) const;
  std::string DeviceName(const UsbDeviceInfo& device) const;

  UsbOptions options_;
  std::unique_ptr<UsbBackend> backend_;
  std::shared_ptr<spdlog::logger> log_;
  ReconnectSchedule schedule_;
  ByteRing ring_;
  std::unique_ptr<UsbDeviceLink> link_;
  UsbDeviceInfo device_;
  UsbTraceEndpoint endpoint_;
  std::deque<UsbCompletion> parked_;  ///< Finished transfers waiting for room in ring_.
  std::vector<size_t> idle_slots_;    ///< Slots to submit again (a submit failed).
  size_t in_flight_ = 0;
  size_t max_in_flight_ = 0;
  int consecutive_errors_ = 0;
  std::optional<std::string> gone_;  ///< Why the device is lost; reported once ring_ is drained.
  bool was_open_ = false;
  bool ended_ = false;
  std::string end_detail_;
};

/// A UsbSource on the host's real USB devices (libusb).
std::unique_ptr<UsbSource> OpenUsbSource(UsbOptions options, std::shared_ptr<spdlog::logger> log);

}  // namespace tockctl::tracer
