// One interface to USB devices for the PICOBOOT and DFU back-ends: control and bulk transfers,
// interface claiming, descriptors, and device matching by VID:PID[:SERIAL]. The libusb
// implementation is flasher/libusb_transport.h; tests use scripted peers behind the same
// interface. Transfers report their outcome (ok, stall, timeout, gone, error) instead of
// throwing, so each protocol judges it in one place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tockctl::flasher {

/// How one transfer ended.
enum class UsbStatus {
  kOk,
  kStall,  ///< The device stalled the endpoint or refused the request (protocol error).
  kTimeout,
  kNoDevice,  ///< The device disappeared (unplugged, rebooted).
  kError,     ///< Any other host or bus failure.
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

/// An opened USB device. Claimed interfaces are released when it is destroyed.
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
};

/// Lists and opens USB devices.
class UsbHost {
 public:
  virtual ~UsbHost() = default;
  /// Devices on the bus; throws Error(kTransport) if the host has no USB access at all.
  virtual std::vector<UsbDeviceInfo> ListDevices() = 0;
  /// Opens `device`; throws Error(kTransport) with a udev hint when permission is denied.
  virtual std::unique_ptr<UsbTransport> Open(const UsbDeviceInfo& device) = 0;
};

/// --probe VID:PID[:SERIAL].
struct UsbSelector {
  uint16_t vid = 0;
  uint16_t pid = 0;
  std::optional<std::string> serial;
};

/// Parses "2e8a:0003" or "2e8a:0003:E6614103E7" (hex VID and PID); throws Error(kUsage).
UsbSelector ParseUsbSelector(const std::string& text);

/// The one device that matches `selector` (if given) and one of `ids` (if `selector` is not
/// given). Throws Error(kTransport) naming what was looked for when nothing matches, and
/// Error(kUsage) listing the candidates with their --probe values when several match.
UsbDeviceInfo SelectUsbDevice(const std::vector<UsbDeviceInfo>& devices,
                              const std::vector<std::pair<uint16_t, uint16_t>>& ids,
                              const std::optional<UsbSelector>& selector, const std::string& what);

/// The first interface (alternate 0 unless `alternate` says otherwise) of `device` with this
/// class, or nullptr.
const UsbInterfaceInfo* FindUsbInterface(const UsbDeviceInfo& device, uint8_t interface_class,
                                         std::optional<uint8_t> subclass = std::nullopt);

}  // namespace tockctl::flasher
