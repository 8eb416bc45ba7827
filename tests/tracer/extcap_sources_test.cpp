// The interface list tockctl gives Wireshark: from an in-memory inventory, and from a small sysfs
// tree and QEMU state directory on disk for the real inventory.
#include "tracer/extcap_sources.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;

class FakeInventory : public SourceInventory {
 public:
  RecordedQemu Qemu() override { return qemu; }
  std::vector<devices::SerialPortInfo> SerialPorts() override { return ports; }
  std::vector<devices::UsbDeviceInfo> UsbDevices() override { return usb; }

  RecordedQemu qemu{false, "", 0, "not running"};
  std::vector<devices::SerialPortInfo> ports;
  std::vector<devices::UsbDeviceInfo> usb;
};

std::string Listing(SourceInventory& inventory) {
  std::vector<ExtcapInterface> interfaces;
  for (const auto& s : ListExtcapSources(inventory)) interfaces.push_back(s.interface);
  return RenderExtcapInterfaces(interfaces);
}

devices::SerialPortInfo Port(std::string path, std::string serial = "", std::string product = "") {
  devices::SerialPortInfo p;
  p.path = std::move(path);
  p.serial_number = std::move(serial);
  p.product = std::move(product);
  if (!p.serial_number.empty()) {
    p.vid = 0x6667;
    p.pid = 0x0001;
  }
  return p;
}

devices::UsbInterfaceInfo Interface(uint8_t number, uint8_t klass, std::string name,
                                    std::vector<devices::UsbEndpointInfo> endpoints) {
  devices::UsbInterfaceInfo i;
  i.number = number;
  i.interface_class = klass;
  i.name = std::move(name);
  i.endpoints = std::move(endpoints);
  return i;
}

const devices::UsbEndpointInfo kBulkIn{0x81, 0x02, 64};
const devices::UsbEndpointInfo kBulkOut{0x01, 0x02, 64};
const devices::UsbEndpointInfo kInterruptIn{0x82, 0x03, 8};

devices::UsbDeviceInfo TraceDevice(uint8_t address, std::string serial) {
  devices::UsbDeviceInfo d;
  d.vid = 0x6667;
  d.pid = 0x0001;
  d.bus = 1;
  d.address = address;
  d.serial_number = std::move(serial);
  d.product = "nrf52840dk";
  d.interfaces = {Interface(0, 0x02, "CDC ACM", {kInterruptIn}),
                  Interface(2, 0xff, "Tock Trace", {kBulkOut, kBulkIn})};
  return d;
}

TEST(ExtcapSources, WithoutHardwareOnlyTheQemuIsListedAndSaysItIsNotRunning) {
  FakeInventory inventory;
  EXPECT_EQ(Listing(inventory),
            "interface {value=tockctl-qemu}{display=tockctl: QEMU (not running; start it with "
            "tockctl flash)}\n");
}

TEST(ExtcapSources, ARunningQemuShowsItsBoardAndUart) {
  FakeInventory inventory;
  inventory.qemu = {true, "qemu_rv32_virt", 40123, ""};
  auto sources = ListExtcapSources(inventory);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].kind, ExtcapSourceKind::kQemu);
  EXPECT_EQ(sources[0].interface.display, "tockctl: QEMU qemu_rv32_virt (UART 127.0.0.1:40123)");
}

TEST(ExtcapSources, SerialPortsAreNamedBySerialNumberElseByTty) {
  FakeInventory inventory;
  inventory.ports = {Port("/dev/ttyUSB0"), Port("/dev/ttyACM1", "0123456789", "Tock nrf52840dk"),
                     Port("/dev/ttyS0")};
  EXPECT_EQ(Listing(inventory),
            "interface {value=tockctl-qemu}{display=tockctl: QEMU (not running; start it with "
            "tockctl flash)}\n"
            "interface {value=tockctl-serial-0123456789}{display=tockctl: serial /dev/ttyACM1 "
            "(Tock nrf52840dk, USB 6667:0001, serial 0123456789)}\n"
            "interface {value=tockctl-serial-ttyS0}{display=tockctl: serial /dev/ttyS0}\n"
            "interface {value=tockctl-serial-ttyUSB0}{display=tockctl: serial /dev/ttyUSB0}\n");
  auto sources = ListExtcapSources(inventory);
  EXPECT_EQ(sources[1].kind, ExtcapSourceKind::kSerial);
  EXPECT_EQ(sources[1].serial_path, "/dev/ttyACM1");
}

TEST(ExtcapSources, PortsOfOneDeviceAndOddSerialNumbersStayDistinctValues) {
  FakeInventory inventory;
  inventory.ports = {Port("/dev/ttyUSB0", "FT 2232/A"), Port("/dev/ttyUSB1", "FT 2232/A")};
  auto sources = ListExtcapSources(inventory);
  ASSERT_EQ(sources.size(), 3u);
  EXPECT_EQ(sources[1].interface.value, "tockctl-serial-FT_2232_A-ttyUSB0");
  EXPECT_EQ(sources[2].interface.value, "tockctl-serial-FT_2232_A-ttyUSB1");
  EXPECT_EQ(sources[2].interface.display,
            "tockctl: serial /dev/ttyUSB1 (USB 6667:0001, serial FT 2232/A)");
}

TEST(ExtcapSources, UsbDevicesWithATraceInterfaceAreListed) {
  FakeInventory inventory;
  devices::UsbDeviceInfo no_serial = TraceDevice(9, "");
  devices::UsbDeviceInfo probe = TraceDevice(3, "X");
  probe.interfaces = {Interface(0, 0xff, "CMSIS-DAP v2", {kBulkOut, kBulkIn})};
  inventory.usb = {no_serial, TraceDevice(7, "0123456789"), probe};
  EXPECT_EQ(Listing(inventory),
            "interface {value=tockctl-qemu}{display=tockctl: QEMU (not running; start it with "
            "tockctl flash)}\n"
            "interface {value=tockctl-usb-6667-0001-0123456789}{display=tockctl: USB 6667:0001 "
            "nrf52840dk, serial 0123456789 (bus 1, address 7)}\n"
            "interface {value=tockctl-usb-6667-0001}{display=tockctl: USB 6667:0001 nrf52840dk "
            "(bus 1, address 9)}\n");
  auto sources = ListExtcapSources(inventory);
  EXPECT_EQ(sources[1].usb_selector.ToString(), "6667:0001:0123456789");
  EXPECT_EQ(sources[2].usb_selector.ToString(), "6667:0001");
}

TEST(ExtcapSources, TraceInterfaceNeedsVendorClassTraceNameAndBulkIn) {
  devices::UsbDeviceInfo d = TraceDevice(1, "");
  EXPECT_TRUE(HasUsbTraceInterface(d));
  d.interfaces = {Interface(2, 0x0a, "Tock Trace", {kBulkIn})};
  EXPECT_FALSE(HasUsbTraceInterface(d));
  d.interfaces = {Interface(2, 0xff, "Tock console", {kBulkIn})};
  EXPECT_FALSE(HasUsbTraceInterface(d));
  d.interfaces = {Interface(2, 0xff, "TRACE", {kBulkOut, kInterruptIn})};
  EXPECT_FALSE(HasUsbTraceInterface(d));
  d.interfaces = {Interface(2, 0xff, "TRACE", {kInterruptIn, kBulkIn})};
  EXPECT_TRUE(HasUsbTraceInterface(d));
}

TEST(ExtcapSources, KindOfAValueIsItsPrefix) {
  EXPECT_EQ(ExtcapKindOf("tockctl-qemu"), ExtcapSourceKind::kQemu);
  EXPECT_EQ(ExtcapKindOf("tockctl-serial-ttyACM0"), ExtcapSourceKind::kSerial);
  EXPECT_EQ(ExtcapKindOf("tockctl-usb-6667-0001"), ExtcapSourceKind::kUsb);
  EXPECT_EQ(ExtcapKindOf("tockctl-serial-"), std::nullopt);
  EXPECT_EQ(ExtcapKindOf("tockctl-qemu2"), std::nullopt);
  EXPECT_EQ(ExtcapKindOf("randpkt"), std::nullopt);
}

void Put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text << "\n";
}

// The real inventory reads sysfs through devices::SysfsDeviceScanner: a board with a CDC ACM
// port and a trace interface shows as one serial and one USB interface.
TEST(ExtcapSources, HostInventoryReadsSysfsAndTheQemuStateFile) {
  tockctl::testing::TempDir dir;
  const fs::path sys = dir.path() / "sys";
  const fs::path usb = sys / "devices" / "usb1" / "1-2";
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"idVendor", "6667"},
                                                        {"idProduct", "0001"},
                                                        {"busnum", "1"},
                                                        {"devnum", "5"},
                                                        {"serial", "0123456789"},
                                                        {"product", "nrf52840dk"}}) {
    Put(usb / name, value);
  }
  Put(usb / "1-2:1.0" / "bInterfaceClass", "02");
  Put(usb / "1-2:1.2" / "bInterfaceNumber", "02");
  Put(usb / "1-2:1.2" / "bInterfaceClass", "ff");
  Put(usb / "1-2:1.2" / "interface", "Tock trace");
  Put(usb / "1-2:1.2" / "ep_81" / "bEndpointAddress", "81");
  Put(usb / "1-2:1.2" / "ep_81" / "bmAttributes", "02");
  fs::create_directories(sys / "bus" / "usb" / "devices");
  fs::create_directory_symlink(usb, sys / "bus" / "usb" / "devices" / "1-2");
  fs::create_directories(sys / "class" / "tty" / "ttyACM0");
  fs::create_directory_symlink(usb / "1-2:1.0", sys / "class" / "tty" / "ttyACM0" / "device");
  fs::create_directories(dir.path() / "run");

  HostSourceInventory inventory(sys, dir.path() / "dev", dir.path() / "run");
  EXPECT_EQ(Listing(inventory),
            "interface {value=tockctl-qemu}{display=tockctl: QEMU (not running; start it with "
            "tockctl flash)}\n"
            "interface {value=tockctl-serial-0123456789}{display=tockctl: serial "
            "" + (dir.path() / "dev" / "ttyACM0").string() +
                " (nrf52840dk, USB 6667:0001, serial 0123456789)}\n"
                "interface {value=tockctl-usb-6667-0001-0123456789}{display=tockctl: USB "
                "6667:0001 nrf52840dk, serial 0123456789 (bus 1, address 5)}\n");

  // This test's own pid is alive but not a QEMU: the state is stale.
  Put(dir.path() / "run" / "qemu.json",
      R"({"pid": )" + std::to_string(::getpid()) + R"(, "gdb_port": 1, "uart_port": 2,
          "started_at": 0, "board": "qemu_rv32_virt", "image": "k.elf", "log": "", "argv": []})");
  EXPECT_EQ(inventory.Qemu().note,
            "not running: pid " + std::to_string(::getpid()) + " has exited");
  Put(dir.path() / "run" / "qemu.json", "{ not json");
  RecordedQemu broken = inventory.Qemu();
  EXPECT_FALSE(broken.running);
  EXPECT_EQ(broken.note, "its state file is unreadable");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
