// What is plugged in: serial ports with their USB identity, and USB debug probes and bootloaders
// recognised by VID:PID (or a CMSIS-DAP interface name), read from Linux sysfs without opening
// any device. Also the serial port selection used by flashing (--serial, or the only match).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "devices/usb_device.h"

namespace tockctl::devices {

/// A serial port as the host sees it, with its USB identity when it has one.
struct SerialPortInfo {
  std::string path;  ///< "/dev/ttyACM0"
  std::optional<uint16_t> vid;
  std::optional<uint16_t> pid;
  std::string serial_number;  ///< USB iSerialNumber, empty if none.
  std::string manufacturer;
  std::string product;
  std::string driver;  ///< Kernel driver ("cdc_acm", "ftdi_sio"), empty if unknown.
};

/// Lists the host's serial ports (tests substitute a list of pseudo-terminals).
class SerialPortLister {
 public:
  virtual ~SerialPortLister() = default;
  /// Current ports; never throws for a host without ports (returns an empty list).
  virtual std::vector<SerialPortInfo> ListSerialPorts() = 0;
};

/// What a recognised USB device is.
enum class DeviceKind { kDebugProbe, kBootloader, kTockBoard, kUsbSerial, kDfuRunTime, kOther };

/// "debug probe", "bootloader", "Tock board", "USB serial", "DFU run-time", "other".
const char* DeviceKindName(DeviceKind kind);

/// An entry of the recognition table.
struct KnownDevice {
  DeviceKind kind = DeviceKind::kOther;
  std::string name;     ///< "SEGGER J-Link", "RP2040 in BOOTSEL mode", ...
  std::string methods;  ///< tockctl flash methods that use it ("jlink", "picoboot, uf2").
};

/// Recognises a device by VID:PID, a CMSIS-DAP interface, a DFU interface or a "Tock" product
/// string. A device known otherwise that also offers a DFU run-time interface says so in its name
/// and methods.
std::optional<KnownDevice> RecogniseUsbDevice(const UsbDeviceInfo& device);

/// True if `device` has a DFU-mode interface (class 0xFE, subclass 1, protocol 2; USB DFU 1.1).
bool HasDfuModeInterface(const UsbDeviceInfo& device);

/// The DFU run-time interface of `device` (class 0xFE, subclass 1, protocol 1: firmware that
/// detaches into DFU mode on DFU_DETACH), or nullptr.
const UsbInterfaceInfo* FindDfuRunTimeInterface(const UsbDeviceInfo& device);

/// True if `device` has a CMSIS-DAP v2 interface: name containing "CMSIS-DAP", class 0xFF, a bulk
/// OUT endpoint followed by a bulk IN one.
bool HasCmsisDapV2Interface(const UsbDeviceInfo& device);

/// Returns true if the current user may open `path` for reading and writing.
using AccessCheck = std::function<bool(const std::filesystem::path& path)>;

/// Reads devices from sysfs. `sys_root` and `dev_root` are "/sys" and "/dev" on a real host.
class SysfsDeviceScanner : public SerialPortLister {
 public:
  explicit SysfsDeviceScanner(std::filesystem::path sys_root = "/sys",
                              std::filesystem::path dev_root = "/dev",
                              AccessCheck access = nullptr);

  /// Serial ports backed by hardware: USB serial ports and UARTs, without the unused legacy
  /// 8250 slots (the empty ttyS ports most PCs show, whose sysfs "type" is 0).
  std::vector<SerialPortInfo> ListSerialPorts() override;
  /// False if the host shows no USB bus at all (no /sys/bus/usb, e.g. a container).
  bool UsbAvailable() const;
  /// USB devices other than root hubs, with interfaces; empty when !UsbAvailable().
  std::vector<UsbDeviceInfo> ListUsbDevices() const;
  /// The usbfs node of a device (/dev/bus/usb/001/005).
  std::filesystem::path UsbNode(const UsbDeviceInfo& device) const;
  /// True if the user can open `path` read-write.
  bool CanOpen(const std::filesystem::path& path) const;

 private:
  std::optional<UsbDeviceInfo> ReadUsbDevice(const std::filesystem::path& dir) const;

  std::filesystem::path sys_;
  std::filesystem::path dev_;
  AccessCheck access_;
};

struct DiscoveredPort {
  SerialPortInfo port;
  std::optional<KnownDevice> known;  ///< What the USB device behind it is, if recognised.
  bool accessible = true;
};

struct DiscoveredUsbDevice {
  UsbDeviceInfo device;
  KnownDevice known;
  std::string node;  ///< /dev/bus/usb/BBB/DDD
  bool accessible = true;
  bool cmsis_dap_v2 = false;
};

/// Everything `tockctl devices` shows.
struct DeviceReport {
  std::vector<DiscoveredPort> serial_ports;
  std::vector<DiscoveredUsbDevice> usb_devices;  ///< Recognised devices only.
  bool usb_available = true;
  bool permission_problem = false;
};

/// Scans serial ports and USB devices; never throws for a host without USB.
DeviceReport DiscoverDevices(SysfsDeviceScanner& scanner);

/// The report as JSON: {"serial_ports": [...], "usb_devices": [...], "usb_available": bool}.
nlohmann::ordered_json DeviceReportToJson(const DeviceReport& report);

/// The report for people: two tables, one line when USB is unavailable, and a udev hint when
/// something could not be opened.
std::string RenderDeviceReport(const DeviceReport& report);

/// The udev hint shown for permission problems.
std::string UdevHint();

/// The serial port to use: `requested` if given (an exact path; Error(kTransport) if it does not
/// exist), else the only port that looks like a Tock board or a USB serial adapter; several →
/// Error(kUsage) listing them for --serial; none → Error(kTransport).
std::string SelectSerialPort(const std::vector<SerialPortInfo>& ports,
                             const std::optional<std::string>& requested);

}  // namespace tockctl::devices
