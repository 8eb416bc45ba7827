// `tockctl devices` run as a real binary, against this host and against a fake sysfs tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {
namespace fs = std::filesystem;

using testing::RunTockctl;

void Put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text << "\n";
}

TEST(DevicesCommandTest, HostWithoutUsbIsOneLineNotAFailure) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "sys" / "class" / "tty");
  auto r = RunTockctl({"devices", "--sys-root", (dir.path() / "sys").string(), "--dev-root",
                       (dir.path() / "dev").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "No serial ports.\n\nUSB: this host shows no USB bus (no /sys/bus/usb); probes and "
            "bootloaders cannot be listed.\n");
}

// A DAPLink board: its CDC ACM port and the probe itself, in a fake sysfs and /dev.
TEST(DevicesCommandTest, ListsAUsbSerialPortAndItsProbe) {
  testing::TempDir dir;
  const fs::path sys = dir.path() / "sys";
  const fs::path usb = sys / "devices" / "usb1" / "1-2";
  Put(usb / "idVendor", "0d28");
  Put(usb / "idProduct", "0204");
  Put(usb / "busnum", "1");
  Put(usb / "devnum", "5");
  Put(usb / "serial", "0240000034544e45");
  Put(usb / "product", "DAPLink CMSIS-DAP");
  Put(usb / "manufacturer", "ARM");
  fs::create_directories(sys / "bus" / "usb" / "devices");
  fs::create_directory_symlink(usb, sys / "bus" / "usb" / "devices" / "1-2");
  const fs::path itf = usb / "1-2:1.1";
  fs::create_directories(itf);
  fs::create_directories(sys / "class" / "tty" / "ttyACM0");
  fs::create_directory_symlink(itf, sys / "class" / "tty" / "ttyACM0" / "device");
  const fs::path dev = dir.path() / "dev";
  Put(dev / "ttyACM0", "");
  Put(dev / "bus" / "usb" / "001" / "005", "");
  auto r = RunTockctl({"devices", "--sys-root", sys.string(), "--dev-root", dev.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string port = (dev / "ttyACM0").string();
  const std::string pad(std::string("PORT").size() < port.size() ? port.size() - 4 : 0, ' ');
  EXPECT_EQ(r.out,
            "PORT" + pad + "  USB ID     SERIAL            PRODUCT            NOTE\n" + port +
                "  0d28:0204  0240000034544e45  DAPLink CMSIS-DAP  Arm DAPLink (CMSIS-DAP)\n"
                "\n"
                "PROBE                       KIND         NAME                     METHODS   "
                "         NOTE\n"
                "0d28:0204:0240000034544e45  debug probe  Arm DAPLink (CMSIS-DAP)  openocd, "
                "probe-rs  -\n");
}

TEST(DevicesCommandTest, JsonListsPortsAndProbes) {
  testing::TempDir dir;
  fs::path sys = dir.path() / "sys";
  fs::path usb = sys / "devices" / "usb1" / "1-4";
  Put(usb / "idVendor", "2e8a");
  Put(usb / "idProduct", "0003");
  Put(usb / "busnum", "1");
  Put(usb / "devnum", "12");
  Put(usb / "serial", "E660C0D1C7");
  Put(usb / "product", "RP2 Boot");
  Put(usb / "manufacturer", "Raspberry Pi");
  fs::create_directories(sys / "bus" / "usb" / "devices");
  fs::create_directory_symlink(usb, sys / "bus" / "usb" / "devices" / "1-4");
  fs::path dev = dir.path() / "dev";
  Put(dev / "bus" / "usb" / "001" / "012", "");
  fs::create_directories(sys / "class" / "tty");
  auto r =
      RunTockctl({"--json", "devices", "--sys-root", sys.string(), "--dev-root", dev.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["usb_available"], true);
  ASSERT_EQ(j["usb_devices"].size(), 1u);
  EXPECT_EQ(j["usb_devices"][0]["probe"], "2e8a:0003:E660C0D1C7");
  EXPECT_EQ(j["usb_devices"][0]["kind"], "bootloader");
  EXPECT_EQ(j["usb_devices"][0]["methods"], "picoboot, uf2");
  EXPECT_EQ(j["usb_devices"][0]["node"], (dev / "bus/usb/001/012").string());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
