// Reading one sysfs attribute file (idVendor, serial, bInterfaceNumber, ...): the one reader that
// device discovery and the tty identity lookup share.
#pragma once

#include <filesystem>
#include <string>

namespace tockctl::devices {

/// The first line of `dir`/`name` without trailing blanks and line ends; empty when the file is
/// missing or unreadable (sysfs leaves out attributes a device does not have).
std::string ReadSysfsAttribute(const std::filesystem::path& dir, const char* name);

}  // namespace tockctl::devices
