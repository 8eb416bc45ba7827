// Which USB device and interface a tty (ttyACM0, ttyUSB1) belongs to, read from sysfs, so a serial
// port that re-enumerates under another name (ttyACM0 -> ttyACM1) can be found again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "devices/usb_selector.h"

namespace tockctl::devices {

/// The USB identity of a tty: vendor/product ids, the device's serial number, and the interface.
struct TtyUsbIdentity {
  std::string vendor_id;         ///< "2e8a" (sysfs idVendor)
  std::string product_id;        ///< "000a" (sysfs idProduct)
  std::string serial;            ///< USB iSerialNumber string (sysfs serial)
  std::string interface_number;  ///< "00" (sysfs bInterfaceNumber)

  bool operator==(const TtyUsbIdentity&) const = default;
};

/// The tty name sysfs knows `path` by: its own file name if `sysfs_root`/class/tty has it (e.g.
/// /dev/ttyACM0), otherwise the name of what the path resolves to (/dev/serial/by-id/... ->
/// ttyACM0). Empty if neither exists.
std::string TtyNameOf(const std::filesystem::path& sysfs_root, const std::filesystem::path& path);

/// The identity of tty `name` under `sysfs_root` (normally "/sys"), or nothing when it is not a
/// USB device with a serial number (ptys, built-in UARTs, devices without iSerialNumber).
std::optional<TtyUsbIdentity> LookUpTtyUsbIdentity(const std::filesystem::path& sysfs_root,
                                                   const std::string& name);

/// The name of the tty that currently has `identity`, if any.
std::optional<std::string> FindTtyByUsbIdentity(const std::filesystem::path& sysfs_root,
                                                const TtyUsbIdentity& identity);

/// `port` read as a USB device instead of a path: a VID:PID[:SERIAL] selector ("6667:0002:TOCK1")
/// when it has no '/' and parses as one ("./6667:0002" is a file); nothing otherwise.
std::optional<UsbSelector> PortAsUsbSelector(const std::string& port);

/// The names of the ttys (ttyACM0, ...) whose USB device `selector` names, sorted.
std::vector<std::string> FindTtysByUsbSelector(const std::filesystem::path& sysfs_root,
                                               const UsbSelector& selector);

/// The node (`dev_dir`/ttyACM0) of the one tty of the USB device `selector` names; nothing when
/// no tty belongs to it. Throws Error(kUsage) listing the ports when several match.
std::optional<std::filesystem::path> FindUsbSerialPort(const std::filesystem::path& sysfs_root,
                                                       const std::filesystem::path& dev_dir,
                                                       const UsbSelector& selector);

}  // namespace tockctl::devices
