#include "devices/usb_selector.h"

#include <charconv>
#include <cstdio>

#include "common/error.h"

namespace tockctl::devices {

namespace {

Error SelectorUsage(std::string_view text, const std::string& what) {
  return Error(ErrorCategory::kUsage, "invalid USB selector '" + std::string(text) + "': " + what,
               {},
               "expected VID:PID[:SERIAL] with hexadecimal ids, e.g. 1209:0001 or "
               "2e8a:000a:E6616407E3");
}

uint16_t ParseUsbId(std::string_view text, std::string_view id, const char* which) {
  std::string_view digits = id;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
  if (digits.empty() || digits.size() > 4 || ec != std::errc() ||
      end != digits.data() + digits.size()) {
    throw SelectorUsage(text, std::string("the ") + which + " '" + std::string(id) +
                                  "' is not 1 to 4 hexadecimal digits");
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string UsbSelector::ToString() const {
  char ids[10];
  std::snprintf(ids, sizeof(ids), "%04x:%04x", vid, pid);
  return serial ? std::string(ids) + ":" + *serial : std::string(ids);
}

UsbSelector ParseUsbSelector(std::string_view text) {
  size_t first = text.find(':');
  if (first == std::string_view::npos) throw SelectorUsage(text, "the product id is missing");
  size_t second = text.find(':', first + 1);
  UsbSelector out;
  out.vid = ParseUsbId(text, text.substr(0, first), "vendor id");
  out.pid = ParseUsbId(text, text.substr(first + 1, second - first - 1), "product id");
  if (second != std::string_view::npos) {
    out.serial = std::string(text.substr(second + 1));
    if (out.serial->empty()) throw SelectorUsage(text, "the serial number after ':' is empty");
  }
  return out;
}

}  // namespace tockctl::devices
