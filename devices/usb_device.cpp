#include "devices/usb_device.h"

#include <spdlog/fmt/fmt.h>

#include <filesystem>

#include "common/error.h"

namespace tockctl::devices {

std::string UsbId(uint16_t vid, uint16_t pid) { return fmt::format("{:04x}:{:04x}", vid, pid); }

std::string DescribeUsbDevice(const UsbDeviceInfo& device) {
  return fmt::format("{} (bus {} device {})", UsbId(device.vid, device.pid), device.bus,
                     device.address);
}

UsbResult UsbTransport::SubmitBulkIn(size_t /*slot*/, uint8_t /*endpoint*/, size_t /*length*/) {
  return {UsbStatus::kError, 0, "LIBUSB_ERROR_NOT_SUPPORTED"};
}

UsbResult UsbTransport::HandleEvents(std::chrono::milliseconds /*timeout*/,
                                     std::vector<UsbCompletion>* /*done*/) {
  return {};
}

UsbResult UsbTransport::ResetDevice() { return {UsbStatus::kError, 0, "reset not supported"}; }

UsbResult UsbHost::TryOpen(const UsbDeviceInfo& device, std::unique_ptr<UsbTransport>* opened) {
  try {
    *opened = Open(device);
    return {};
  } catch (const Error& e) {
    return {UsbStatus::kError, 0, e.message()};
  }
}

std::string UsbAccessProblem() {
  std::error_code ec;
  if (!std::filesystem::exists("/dev/bus/usb", ec)) return "/dev/bus/usb is missing";
  return {};
}

std::string UsbUdevHint(uint16_t vid, uint16_t pid) {
  return "allow access with a udev rule such as: " +
         fmt::format(
             "SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{:04x}\", "
             "ATTR{{idProduct}}==\"{:04x}\", TAG+=\"uaccess\"",
             vid, pid) +
         " (tockctl ships udev/60-tockctl.rules: sudo cp udev/60-tockctl.rules "
         "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm trigger), "
         "then replug the device";
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
  for (const auto* d : found) list += (list.empty() ? "" : ", ") + ("--usb " + ProbeValue(*d));
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

}  // namespace tockctl::devices
