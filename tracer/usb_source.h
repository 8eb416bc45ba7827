// Trace bytes from a USB bulk IN endpoint (the device's vendor-specific "trace" interface), with
// several asynchronous transfers in flight and a bounded queue between them and Read().
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "devices/usb_device.h"
#include "devices/usb_selector.h"
#include "tracer/byte_ring.h"
#include "tracer/byte_source.h"
#include "tracer/reconnect_schedule.h"

namespace tockctl::tracer {

/// Which device and interface to read, and how.
struct UsbOptions {
  devices::UsbSelector selector;
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
  /// Why this host may show no USB devices at all (devices::UsbAccessProblem; tests substitute).
  std::function<std::string()> usb_access_problem = devices::UsbAccessProblem;
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
std::optional<UsbTraceEndpoint> FindTraceEndpoint(
    const std::vector<devices::UsbInterfaceInfo>& interfaces,
    std::optional<uint8_t> interface_number, std::string* why);

/// Reads the trace stream of one USB device through a devices::UsbHost (libusb, or a test fake).
class UsbSource : public ByteSource {
 public:
  /// Finds, opens and claims the device and starts the transfers. Throws Error(kTransport) when
  /// the host has no USB access, no device matches (unless wait_for_device), permission is denied
  /// (with a udev hint), it has no trace interface or the interface is busy; Error(kUsage) when
  /// several devices match and no serial number tells them apart.
  UsbSource(UsbOptions options, std::unique_ptr<devices::UsbHost> backend,
            std::shared_ptr<spdlog::logger> log, Clock& clock = SystemClock());
  /// Cancels and reaps the transfers, releases the interface, closes the device.
  ~UsbSource() override;

  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  /// "usb 1209:0001" (with ":SERIAL" when one was given).
  std::string Describe() const override;
  /// Sends bytes to the bulk OUT endpoint of the trace interface. Error(kTransport) while the
  /// device is away or the transfer fails, Error(kUsage) when the interface has no bulk OUT.
  void Write(std::span<const uint8_t> bytes) override;

  /// The most transfers that were in flight at the same time.
  size_t max_in_flight() const { return max_in_flight_; }
  /// The device currently open (bus/address change when it is replugged).
  const devices::UsbDeviceInfo& device() const { return device_; }

 private:
  struct Attempt {
    std::unique_ptr<devices::UsbTransport> link;
    devices::UsbDeviceInfo device;
    UsbTraceEndpoint endpoint;
    std::optional<Error> error;
    bool absent = false;  ///< No matching device (yet): worth waiting for.
  };

  /// Devices with the selector's VID:PID, opened: those that match, and why the others did not.
  struct Candidates {
    std::vector<Attempt> matches;
    std::vector<std::string> serials;  ///< Of every device opened, in listing order.
    std::optional<devices::UsbDeviceInfo> denied;
    std::optional<Error> error;
  };

  Attempt OpenTraceLink();
  Attempt FindDevice();
  Candidates OpenCandidates(const std::vector<devices::UsbDeviceInfo>& devices);
  void NoteOpenFailure(const devices::UsbDeviceInfo& device, const devices::UsbResult& status,
                       Candidates& found);
  Attempt NoSingleMatch(Candidates& found);
  Attempt Claim(Attempt found);
  Error ClaimError(const devices::UsbDeviceInfo& device, uint8_t interface,
                   const devices::UsbResult& status) const;
  std::optional<Error> Start(Attempt attempt);
  void CloseLink();

  ReadResult TryToReturn(Clock::TimePoint deadline);
  ReadResult Deliver(std::span<uint8_t> buf);
  ReadResult Lost();
  void Pump(Clock::TimePoint deadline);
  void OnCompletion(const devices::UsbCompletion& done);
  void Accept(const devices::UsbCompletion& done);
  void Unpark();
  void Submit(size_t slot);
  void ResubmitIdle();
  void CountError(const devices::UsbResult& status, const char* what);
  void MarkGone(const std::string& why);

  Error DeviceError(ErrorCategory category, const std::string& message,
                    const std::string& operation, std::string hint = {}) const;
  std::string DeviceName(const devices::UsbDeviceInfo& device) const;

  UsbOptions options_;
  std::unique_ptr<devices::UsbHost> backend_;
  std::shared_ptr<spdlog::logger> log_;
  ReconnectSchedule schedule_;
  ByteRing ring_;
  std::unique_ptr<devices::UsbTransport> link_;
  devices::UsbDeviceInfo device_;
  UsbTraceEndpoint endpoint_;
  std::deque<devices::UsbCompletion> parked_;  ///< Finished transfers waiting for room in ring_.
  std::vector<size_t> idle_slots_;             ///< Slots to submit again (a submit failed).
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
