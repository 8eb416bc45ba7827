// The one grammar for naming a USB device on the command line: VID:PID[:SERIAL], used by
// `trace --usb`, `flash --usb`, extcap and the board files' USB ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tockctl::devices {

/// A USB device chosen by vendor id, product id and optionally its serial number string.
struct UsbSelector {
  uint16_t vid = 0;
  uint16_t pid = 0;
  std::optional<std::string> serial;  ///< Unset: any serial number.

  /// "1209:0001" or "1209:0001:SERIAL" (ids as 4 lowercase hex digits).
  std::string ToString() const;
  bool operator==(const UsbSelector&) const = default;
};

/// Parses VID:PID[:SERIAL] with hexadecimal ids of 1 to 4 digits, each with or without 0x
/// ("1209:0001", "0x2e8a:0xa:E6616407E3"); everything after the second ':' is the serial.
/// Throws Error(kUsage) saying what is wrong and showing the expected form.
UsbSelector ParseUsbSelector(std::string_view text);

}  // namespace tockctl::devices
