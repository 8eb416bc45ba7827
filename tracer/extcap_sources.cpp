#include "tracer/extcap_sources.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/error.h"
#include "devices/qemu_instance.h"

namespace tockctl::tracer {
namespace {

bool ContainsNoCase(std::string haystack, std::string_view needle) {
  std::transform(haystack.begin(), haystack.end(), haystack.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return haystack.find(needle) != std::string::npos;
}

// Interface values keep to letters, digits, '.', '_' and '-' (Wireshark puts them in FIFO and
// preference names).
std::string ValueChars(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  }
  return out;
}

std::string TtyName(const devices::SerialPortInfo& port) {
  return std::filesystem::path(port.path).filename().string();
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    out += (out.empty() ? "" : ", ") + p;
  }
  return out;
}

ExtcapSource QemuSource(const RecordedQemu& qemu) {
  ExtcapSource s;
  s.kind = ExtcapSourceKind::kQemu;
  s.interface.value = std::string(kExtcapQemuValue);
  if (qemu.running) {
    s.interface.display =
        "tockctl: QEMU " + qemu.board + " (UART 127.0.0.1:" + std::to_string(qemu.uart_port) + ")";
  } else {
    s.interface.display = "tockctl: QEMU (" + qemu.note + "; start it with tockctl flash)";
  }
  return s;
}

std::string SerialDisplay(const devices::SerialPortInfo& port) {
  std::string usb = port.vid && port.pid ? "USB " + devices::UsbId(*port.vid, *port.pid) : "";
  std::string serial = port.serial_number.empty() ? "" : "serial " + port.serial_number;
  std::string details =
      Join({port.product.empty() ? port.manufacturer : port.product, usb, serial});
  return "tockctl: serial " + port.path + (details.empty() ? "" : " (" + details + ")");
}

// Named by USB serial number when the port has one, so the name survives re-enumeration as
// another ttyACM; by tty name otherwise, or when one device has several ports.
std::vector<ExtcapSource> SerialSources(const std::vector<devices::SerialPortInfo>& ports) {
  std::vector<std::string> ids;
  std::map<std::string, int> uses;
  for (const auto& p : ports) {
    ids.push_back(ValueChars(p.serial_number.empty() ? TtyName(p) : p.serial_number));
    ++uses[ids.back()];
  }
  std::vector<ExtcapSource> out;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string id = uses[ids[i]] > 1 ? ids[i] + "-" + ValueChars(TtyName(ports[i])) : ids[i];
    ExtcapSource s;
    s.kind = ExtcapSourceKind::kSerial;
    s.interface = {std::string(kExtcapSerialPrefix) + id, SerialDisplay(ports[i])};
    s.serial_path = ports[i].path;
    out.push_back(std::move(s));
  }
  return out;
}

ExtcapSource UsbSource(const devices::UsbDeviceInfo& d) {
  ExtcapSource s;
  s.kind = ExtcapSourceKind::kUsb;
  std::string ids = devices::UsbId(d.vid, d.pid);
  std::replace(ids.begin(), ids.end(), ':', '-');
  s.interface.value = std::string(kExtcapUsbPrefix) + ids +
                      (d.serial_number.empty() ? "" : "-" + ValueChars(d.serial_number));
  std::string details = Join({d.product.empty() ? d.manufacturer : d.product,
                              d.serial_number.empty() ? "" : "serial " + d.serial_number});
  s.interface.display = "tockctl: USB " + devices::UsbId(d.vid, d.pid) +
                        (details.empty() ? "" : " " + details) + " (bus " + std::to_string(d.bus) +
                        ", address " + std::to_string(d.address) + ")";
  s.usb_selector = devices::UsbSelector{d.vid, d.pid, std::nullopt};
  if (!d.serial_number.empty()) s.usb_selector.serial = d.serial_number;
  return s;
}

}  // namespace

HostSourceInventory::HostSourceInventory(std::filesystem::path sys_root,
                                         std::filesystem::path dev_root,
                                         std::filesystem::path qemu_state_dir)
    : sys_root_(std::move(sys_root)),
      dev_root_(std::move(dev_root)),
      qemu_state_dir_(std::move(qemu_state_dir)) {}

RecordedQemu HostSourceInventory::Qemu() {
  RecordedQemu q;
  devices::QemuStatus status;
  try {
    status = devices::ReadQemuStatus(devices::QemuStateStore(qemu_state_dir_), devices::UnixNow());
  } catch (const Error&) {
    // The interface list must never fail; the capture itself reports the file's problem.
    q.note = "its state file is unreadable";
    return q;
  }
  if (!status.instance) {
    q.note = "not running";
  } else if (!status.alive) {
    q.note = "not running: pid " + std::to_string(status.instance->pid) + " has exited";
  } else {
    q.running = true;
    q.board = status.instance->board;
    q.uart_port = status.instance->uart_port;
  }
  return q;
}

std::vector<devices::SerialPortInfo> HostSourceInventory::SerialPorts() {
  return devices::SysfsDeviceScanner(sys_root_, dev_root_).ListSerialPorts();
}

std::vector<devices::UsbDeviceInfo> HostSourceInventory::UsbDevices() {
  return devices::SysfsDeviceScanner(sys_root_, dev_root_).ListUsbDevices();
}

std::optional<ExtcapSourceKind> ExtcapKindOf(std::string_view value) {
  auto has_suffix_after = [&](std::string_view prefix) {
    return value.size() > prefix.size() && value.substr(0, prefix.size()) == prefix;
  };
  if (value == kExtcapQemuValue) return ExtcapSourceKind::kQemu;
  if (has_suffix_after(kExtcapSerialPrefix)) return ExtcapSourceKind::kSerial;
  if (has_suffix_after(kExtcapUsbPrefix)) return ExtcapSourceKind::kUsb;
  return std::nullopt;
}

bool HasUsbTraceInterface(const devices::UsbDeviceInfo& device) {
  return std::any_of(device.interfaces.begin(), device.interfaces.end(), [](const auto& itf) {
    return itf.interface_class == 0xff && ContainsNoCase(itf.name, "trace") &&
           std::any_of(itf.endpoints.begin(), itf.endpoints.end(),
                       [](const auto& ep) { return ep.is_bulk() && ep.is_in(); });
  });
}

std::vector<ExtcapSource> ListExtcapSources(SourceInventory& inventory) {
  std::vector<ExtcapSource> out{QemuSource(inventory.Qemu())};
  auto ports = inventory.SerialPorts();
  std::sort(ports.begin(), ports.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  for (auto& s : SerialSources(ports)) out.push_back(std::move(s));
  auto devices = inventory.UsbDevices();
  std::sort(devices.begin(), devices.end(), [](const auto& a, const auto& b) {
    return std::pair(a.bus, a.address) < std::pair(b.bus, b.address);
  });
  for (const auto& d : devices) {
    if (HasUsbTraceInterface(d)) out.push_back(UsbSource(d));
  }
  return out;
}

}  // namespace tockctl::tracer
