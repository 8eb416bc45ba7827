#include "flasher/usb_transport.h"

#include <spdlog/fmt/fmt.h>

#include "common/error.h"
#include "flasher/method_settings.h"

namespace tockctl::flasher {

std::string UsbId(uint16_t vid, uint16_t pid) { return fmt::format("{:04x}:{:04x}", vid, pid); }

std::string DescribeUsbDevice(const UsbDeviceInfo& device) {
  return fmt::format("{} (bus {} device {})", UsbId(device.vid, device.pid), device.bus,
                     device.address);
}

UsbSelector ParseUsbSelector(const std::string& text) {
  auto fail = [&] {
    return Error(ErrorCategory::kUsage, "--probe \"" + text + "\" is not VID:PID[:SERIAL]",
                 ErrorContext{},
                 "write it like 2e8a:0003 or 2e8a:0003:E6614103E7 (hex VID and PID)");
  };
  if (text.size() < 9 || text[4] != ':' || (text.size() > 9 && text[9] != ':')) throw fail();
  auto vid = ParseUnsigned("0x" + text.substr(0, 4));
  auto pid = ParseUnsigned("0x" + text.substr(5, 4));
  if (!vid || !pid) throw fail();
  UsbSelector s{static_cast<uint16_t>(*vid), static_cast<uint16_t>(*pid), std::nullopt};
  if (text.size() > 10)
    s.serial = text.substr(10);
  else if (text.size() == 10)
    throw fail();
  return s;
}

namespace {

bool Matches(const UsbDeviceInfo& d, const std::vector<std::pair<uint16_t, uint16_t>>& ids,
             const std::optional<UsbSelector>& selector) {
  if (selector)
    return d.vid == selector->vid && d.pid == selector->pid &&
           (!selector->serial || d.serial_number == *selector->serial);
  for (const auto& [vid, pid] : ids)
    if (d.vid == vid && d.pid == pid) return true;
  return false;
}

std::string ProbeValue(const UsbDeviceInfo& d) {
  std::string v = UsbId(d.vid, d.pid);
  if (!d.serial_number.empty()) v += ":" + d.serial_number;
  return v;
}

}  // namespace

UsbDeviceInfo SelectUsbDevice(const std::vector<UsbDeviceInfo>& devices,
                              const std::vector<std::pair<uint16_t, uint16_t>>& ids,
                              const std::optional<UsbSelector>& selector, const std::string& what) {
  std::vector<const UsbDeviceInfo*> found;
  for (const auto& d : devices)
    if (Matches(d, ids, selector)) found.push_back(&d);
  if (found.size() == 1) return *found.front();
  if (found.empty()) {
    std::string wanted;
    if (selector) {
      wanted =
          UsbId(selector->vid, selector->pid) + (selector->serial ? ":" + *selector->serial : "");
    } else {
      for (const auto& [vid, pid] : ids) wanted += (wanted.empty() ? "" : " or ") + UsbId(vid, pid);
    }
    throw Error(ErrorCategory::kTransport, "no " + what + " (" + wanted + ") is connected",
                ErrorContext{},
                "connect it (for BOOTSEL or DFU mode hold the boot button while plugging in) and "
                "check `tockctl devices`");
  }
  std::string list;
  for (const auto* d : found) list += (list.empty() ? "" : ", ") + ("--probe " + ProbeValue(*d));
  throw Error(ErrorCategory::kUsage,
              fmt::format("{} devices match the {}; choose one", found.size(), what),
              ErrorContext{}, "pass one of: " + list);
}

const UsbInterfaceInfo* FindUsbInterface(const UsbDeviceInfo& device, uint8_t interface_class,
                                         std::optional<uint8_t> subclass) {
  for (const auto& i : device.interfaces)
    if (i.interface_class == interface_class && (!subclass || i.interface_subclass == *subclass))
      return &i;
  return nullptr;
}

}  // namespace tockctl::flasher
