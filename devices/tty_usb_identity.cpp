#include "devices/tty_usb_identity.h"

#include <system_error>

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
  std::error_code ec;
  fs::path device = fs::canonical(sysfs_root / "class" / "tty" / name / "device", ec);
  if (ec) return std::nullopt;
  auto interface = AncestorWith(device, "bInterfaceNumber");
  auto usb_device = AncestorWith(device, "idVendor");
  if (!interface || !usb_device || !fs::exists(*usb_device / "serial", ec)) return std::nullopt;
  TtyUsbIdentity id{ReadSysfsAttribute(*usb_device, "idVendor"),
                    ReadSysfsAttribute(*usb_device, "idProduct"),
                    ReadSysfsAttribute(*usb_device, "serial"),
                    ReadSysfsAttribute(*interface, "bInterfaceNumber")};
  if (id.serial.empty()) return std::nullopt;
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

}  // namespace tockctl::devices
