// The trace sources tockctl offers Wireshark as extcap capture interfaces: the QEMU that
// `tockctl flash` started, each serial port, and each USB device with a trace interface. Their
// interface values are stable names (docs/extcap.md), so Wireshark's saved options stay with a
// board when it is plugged in again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/device_discovery.h"
#include "devices/usb_device.h"
#include "tracer/extcap_format.h"

namespace tockctl::tracer {

/// What kind of trace source an extcap interface reads.
enum class ExtcapSourceKind { kQemu, kSerial, kUsb };

/// One trace source, as one Wireshark capture interface.
struct ExtcapSource {
  ExtcapSourceKind kind = ExtcapSourceKind::kQemu;
  ExtcapInterface interface;
  std::filesystem::path serial_path;  ///< kSerial: "/dev/ttyACM0".
  devices::UsbSelector usb_selector;  ///< kUsb: 6667:0001:SERIAL, as for `tockctl trace --usb`.
};

/// The QEMU recorded by `tockctl flash`, as far as the interface list needs it.
struct RecordedQemu {
  bool running = false;
  std::string board;
  uint16_t uart_port = 0;
  std::string note;  ///< When not running: why ("not running", "its state file is unreadable").
};

/// What this host has attached. Implementations never throw.
class SourceInventory {
 public:
  virtual ~SourceInventory() = default;
  virtual RecordedQemu Qemu() = 0;
  virtual std::vector<devices::SerialPortInfo> SerialPorts() = 0;
  virtual std::vector<devices::UsbDeviceInfo> UsbDevices() = 0;
};

/// The real host: serial ports and USB devices from sysfs (`sys_root`, `dev_root`), the QEMU from
/// the state file in `qemu_state_dir`.
class HostSourceInventory : public SourceInventory {
 public:
  HostSourceInventory(std::filesystem::path sys_root, std::filesystem::path dev_root,
                      std::filesystem::path qemu_state_dir);
  RecordedQemu Qemu() override;
  std::vector<devices::SerialPortInfo> SerialPorts() override;
  std::vector<devices::UsbDeviceInfo> UsbDevices() override;

 private:
  std::filesystem::path sys_root_;
  std::filesystem::path dev_root_;
  std::filesystem::path qemu_state_dir_;
};

inline constexpr std::string_view kExtcapQemuValue = "tockctl-qemu";
inline constexpr std::string_view kExtcapSerialPrefix = "tockctl-serial-";
inline constexpr std::string_view kExtcapUsbPrefix = "tockctl-usb-";

/// The kind of source an interface value names (by its prefix); nullopt if it is not tockctl's.
std::optional<ExtcapSourceKind> ExtcapKindOf(std::string_view value);

/// Every source there is to capture from, in a stable order: the QEMU (always listed; its display
/// text says whether it runs), serial ports by path, USB trace devices by bus and address.
std::vector<ExtcapSource> ListExtcapSources(SourceInventory& inventory);

/// True if `device` has a trace interface: vendor-specific class (0xff), "trace" in its name (any
/// case) and a bulk IN endpoint, the interface `tockctl trace --usb` reads.
bool HasUsbTraceInterface(const devices::UsbDeviceInfo& device);

}  // namespace tockctl::tracer
