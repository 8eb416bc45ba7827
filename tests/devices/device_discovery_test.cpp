// Device discovery over a sysfs tree built in a temporary directory (files and symlinks laid
// out like Linux's), with permissions decided by the test.
#include "devices/device_discovery.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "common/error.h"
#include "tests/flasher/test_helpers.h"
#include "tests/support/test_support.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

using flasher::testing::Capture;
namespace fs = std::filesystem;

/// A fake /sys and /dev.
class FakeSysfs {
 public:
  FakeSysfs() {
    fs::create_directories(sys() / "class" / "tty");
    fs::create_directories(dev());
  }
  fs::path sys() const { return dir_.path() / "sys"; }
  fs::path dev() const { return dir_.path() / "dev"; }
  void EnableUsb() { fs::create_directories(sys() / "bus" / "usb" / "devices"); }

  /// A USB device at bus 1, port `port`, with attributes; returns its directory.
  fs::path AddUsb(const std::string& port, int devnum, const std::string& vid,
                  const std::string& pid, const std::string& serial, const std::string& product) {
    EnableUsb();
    fs::path d = sys() / "devices" / "pci0000:00" / "usb1" / port;
    fs::create_directories(d);
    Put(d / "idVendor", vid);
    Put(d / "idProduct", pid);
    Put(d / "busnum", "1");
    Put(d / "devnum", std::to_string(devnum));
    if (!serial.empty()) Put(d / "serial", serial);
    Put(d / "product", product);
    Put(d / "manufacturer", "Maker");
    fs::create_directory_symlink(d, sys() / "bus" / "usb" / "devices" / port);
    fs::create_directories(dev() / "bus" / "usb" / "001");
    Put(dev() / "bus" / "usb" / "001" /
            (devnum < 10 ? "00" + std::to_string(devnum) : "0" + std::to_string(devnum)),
        "");
    return d;
  }
  /// An interface of `usb` with class and name; endpoints as (address, attributes).
  fs::path AddInterface(const fs::path& usb, int number, const std::string& klass,
                        const std::string& name,
                        std::vector<std::pair<std::string, std::string>> eps) {
    fs::path i = usb / (usb.filename().string() + ":1." + std::to_string(number));
    fs::create_directories(i);
    Put(i / "bInterfaceNumber", "0" + std::to_string(number));
    Put(i / "bAlternateSetting", " 0");
    Put(i / "bInterfaceClass", klass);
    Put(i / "bInterfaceSubClass", "00");
    Put(i / "bInterfaceProtocol", "00");
    if (!name.empty()) Put(i / "interface", name);
    for (const auto& [addr, attr] : eps) {
      fs::path e = i / ("ep_" + addr);
      fs::create_directories(e);
      Put(e / "bEndpointAddress", addr);
      Put(e / "bmAttributes", attr);
    }
    return i;
  }
  /// A tty whose device link points at `target`, bound to `driver`.
  void AddTty(const std::string& name, const fs::path& target, const std::string& driver) {
    fs::path t = sys() / "class" / "tty" / name;
    fs::create_directories(t);
    fs::create_directory_symlink(target, t / "device");
    fs::path drv = sys() / "bus" / "drivers" / driver;
    fs::create_directories(drv);
    if (!fs::exists(target / "driver")) fs::create_directory_symlink(drv, target / "driver");
    Put(dev() / name, "");
  }
  void AddVirtualTty(const std::string& name) {
    fs::create_directories(sys() / "class" / "tty" / name);
  }

 private:
  static void Put(const fs::path& p, const std::string& text) { std::ofstream(p) << text << "\n"; }
  tockctl::testing::TempDir dir_;
};

class DeviceDiscoveryTest : public ::testing::Test {
 protected:
  DeviceDiscoveryTest()
      : scanner_(sys_.sys(), sys_.dev(),
                 [this](const fs::path& p) { return denied_.count(p.filename().string()) == 0; }) {}
  std::string Dev(const std::string& name) { return (sys_.dev() / name).string(); }

  FakeSysfs sys_;
  std::set<std::string> denied_;
  SysfsDeviceScanner scanner_;
};

TEST_F(DeviceDiscoveryTest, ListsUsbSerialPortsWithTheirIdentity) {
  auto acm = sys_.AddUsb("1-2", 5, "6667", "abcd", "TOCK42", "nRF52840 Tock");
  auto itf = sys_.AddInterface(acm, 0, "02", "", {});
  sys_.AddTty("ttyACM0", itf, "cdc_acm");
  auto ftdi = sys_.AddUsb("1-3", 6, "0403", "6015", "DN0ABC", "FT231X USB UART");
  auto fitf = sys_.AddInterface(ftdi, 0, "ff", "", {});
  fs::create_directories(fitf / "ttyUSB0");
  sys_.AddTty("ttyUSB0", fitf / "ttyUSB0", "ftdi_sio");
  fs::path platform = sys_.sys() / "devices" / "platform" / "serial8250";
  fs::create_directories(platform);
  sys_.AddTty("ttyS0", platform, "port");
  std::ofstream(sys_.sys() / "class" / "tty" / "ttyS0" / "type") << "0\n";  // an empty legacy slot
  sys_.AddVirtualTty("tty1");
  auto ports = scanner_.ListSerialPorts();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].path, Dev("ttyACM0"));
  EXPECT_EQ(ports[0].vid, 0x6667);
  EXPECT_EQ(ports[0].serial_number, "TOCK42");
  EXPECT_EQ(ports[0].product, "nRF52840 Tock");
  EXPECT_EQ(ports[0].driver, "cdc_acm");
  EXPECT_EQ(ports[1].path, Dev("ttyUSB0"));
  EXPECT_EQ(ports[1].pid, 0x6015);
  EXPECT_EQ(ports[1].driver, "ftdi_sio");
}

TEST_F(DeviceDiscoveryTest, RecognisesProbesAndBootloaders) {
  sys_.AddUsb("1-1", 3, "1366", "1015", "000683000000", "J-Link");
  sys_.AddInterface(sys_.AddUsb("1-4", 7, "2e8a", "0003", "E660", "RP2 Boot"), 1, "ff", "",
                    {{"03", "02"}, {"84", "02"}});
  auto dap = sys_.AddUsb("1-5", 8, "c251", "f002", "DAP1", "LPC-Link2");
  sys_.AddInterface(dap, 0, "ff", "LPC-Link2 CMSIS-DAP",
                    {{"81", "02"}, {"02", "02"}, {"83", "02"}});
  sys_.AddUsb("1-6", 9, "046d", "c077", "", "USB Optical Mouse");  // not listed
  sys_.AddUsb("1-7", 10, "0483", "df11", "3866365A3235", "STM32  BOOTLOADER");
  denied_.insert("010");
  DeviceReport r = DiscoverDevices(scanner_);
  ASSERT_EQ(r.usb_devices.size(), 4u);
  EXPECT_EQ(r.usb_devices[0].known.name, "SEGGER J-Link");
  EXPECT_EQ(r.usb_devices[1].known.name, "RP2040 in BOOTSEL mode");
  EXPECT_EQ(r.usb_devices[2].known.name, "CMSIS-DAP v2 probe");
  EXPECT_TRUE(r.usb_devices[2].cmsis_dap_v2);
  EXPECT_EQ(r.usb_devices[3].known.kind, DeviceKind::kBootloader);
  EXPECT_FALSE(r.usb_devices[3].accessible);
  EXPECT_TRUE(r.permission_problem);
  EXPECT_EQ(
      RenderDeviceReport(r),
      "No serial ports.\n"
      "\n"
      "PROBE                   KIND         NAME                           METHODS            "
      "NOTE\n"
      "1366:1015:000683000000  debug probe  SEGGER J-Link                  jlink              -\n"
      "2e8a:0003:E660          bootloader   RP2040 in BOOTSEL mode         picoboot, uf2      -\n"
      "c251:f002:DAP1          debug probe  CMSIS-DAP v2 probe             openocd, probe-rs  "
      "CMSIS-DAP v2\n"
      "0483:df11:3866365A3235  bootloader   STM32 system bootloader (DFU)  dfu                no "
      "permission\n"
      "\n" +
          UdevHint() + "\n");
  auto j = DeviceReportToJson(r);
  EXPECT_EQ(j["usb_devices"][3]["probe"], "0483:df11:3866365A3235");
  EXPECT_EQ(j["usb_devices"][3]["node"], (sys_.dev() / "bus/usb/001/010").string());
  EXPECT_EQ(j["usb_devices"][3]["accessible"], false);
}

TEST_F(DeviceDiscoveryTest, RecognisesAnyDfuDeviceByItsInterface) {
  auto dfu = sys_.AddInterface(sys_.AddUsb("1-2", 4, "1209", "0001", "DFU0001", "Widget"), 0, "fe",
                               "Flash", {});
  std::ofstream(dfu / "bInterfaceSubClass") << "01\n";
  std::ofstream(dfu / "bInterfaceProtocol") << "02\n";  // DFU mode
  auto runtime = sys_.AddInterface(sys_.AddUsb("1-3", 5, "1209", "0002", "APP1", "Widget app"), 0,
                                   "fe", "DFU runtime", {});
  std::ofstream(runtime / "bInterfaceSubClass") << "01\n";
  std::ofstream(runtime / "bInterfaceProtocol") << "01\n";  // run-time: not a bootloader yet
  auto tock = sys_.AddInterface(sys_.AddUsb("1-4", 6, "6667", "0003", "TOCK7", "Tock"), 1, "fe",
                                "DFU runtime", {});
  std::ofstream(tock / "bInterfaceSubClass") << "01\n";
  std::ofstream(tock / "bInterfaceProtocol") << "01\n";
  DeviceReport r = DiscoverDevices(scanner_);
  ASSERT_EQ(r.usb_devices.size(), 3u);
  EXPECT_EQ(r.usb_devices[0].known.kind, DeviceKind::kBootloader);
  EXPECT_EQ(r.usb_devices[1].known.kind, DeviceKind::kDfuRunTime);
  EXPECT_EQ(r.usb_devices[2].known.kind, DeviceKind::kTockBoard);
  std::string text = RenderDeviceReport(r);
  EXPECT_EQ(text.substr(text.find("PROBE")),
            "PROBE              KIND          NAME                                       "
            "METHODS               NOTE\n"
            "1209:0001:DFU0001  bootloader    USB DFU device                             "
            "dfu                   -\n"
            "1209:0002:APP1     DFU run-time  USB device that detaches into DFU mode     "
            "dfu                   -\n"
            "6667:0003:TOCK7    Tock board    Tock board (USB) (detaches into DFU mode)  "
            "tock-bootloader, dfu  -\n");
  EXPECT_EQ(DeviceReportToJson(r)["usb_devices"][1]["kind"], "DFU run-time");
}

TEST_F(DeviceDiscoveryTest, HostWithoutUsbGetsOneLine) {
  DeviceReport r = DiscoverDevices(scanner_);
  EXPECT_FALSE(r.usb_available);
  EXPECT_EQ(RenderDeviceReport(r),
            "No serial ports.\n\nUSB: this host shows no USB bus (no /sys/bus/usb); probes and "
            "bootloaders cannot be listed.\n");
  EXPECT_EQ(DeviceReportToJson(r).dump(),
            R"({"serial_ports":[],"usb_devices":[],"usb_available":false})");
}

TEST_F(DeviceDiscoveryTest, SerialPortWithoutPermissionIsMarked) {
  auto acm = sys_.AddUsb("1-2", 5, "6667", "abcd", "TOCK42", "Tock");
  sys_.AddTty("ttyACM0", sys_.AddInterface(acm, 0, "02", "", {}), "cdc_acm");
  denied_.insert("ttyACM0");
  DeviceReport r = DiscoverDevices(scanner_);
  ASSERT_EQ(r.serial_ports.size(), 1u);
  EXPECT_FALSE(r.serial_ports[0].accessible);
  EXPECT_EQ(r.serial_ports[0].known->name, "Tock board (USB)");
  std::string text = RenderDeviceReport(r);
  EXPECT_EQ(text.substr(0, text.find("\n\n")),
            "PORT" + std::string(Dev("ttyACM0").size() - 2, ' ') +
                "USB ID     SERIAL  PRODUCT  NOTE\n" + Dev("ttyACM0") +
                "  6667:abcd  TOCK42  Tock     Tock board (USB); no permission");
}

TEST(SerialPortSelectionTest, PicksTheOnlyBoardOrListsTheChoices) {
  SerialPortInfo tock{"/dev/ttyACM0", 0x6667, 0xabcd, "T1", "", "Tock", "cdc_acm"};
  SerialPortInfo other{"/dev/ttyACM1", 0x2341, 0x8037, "", "", "Arduino", "cdc_acm"};
  SerialPortInfo ftdi{"/dev/ttyUSB0", 0x0403, 0x6015, "D1", "", "FT231X", "ftdi_sio"};
  EXPECT_EQ(SelectSerialPort({tock, other}, std::nullopt), "/dev/ttyACM0");
  auto many = Capture([&] { SelectSerialPort({tock, ftdi}, std::nullopt); });
  EXPECT_EQ(many.category(), ErrorCategory::kUsage);
  EXPECT_EQ(many.Describe(),
            "2 serial ports could be the board; choose one; pass one of: --serial /dev/ttyACM0, "
            "--serial /dev/ttyUSB0");
  auto none = Capture([&] { SelectSerialPort({other}, std::nullopt); });
  EXPECT_EQ(none.Describe(),
            "no serial port of a Tock board was found; connect the board, or pass --serial (list "
            "ports with: tockctl devices)");
  // A USB device named instead of a path (flash --serial VID:PID[:SERIAL]): its one port.
  EXPECT_EQ(SelectSerialPort({tock, other, ftdi}, std::string("0403:6015:D1")), "/dev/ttyUSB0");
  EXPECT_EQ(SelectSerialPort({tock, other}, std::string("6667:abcd")), "/dev/ttyACM0");
  EXPECT_EQ(Capture([&] { SelectSerialPort({tock}, std::string("6667:abcd:T2")); }).Describe(),
            "no serial port belongs to USB device 6667:abcd:T2; is it plugged in, with its driver "
            "loaded? (list ports with: tockctl devices)");
  SerialPortInfo second = tock;
  second.path = "/dev/ttyACM2";
  EXPECT_EQ(Capture([&] {
              SelectSerialPort({tock, second}, std::string("6667:abcd"));
            }).Describe(),
            "USB device 6667:abcd has several serial ports: /dev/ttyACM0, /dev/ttyACM2; give the "
            "port's path, or VID:PID:SERIAL");
  auto missing = Capture([&] { SelectSerialPort({}, std::string("/dev/ttyS55")); });
  EXPECT_EQ(missing.Describe(),
            "serial port /dev/ttyS55 does not exist; list ports with: tockctl devices");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
