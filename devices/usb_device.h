// The one interface to USB devices: synchronous control and bulk transfers for the flasher's
// protocols (PICOBOOT, DFU), asynchronous bulk IN transfers for streaming (the trace source),
// interface claiming, descriptors, and device matching by VID:PID[:SERIAL]. The libusb
// implementation is devices/libusb_host.h; tests use scripted peers behind the same
// interface. Transfers report their outcome (ok, stall, timeout, gone, error) instead of
// throwing, so each protocol judges it in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/usb_selector.h"

namespace tockctl::devices {

/// How one transfer ended.
enum class UsbStatus {
  kOk,
  kStall,         ///< The device stalled the endpoint or refused the request (protocol error).
  kTimeout,       ///< A transfer timed out (it may still carry bytes).
  kNoDevice,      ///< The device disappeared (unplugged, rebooted).
  kAccessDenied,  ///< No permission to open the device (udev rules).
  kNotFound,      ///< No such interface or endpoint.
  kBusy,          ///< The interface is claimed by another program or driver.
  kOverflow,      ///< The device sent more than the buffer holds.
  kCancelled,     ///< The transfer was cancelled by us.
  kError,         ///< Any other host or bus failure.
};

/// Outcome of one transfer. `error_name` is the libusb name of a failure ("LIBUSB_ERROR_PIPE").
struct UsbResult {
  UsbStatus status = UsbStatus::kOk;
  size_t transferred = 0;
  std::string error_name;
  bool ok() const { return status == UsbStatus::kOk; }
};

/// The setup packet of a control transfer (wLength comes from the data span).
struct UsbControlSetup {
  uint8_t request_type = 0;
  uint8_t request = 0;
  uint16_t value = 0;
  uint16_t index = 0;
};

inline constexpr uint8_t kUsbEndpointIn = 0x80;
inline constexpr uint8_t kUsbTransferTypeBulk = 0x02;

struct UsbEndpointInfo {
  uint8_t address = 0;     ///< Bit 7 set for IN.
  uint8_t attributes = 0;  ///< Low two bits: transfer type (2 = bulk).
  uint16_t max_packet_size = 0;
  bool is_in() const { return address & kUsbEndpointIn; }
  bool is_bulk() const { return (attributes & 0x03) == kUsbTransferTypeBulk; }
};

/// One alternate setting of an interface.
struct UsbInterfaceInfo {
  uint8_t number = 0;
  uint8_t alternate = 0;
  uint8_t interface_class = 0;
  uint8_t interface_subclass = 0;
  uint8_t interface_protocol = 0;
  std::string name;  ///< iInterface string, empty if none or unreadable.
  std::vector<UsbEndpointInfo> endpoints;
  std::vector<uint8_t> extra;  ///< Class-specific descriptors that follow (DFU functional).
};

/// A finished asynchronous bulk IN transfer.
struct UsbCompletion {
  size_t slot = 0;
  UsbResult result;
  /// The bytes received (kOk, kTimeout). They stay valid until `slot` is submitted again or the
  /// device is closed.
  std::span<const uint8_t> data;
};

/// A device as seen on the bus.
struct UsbDeviceInfo {
  uint16_t vid = 0;
  uint16_t pid = 0;
  uint8_t bus = 0;
  uint8_t address = 0;
  std::string port_path;      ///< "1-4.2", stable across re-enumeration on the same port.
  std::string serial_number;  ///< Empty if none or unreadable.
  std::string manufacturer;
  std::string product;
  bool strings_readable = true;  ///< False when the device could not be opened to read strings.
  std::vector<UsbInterfaceInfo> interfaces;  ///< Every alternate setting of the active config.
};

/// "2e8a:0003".
std::string UsbId(uint16_t vid, uint16_t pid);
/// "2e8a:0003 (bus 1 device 5)".
std::string DescribeUsbDevice(const UsbDeviceInfo& device);

/// An opened USB device. Destroying it cancels and reaps every transfer still in flight before
/// freeing it, releases the claimed interfaces (re-attaching a detached kernel driver), and closes.
class UsbTransport {
 public:
  virtual ~UsbTransport() = default;
  virtual const UsbDeviceInfo& info() const = 0;
  virtual UsbResult ClaimInterface(uint8_t number) = 0;
  virtual UsbResult SetAltSetting(uint8_t number, uint8_t alternate) = 0;
  /// Device-to-host control transfer of up to data.size() bytes.
  virtual UsbResult ControlIn(const UsbControlSetup& setup, std::span<uint8_t> data) = 0;
  /// Host-to-device control transfer.
  virtual UsbResult ControlOut(const UsbControlSetup& setup, std::span<const uint8_t> data) = 0;
  virtual UsbResult BulkIn(uint8_t endpoint, std::span<uint8_t> data) = 0;
  virtual UsbResult BulkOut(uint8_t endpoint, std::span<const uint8_t> data) = 0;
  virtual UsbResult ClearHalt(uint8_t endpoint) = 0;
  /// Resets the device on the bus (a USB port reset). A device that comes back with other
  /// descriptors (a DFU device entering DFU mode) is a new device: the transport is then unusable
  /// and the result kNotFound or kNoDevice. Transports that cannot reset answer kError.
  virtual UsbResult ResetDevice();
  /// Starts an asynchronous bulk IN transfer of up to `length` bytes from `endpoint` into the
  /// device's buffer for `slot` (slots are small integers chosen by the caller). A device opened
  /// for protocols only answers kError.
  virtual UsbResult SubmitBulkIn(size_t slot, uint8_t endpoint, size_t length);
  /// Waits up to `timeout` for transfers to finish and appends them, in completion order, to
  /// `done`.
  virtual UsbResult HandleEvents(std::chrono::milliseconds timeout,
                                 std::vector<UsbCompletion>* done);
  /// Cancels every transfer in flight and waits until all of them are reaped.
  virtual void CancelTransfers() {}
};

/// Lists and opens USB devices.
class UsbHost {
 public:
  virtual ~UsbHost() = default;
  /// Devices on the bus; throws Error(kTransport) if the host has no USB access at all.
  virtual std::vector<UsbDeviceInfo> ListDevices() = 0;
  /// Opens `device`; throws Error(kTransport) with a udev hint when permission is denied.
  virtual std::unique_ptr<UsbTransport> Open(const UsbDeviceInfo& device) = 0;
  /// Opens `device` without throwing: the outcome says why not (kAccessDenied, kNoDevice, ...),
  /// for a caller that waits for a device to come back.
  virtual UsbResult TryOpen(const UsbDeviceInfo& device, std::unique_ptr<UsbTransport>* opened);
};

/// Why no device may be visible even though libusb works ("/dev/bus/usb is missing"), or empty.
std::string UsbAccessProblem();

/// The udev rule line that gives the logged-in user access to VID:PID, with where tockctl's
/// rules are and how to load them; one line.
std::string UsbUdevHint(uint16_t vid, uint16_t pid);

/// The one device that matches `selector` (if given) and one of `ids` (if `selector` is not
/// given). Throws Error(kTransport) naming what was looked for when nothing matches, and
/// Error(kUsage) listing the candidates with their --usb values when several match.
UsbDeviceInfo SelectUsbDevice(const std::vector<UsbDeviceInfo>& devices,
                              const std::vector<std::pair<uint16_t, uint16_t>>& ids,
                              const std::optional<UsbSelector>& selector, const std::string& what);

/// The first interface (alternate 0 unless `alternate` says otherwise) of `device` with this
/// class, or nullptr.
const UsbInterfaceInfo* FindUsbInterface(const UsbDeviceInfo& device, uint8_t interface_class,
                                         std::optional<uint8_t> subclass = std::nullopt);

}  // namespace tockctl::devices
