#include "devices/tty_usb_identity.h"

#include <algorithm>
#include <system_error>

#include "common/error.h"
#include "devices/device_context.h"
#include "devices/sysfs_attribute.h"

namespace tockctl::devices {

namespace fs = std::filesystem;

namespace {

// How far above a tty's `device` link the USB interface and device directories may be
// (ttyACM: device = interface; ttyUSB: device = usb-serial port below the interface).
constexpr int kMaxSysfsLevels = 4;

// The nearest directory at or above `start` that contains `marker`.
std::optional<fs::path> AncestorWith(fs::path start, const char* marker) {
  std::error_code ec;
  for (int i = 0; i < kMaxSysfsLevels && start.has_relative_path(); ++i) {
    if (fs::exists(start / marker, ec)) return start;
    start = start.parent_path();
  }
  return std::nullopt;
}

// The identity of tty `name`, with an empty serial when the USB device has none.
std::optional<TtyUsbIdentity> ReadTtyUsbIdentity(const fs::path& sysfs_root,
                                                 const std::string& name) {
  std::error_code ec;
  fs::path device = fs::canonical(sysfs_root / "class" / "tty" / name / "device", ec);
  if (ec) return std::nullopt;
  auto interface = AncestorWith(device, "bInterfaceNumber");
  auto usb_device = AncestorWith(device, "idVendor");
  if (!interface || !usb_device) return std::nullopt;
  return TtyUsbIdentity{ReadSysfsAttribute(*usb_device, "idVendor"),
                        ReadSysfsAttribute(*usb_device, "idProduct"),
                        ReadSysfsAttribute(*usb_device, "serial"),
                        ReadSysfsAttribute(*interface, "bInterfaceNumber")};
}

// A sysfs id ("6667", "000a") as a number; -1 when it is not hexadecimal.
long HexId(const std::string& text) {
  if (text.empty() || text.size() > 4 ||
      text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return -1;
  return std::stol(text, nullptr, 16);
}

bool Matches(const TtyUsbIdentity& id, const UsbSelector& selector) {
  return HexId(id.vendor_id) == selector.vid && HexId(id.product_id) == selector.pid &&
         (!selector.serial || id.serial == *selector.serial);
}

}  // namespace

std::string TtyNameOf(const fs::path& sysfs_root, const fs::path& path) {
  std::error_code ec;
  fs::path classes = sysfs_root / "class" / "tty";
  if (fs::exists(classes / path.filename(), ec)) return path.filename().string();
  fs::path target = fs::canonical(path, ec);
  if (ec) return {};
  return target.filename().string();
}

std::optional<TtyUsbIdentity> LookUpTtyUsbIdentity(const fs::path& sysfs_root,
                                                   const std::string& name) {
  std::optional<TtyUsbIdentity> id = ReadTtyUsbIdentity(sysfs_root, name);
  if (!id || id->serial.empty()) return std::nullopt;
  return id;
}

std::optional<std::string> FindTtyByUsbIdentity(const fs::path& sysfs_root,
                                                const TtyUsbIdentity& identity) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sysfs_root / "class" / "tty", ec)) {
    std::string name = entry.path().filename().string();
    if (LookUpTtyUsbIdentity(sysfs_root, name) == identity) return name;
  }
  return std::nullopt;
}

std::optional<UsbSelector> PortAsUsbSelector(const std::string& port) {
  if (port.find('/') != std::string::npos) return std::nullopt;
  try {
    return ParseUsbSelector(port);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::vector<std::string> FindTtysByUsbSelector(const fs::path& sysfs_root,
                                               const UsbSelector& selector) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sysfs_root / "class" / "tty", ec)) {
    std::string name = entry.path().filename().string();
    std::optional<TtyUsbIdentity> id = ReadTtyUsbIdentity(sysfs_root, name);
    if (id && Matches(*id, selector)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<fs::path> FindUsbSerialPort(const fs::path& sysfs_root, const fs::path& dev_dir,
                                          const UsbSelector& selector) {
  std::vector<std::string> names = FindTtysByUsbSelector(sysfs_root, selector);
  if (names.empty()) return std::nullopt;
  if (names.size() == 1) return dev_dir / names[0];
  std::string ports;
  for (const std::string& name : names)
    ports += (ports.empty() ? "" : ", ") + (dev_dir / name).string();
  throw Error(ErrorCategory::kUsage,
              "USB device " + selector.ToString() + " has several serial ports: " + ports,
              DeviceContext(selector.ToString(), "find serial port"),
              "give the port's path, or VID:PID:SERIAL to pick one device (tockctl devices "
              "lists them)");
}

}  // namespace tockctl::devices
