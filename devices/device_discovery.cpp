#include "devices/device_discovery.h"

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/error.h"
#include "common/text_table.h"
#include "devices/device_context.h"
#include "devices/sysfs_attribute.h"
#include "devices/tty_usb_identity.h"

namespace tockctl::devices {
namespace fs = std::filesystem;
namespace {

struct IdEntry {
  uint16_t vid;
  int pid;  // -1: any product of the vendor
  DeviceKind kind;
  const char* name;
  const char* methods;
};

// Checked in order: exact VID:PID entries before vendor-wide ones.
constexpr IdEntry kKnownIds[] = {
    {0x2e8a, 0x0003, DeviceKind::kBootloader, "RP2040 in BOOTSEL mode", "picoboot, uf2"},
    {0x2e8a, 0x000f, DeviceKind::kBootloader, "RP2350 in BOOTSEL mode", "picoboot, uf2"},
    {0x2e8a, 0x000c, DeviceKind::kDebugProbe, "Raspberry Pi Debug Probe (CMSIS-DAP)",
     "openocd, probe-rs"},
    {0x2e8a, 0x000a, DeviceKind::kTockBoard, "RP2040 running firmware with USB serial",
     "tock-bootloader"},
    {0x2e8a, 0x0009, DeviceKind::kTockBoard, "RP2350 running firmware with USB serial",
     "tock-bootloader"},
    {0x0483, 0xdf11, DeviceKind::kBootloader, "STM32 system bootloader (DFU)", "dfu"},
    {0x0483, 0x3748, DeviceKind::kDebugProbe, "ST-LINK/V2", "openocd, probe-rs"},
    {0x0483, 0x374b, DeviceKind::kDebugProbe, "ST-LINK/V2-1", "openocd, probe-rs"},
    {0x0483, 0x374e, DeviceKind::kDebugProbe, "ST-LINK/V3", "openocd, probe-rs"},
    {0x0483, 0x374f, DeviceKind::kDebugProbe, "ST-LINK/V3", "openocd, probe-rs"},
    {0x0483, 0x3753, DeviceKind::kDebugProbe, "ST-LINK/V3", "openocd, probe-rs"},
    {0x1d50, 0x6018, DeviceKind::kDebugProbe, "Black Magic Probe", "gdb"},
    {0x0d28, 0x0204, DeviceKind::kDebugProbe, "Arm DAPLink (CMSIS-DAP)", "openocd, probe-rs"},
    {0x1915, 0x521f, DeviceKind::kBootloader, "nRF52840 Dongle (Nordic open DFU bootloader)",
     "none (use nrfutil dfu)"},
    {0x0403, 0x6010, DeviceKind::kDebugProbe, "FTDI FT2232 (JTAG or serial)", "openocd"},
    {0x0403, 0x6014, DeviceKind::kDebugProbe, "FTDI FT232H (JTAG or serial)", "openocd"},
    {0x0403, 0x6001, DeviceKind::kUsbSerial, "FTDI FT232R USB serial", "tock-bootloader"},
    {0x0403, 0x6015, DeviceKind::kUsbSerial, "FTDI FT231X USB serial", "tock-bootloader"},
    {0x10c4, 0xea60, DeviceKind::kUsbSerial, "Silicon Labs CP210x USB serial", "tock-bootloader"},
    {0x1366, -1, DeviceKind::kDebugProbe, "SEGGER J-Link", "jlink"},
    {0x6667, -1, DeviceKind::kTockBoard, "Tock board (USB)", "tock-bootloader"},
};

// A sysfs number (hex for ids and interface numbers, decimal for bus numbers), or nothing.
std::optional<uint64_t> NumberAttr(const fs::path& dir, const char* name, int base) {
  std::string text = ReadSysfsAttribute(dir, name);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint16_t> HexAttr(const fs::path& dir, const char* name) {
  auto v = NumberAttr(dir, name, 16);
  if (!v || *v > 0xFFFF) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

uint8_t ByteAttr(const fs::path& dir, const char* name, bool hex) {
  auto v = NumberAttr(dir, name, hex ? 16 : 10);
  return v && *v <= 0xFF ? static_cast<uint8_t>(*v) : 0;
}

bool Contains(std::string haystack, std::string needle) {
  std::transform(haystack.begin(), haystack.end(), haystack.begin(), ::tolower);
  std::transform(needle.begin(), needle.end(), needle.begin(), ::tolower);
  return haystack.find(needle) != std::string::npos;
}

std::vector<UsbEndpointInfo> ReadEndpoints(const fs::path& itf) {
  std::vector<UsbEndpointInfo> eps;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(itf, ec))
    if (e.path().filename().string().rfind("ep_", 0) == 0) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) {
    UsbEndpointInfo ep;
    ep.address = ByteAttr(d, "bEndpointAddress", true);
    ep.attributes = ByteAttr(d, "bmAttributes", true);
    eps.push_back(ep);
  }
  // Endpoint order as the descriptor gives it is lost in sysfs; OUT before IN is the convention.
  std::stable_sort(eps.begin(), eps.end(),
                   [](const auto& a, const auto& b) { return !a.is_in() && b.is_in(); });
  return eps;
}

// The USB device directory above a tty's device link (the first ancestor with idVendor).
std::optional<fs::path> UsbAncestor(fs::path p) {
  for (int depth = 0; depth < 6 && !p.empty() && p != p.root_path(); ++depth, p = p.parent_path())
    if (fs::exists(p / "idVendor")) return p;
  return std::nullopt;
}

}  // namespace

const char* DeviceKindName(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kDebugProbe:
      return "debug probe";
    case DeviceKind::kBootloader:
      return "bootloader";
    case DeviceKind::kTockBoard:
      return "Tock board";
    case DeviceKind::kUsbSerial:
      return "USB serial";
    case DeviceKind::kDfuRunTime:
      return "DFU run-time";
    case DeviceKind::kOther:
      return "other";
  }
  return "other";
}

bool HasCmsisDapV2Interface(const UsbDeviceInfo& device) {
  for (const auto& itf : device.interfaces) {
    if (itf.interface_class != 0xFF || !Contains(itf.name, "CMSIS-DAP")) continue;
    auto out = std::find_if(itf.endpoints.begin(), itf.endpoints.end(),
                            [](const auto& e) { return e.is_bulk() && !e.is_in(); });
    if (out == itf.endpoints.end()) continue;
    if (std::any_of(out + 1, itf.endpoints.end(),
                    [](const auto& e) { return e.is_bulk() && e.is_in(); }))
      return true;
  }
  return false;
}

// A DFU-mode interface: class 0xFE (application specific), subclass 1, protocol 2 (USB DFU 1.1,
// 4.2.3); protocol 1 is the run-time interface of firmware that can detach into DFU mode.
bool HasDfuModeInterface(const UsbDeviceInfo& device) {
  return std::any_of(device.interfaces.begin(), device.interfaces.end(), [](const auto& itf) {
    return itf.interface_class == 0xFE && itf.interface_subclass == 0x01 &&
           itf.interface_protocol == 0x02;
  });
}

const UsbInterfaceInfo* FindDfuRunTimeInterface(const UsbDeviceInfo& device) {
  for (const auto& itf : device.interfaces)
    if (itf.interface_class == 0xFE && itf.interface_subclass == 0x01 &&
        itf.interface_protocol == 0x01)
      return &itf;
  return nullptr;
}

namespace {

std::optional<KnownDevice> RecogniseByIdOrInterfaces(const UsbDeviceInfo& device) {
  for (const auto& e : kKnownIds)
    if (e.vid == device.vid && (e.pid < 0 || e.pid == device.pid))
      return KnownDevice{e.kind, e.name, e.methods};
  if (HasCmsisDapV2Interface(device))
    return KnownDevice{DeviceKind::kDebugProbe, "CMSIS-DAP v2 probe", "openocd, probe-rs"};
  for (const auto& itf : device.interfaces)
    if (Contains(itf.name, "CMSIS-DAP"))
      return KnownDevice{DeviceKind::kDebugProbe, "CMSIS-DAP v1 (HID) probe", "openocd, probe-rs"};
  if (HasDfuModeInterface(device))
    return KnownDevice{DeviceKind::kBootloader, "USB DFU device", "dfu"};
  if (Contains(device.product, "tock") || Contains(device.manufacturer, "tock"))
    return KnownDevice{DeviceKind::kTockBoard, "Tock board (USB)", "tock-bootloader"};
  return std::nullopt;
}

}  // namespace

std::optional<KnownDevice> RecogniseUsbDevice(const UsbDeviceInfo& device) {
  std::optional<KnownDevice> known = RecogniseByIdOrInterfaces(device);
  if (!FindDfuRunTimeInterface(device) || HasDfuModeInterface(device)) return known;
  if (!known)
    return KnownDevice{DeviceKind::kDfuRunTime, "USB device that detaches into DFU mode", "dfu"};
  known->name += " (detaches into DFU mode)";
  known->methods += ", dfu";
  return known;
}

SysfsDeviceScanner::SysfsDeviceScanner(fs::path sys_root, fs::path dev_root, AccessCheck access)
    : sys_(std::move(sys_root)), dev_(std::move(dev_root)), access_(std::move(access)) {
  if (!access_) access_ = [](const fs::path& p) { return ::access(p.c_str(), R_OK | W_OK) == 0; };
}

bool SysfsDeviceScanner::CanOpen(const fs::path& path) const { return access_(path); }

bool SysfsDeviceScanner::UsbAvailable() const {
  std::error_code ec;
  return fs::is_directory(sys_ / "bus" / "usb" / "devices", ec);
}

fs::path SysfsDeviceScanner::UsbNode(const UsbDeviceInfo& device) const {
  return dev_ / "bus" / "usb" / fmt::format("{:03}", device.bus) /
         fmt::format("{:03}", device.address);
}

std::optional<UsbDeviceInfo> SysfsDeviceScanner::ReadUsbDevice(const fs::path& dir) const {
  auto vid = HexAttr(dir, "idVendor");
  auto pid = HexAttr(dir, "idProduct");
  if (!vid || !pid) return std::nullopt;
  UsbDeviceInfo d;
  d.vid = *vid;
  d.pid = *pid;
  d.bus = ByteAttr(dir, "busnum", false);
  d.address = ByteAttr(dir, "devnum", false);
  d.port_path = dir.filename().string();
  d.serial_number = ReadSysfsAttribute(dir, "serial");
  d.manufacturer = ReadSysfsAttribute(dir, "manufacturer");
  d.product = ReadSysfsAttribute(dir, "product");
  std::error_code ec;
  std::vector<fs::path> itfs;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().find(':') != std::string::npos) itfs.push_back(e.path());
  std::sort(itfs.begin(), itfs.end());
  for (const auto& p : itfs) {
    UsbInterfaceInfo itf;
    itf.number = ByteAttr(p, "bInterfaceNumber", true);
    itf.alternate = ByteAttr(p, "bAlternateSetting", false);
    itf.interface_class = ByteAttr(p, "bInterfaceClass", true);
    itf.interface_subclass = ByteAttr(p, "bInterfaceSubClass", true);
    itf.interface_protocol = ByteAttr(p, "bInterfaceProtocol", true);
    itf.name = ReadSysfsAttribute(p, "interface");
    itf.endpoints = ReadEndpoints(p);
    d.interfaces.push_back(std::move(itf));
  }
  return d;
}

std::vector<UsbDeviceInfo> SysfsDeviceScanner::ListUsbDevices() const {
  std::vector<UsbDeviceInfo> out;
  if (!UsbAvailable()) return out;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(sys_ / "bus" / "usb" / "devices", ec)) {
    std::string name = e.path().filename().string();
    if (name.find(':') == std::string::npos && name.rfind("usb", 0) != 0) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs)
    if (auto dev = ReadUsbDevice(d)) out.push_back(std::move(*dev));
  return out;
}

std::vector<SerialPortInfo> SysfsDeviceScanner::ListSerialPorts() {
  std::vector<SerialPortInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(sys_ / "class" / "tty", ec)) {
    fs::path device = e.path() / "device";
    if (!fs::exists(device, ec)) continue;  // virtual terminals and ptys have no device
    fs::path real = fs::canonical(device, ec);
    if (ec) continue;
    SerialPortInfo info;
    info.path = (dev_ / e.path().filename()).string();
    fs::path driver = fs::read_symlink(device / "driver", ec);
    info.driver = ec ? "" : driver.filename().string();
    auto usb = UsbAncestor(real);
    // Legacy 8250 slots without a UART behind them report type 0 (PORT_UNKNOWN).
    if (!usb && ReadSysfsAttribute(e.path(), "type") == "0") continue;
    if (usb) {
      info.vid = HexAttr(*usb, "idVendor");
      info.pid = HexAttr(*usb, "idProduct");
      info.serial_number = ReadSysfsAttribute(*usb, "serial");
      info.manufacturer = ReadSysfsAttribute(*usb, "manufacturer");
      info.product = ReadSysfsAttribute(*usb, "product");
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

DeviceReport DiscoverDevices(SysfsDeviceScanner& scanner) {
  DeviceReport report;
  report.usb_available = scanner.UsbAvailable();
  for (auto& port : scanner.ListSerialPorts()) {
    DiscoveredPort p;
    p.accessible = scanner.CanOpen(port.path);
    if (port.vid && port.pid) {
      UsbDeviceInfo d;
      d.vid = *port.vid;
      d.pid = *port.pid;
      d.product = port.product;
      d.manufacturer = port.manufacturer;
      p.known = RecogniseUsbDevice(d);
    }
    p.port = std::move(port);
    report.permission_problem |= !p.accessible;
    report.serial_ports.push_back(std::move(p));
  }
  for (auto& dev : scanner.ListUsbDevices()) {
    auto known = RecogniseUsbDevice(dev);
    if (!known) continue;
    DiscoveredUsbDevice d;
    d.node = scanner.UsbNode(dev).string();
    d.accessible = scanner.CanOpen(d.node);
    d.cmsis_dap_v2 = HasCmsisDapV2Interface(dev);
    d.known = *known;
    d.device = std::move(dev);
    report.permission_problem |= !d.accessible;
    report.usb_devices.push_back(std::move(d));
  }
  return report;
}

std::string UdevHint() {
  return "to fix permissions install the udev rules: sudo cp udev/60-tockctl.rules "
         "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm trigger, then "
         "replug the device (serial ports also need your user in the dialout group)";
}

nlohmann::ordered_json DeviceReportToJson(const DeviceReport& report) {
  nlohmann::ordered_json ports = nlohmann::ordered_json::array();
  for (const auto& p : report.serial_ports) {
    nlohmann::ordered_json j;
    j["path"] = p.port.path;
    j["vid_pid"] = p.port.vid && p.port.pid
                       ? nlohmann::ordered_json(UsbId(*p.port.vid, *p.port.pid))
                       : nlohmann::ordered_json(nullptr);
    j["serial_number"] = p.port.serial_number;
    j["manufacturer"] = p.port.manufacturer;
    j["product"] = p.port.product;
    j["driver"] = p.port.driver;
    j["known_as"] =
        p.known ? nlohmann::ordered_json(p.known->name) : nlohmann::ordered_json(nullptr);
    j["accessible"] = p.accessible;
    ports.push_back(j);
  }
  nlohmann::ordered_json usb = nlohmann::ordered_json::array();
  for (const auto& d : report.usb_devices) {
    nlohmann::ordered_json j;
    j["vid_pid"] = UsbId(d.device.vid, d.device.pid);
    j["serial_number"] = d.device.serial_number;
    j["probe"] = UsbId(d.device.vid, d.device.pid) +
                 (d.device.serial_number.empty() ? "" : ":" + d.device.serial_number);
    j["kind"] = DeviceKindName(d.known.kind);
    j["name"] = d.known.name;
    j["methods"] = d.known.methods;
    j["manufacturer"] = d.device.manufacturer;
    j["product"] = d.device.product;
    j["bus"] = d.device.bus;
    j["address"] = d.device.address;
    j["node"] = d.node;
    j["cmsis_dap_v2"] = d.cmsis_dap_v2;
    j["accessible"] = d.accessible;
    usb.push_back(j);
  }
  nlohmann::ordered_json out;
  out["serial_ports"] = ports;
  out["usb_devices"] = usb;
  out["usb_available"] = report.usb_available;
  return out;
}

namespace {

std::string Dash(const std::string& s) { return s.empty() ? "-" : PrintableText(s, 40); }

}  // namespace

std::string RenderDeviceReport(const DeviceReport& report) {
  std::string out;
  if (report.serial_ports.empty()) {
    out += "No serial ports.\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"PORT", "USB ID", "SERIAL", "PRODUCT", "NOTE"}};
    for (const auto& p : report.serial_ports) {
      std::string note = p.known ? p.known->name : "";
      if (!p.accessible) note += std::string(note.empty() ? "" : "; ") + "no permission";
      rows.push_back({p.port.path, p.port.vid && p.port.pid ? UsbId(*p.port.vid, *p.port.pid) : "-",
                      Dash(p.port.serial_number), Dash(p.port.product), Dash(note)});
    }
    out += RenderTextTable(rows);
  }
  out += "\n";
  if (!report.usb_available) {
    out +=
        "USB: this host shows no USB bus (no /sys/bus/usb); probes and bootloaders cannot be "
        "listed.\n";
  } else if (report.usb_devices.empty()) {
    out += "No known USB debug probes or bootloaders.\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"PROBE", "KIND", "NAME", "METHODS", "NOTE"}};
    for (const auto& d : report.usb_devices) {
      std::string probe =
          UsbId(d.device.vid, d.device.pid) +
          (d.device.serial_number.empty() ? "" : ":" + PrintableText(d.device.serial_number));
      std::string note = d.cmsis_dap_v2 ? "CMSIS-DAP v2" : "";
      if (!d.accessible) note += std::string(note.empty() ? "" : "; ") + "no permission";
      rows.push_back(
          {probe, DeviceKindName(d.known.kind), d.known.name, d.known.methods, Dash(note)});
    }
    out += RenderTextTable(rows);
  }
  if (report.permission_problem) out += "\n" + UdevHint() + "\n";
  return out;
}

namespace {

// The one port of `ports` that belongs to the USB device `selector` names.
std::string SerialPortOfUsbDevice(const std::vector<SerialPortInfo>& ports,
                                  const UsbSelector& selector) {
  std::vector<std::string> found;
  for (const auto& p : ports)
    if (p.vid == selector.vid && p.pid == selector.pid &&
        (!selector.serial || *selector.serial == p.serial_number))
      found.push_back(p.path);
  if (found.size() == 1) return found.front();
  if (found.empty())
    throw Error(ErrorCategory::kTransport,
                "no serial port belongs to USB device " + selector.ToString(), ErrorContext{},
                "is it plugged in, with its driver loaded? (list ports with: tockctl devices)");
  std::string list;
  for (const auto& path : found) list += (list.empty() ? "" : ", ") + path;
  throw Error(ErrorCategory::kUsage,
              "USB device " + selector.ToString() + " has several serial ports: " + list,
              ErrorContext{}, "give the port's path, or VID:PID:SERIAL");
}

}  // namespace

std::string SelectSerialPort(const std::vector<SerialPortInfo>& ports,
                             const std::optional<std::string>& requested) {
  if (requested && !fs::exists(*requested))
    if (auto selector = PortAsUsbSelector(*requested))
      return SerialPortOfUsbDevice(ports, *selector);
  if (requested) {
    std::error_code ec;
    if (!fs::exists(*requested, ec))
      throw Error(ErrorCategory::kTransport, "serial port " + *requested + " does not exist",
                  ErrorContext{}, "list ports with: tockctl devices");
    return *requested;
  }
  std::vector<const SerialPortInfo*> candidates;
  for (const auto& p : ports) {
    UsbDeviceInfo d;
    d.vid = p.vid.value_or(0);
    d.pid = p.pid.value_or(0);
    d.product = p.product;
    d.manufacturer = p.manufacturer;
    auto known = p.vid ? RecogniseUsbDevice(d) : std::nullopt;
    if (known && (known->kind == DeviceKind::kTockBoard || known->kind == DeviceKind::kUsbSerial))
      candidates.push_back(&p);
  }
  if (candidates.size() == 1) return candidates.front()->path;
  if (candidates.empty())
    throw Error(ErrorCategory::kTransport, "no serial port of a Tock board was found",
                ErrorContext{},
                "connect the board, or pass --serial (list ports with: tockctl devices)");
  std::string list;
  for (const auto* p : candidates) list += (list.empty() ? "" : ", ") + ("--serial " + p->path);
  throw Error(ErrorCategory::kUsage,
              fmt::format("{} serial ports could be the board; choose one", candidates.size()),
              ErrorContext{}, "pass one of: " + list);
}

}  // namespace tockctl::devices
