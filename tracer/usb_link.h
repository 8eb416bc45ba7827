// The USB operations the trace source needs, as a small interface: libusb implements it
// (LibusbBackend), tests implement it with a scripted fake. No libusb types appear here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tockctl::tracer {

/// Which device to trace: --usb VID:PID[:SERIAL].
struct UsbSelector {
  uint16_t vendor_id = 0;
  uint16_t product_id = 0;
  std::string serial;  ///< Empty: any serial number.

  /// "1209:0001" or "1209:0001:SERIAL" (ids as 4 lowercase hex digits).
  std::string ToString() const;
  bool operator==(const UsbSelector&) const = default;
};

/// Parses VID:PID[:SERIAL] with hexadecimal ids ("1209:0001", "0x2e8a:0x000a:E6616407E3").
/// Throws Error(kUsage) saying what is wrong.
UsbSelector ParseUsbSelector(std::string_view text);

/// What a USB operation came to, reduced to what the trace source decides on.
enum class UsbCode {
  kOk,
  kAccessDenied,  ///< No permission to open the device (udev rules).
  kNoDevice,      ///< The device is gone (unplugged).
  kNotFound,
  kBusy,       ///< The interface is claimed by another program or driver.
  kTimeout,    ///< A transfer timed out (it may still carry bytes).
  kStall,      ///< The endpoint halted.
  kOverflow,   ///< The device sent more than the buffer holds.
  kCancelled,  ///< The transfer was cancelled by us.
  kOther,
};

/// Outcome of one USB operation, with the backend's own name for it ("LIBUSB_ERROR_ACCESS").
struct UsbStatus {
  UsbCode code = UsbCode::kOk;
  std::string name;
  bool ok() const { return code == UsbCode::kOk; }
};

/// A device as seen while listing (no I/O to it yet).
struct UsbDeviceInfo {
  uint8_t bus = 0;
  uint8_t address = 0;
  uint16_t vendor_id = 0;
  uint16_t product_id = 0;
};

/// One endpoint of an interface setting.
struct UsbEndpointInfo {
  enum class Type { kControl, kIsochronous, kBulk, kInterrupt };
  uint8_t address = 0;  ///< Bit 7 set: IN (device to host).
  Type type = Type::kBulk;
  uint16_t max_packet_size = 0;
  bool is_in() const { return (address & 0x80) != 0; }
};

/// One interface setting of the active configuration.
struct UsbInterfaceInfo {
  uint8_t number = 0;
  uint8_t alternate = 0;
  uint8_t interface_class = 0;  ///< 0xFF: vendor-specific.
  uint8_t subclass = 0;
  uint8_t protocol = 0;
  std::string name;  ///< The iInterface string ("Tock trace"); empty if none.
  std::vector<UsbEndpointInfo> endpoints;
};

/// A finished bulk IN transfer.
struct UsbCompletion {
  size_t slot = 0;
  UsbStatus status;
  /// The bytes received (kOk, kTimeout). They stay valid until `slot` is submitted again or the
  /// link is destroyed.
  std::span<const uint8_t> data;
};

/// An opened device. Destroying it cancels and reaps every transfer still in flight before
/// freeing it, releases the claimed interface (re-attaching a detached kernel driver), and closes.
class UsbDeviceLink {
 public:
  virtual ~UsbDeviceLink() = default;
  /// Reads the device's serial number string into `serial` (empty if it has none).
  virtual UsbStatus ReadSerialNumber(std::string* serial) = 0;
  /// Describes every interface setting of the active configuration, with its name string.
  virtual UsbStatus ReadInterfaces(std::vector<UsbInterfaceInfo>* interfaces) = 0;
  /// Claims interface `number` (detaching a kernel driver if one is bound) and selects
  /// `alternate` if it is not 0.
  virtual UsbStatus ClaimInterface(uint8_t number, uint8_t alternate) = 0;
  /// Clears a halt (stall) on `endpoint`.
  virtual UsbStatus ClearHalt(uint8_t endpoint) = 0;
  /// Starts an asynchronous bulk IN transfer of up to `length` bytes from `endpoint` into the
  /// link's buffer for `slot` (slots are small integers chosen by the caller).
  virtual UsbStatus SubmitBulkIn(size_t slot, uint8_t endpoint, size_t length) = 0;
  /// Waits up to `timeout` for transfers to finish and appends them, in completion order, to
  /// `done`.
  virtual UsbStatus HandleEvents(std::chrono::milliseconds timeout,
                                 std::vector<UsbCompletion>* done) = 0;
  /// Cancels every transfer in flight and waits until all of them are reaped.
  virtual void CancelTransfers() = 0;
};

/// Access to the host's USB devices.
class UsbBackend {
 public:
  virtual ~UsbBackend() = default;
  /// Prepares the backend (libusb_init). A failure means this host has no USB access.
  virtual UsbStatus Init() = 0;
  /// Why no device may be visible even though Init worked ("/dev/bus/usb is missing"), or empty.
  virtual std::string AccessProblem() const = 0;
  /// Lists the attached devices.
  virtual UsbStatus ListDevices(std::vector<UsbDeviceInfo>* devices) = 0;
  /// Opens a device from the last listing.
  virtual UsbStatus Open(const UsbDeviceInfo& device, std::unique_ptr<UsbDeviceLink>* link) = 0;
};

}  // namespace tockctl::tracer
