// The libusb host on this machine: it either lists devices (usually none in CI) or says in one
// line that the host has no USB access. Real devices are not exercised here (see the docs).
#include "devices/libusb_host.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include "common/error.h"

namespace tockctl::devices {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(LibusbHostTest, ListsDevicesOrReportsNoUsbAccess) {
  auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  try {
    LibusbHost host(log);
    auto devices = host.ListDevices();
    for (const auto& d : devices) EXPECT_FALSE(UsbId(d.vid, d.pid).empty());
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(),
              "this host gives no access to USB devices; on Linux tockctl needs /dev/bus/usb; in a "
              "container pass the USB bus through (e.g. --device /dev/bus/usb)");
  }
}

TEST(LibusbHostTest, OpeningADeviceThatIsNotThereIsATransportError) {
  auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  try {
    LibusbHost host(log);
    UsbDeviceInfo ghost;
    ghost.vid = 0x2e8a;
    ghost.pid = 0x0003;
    ghost.bus = 250;
    ghost.address = 250;
    host.Open(ghost);
    ADD_FAILURE() << "opened a device that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
  }
}

TEST(LibusbHostTest, TryOpenOfADeviceThatIsNotListedSaysNoDevice) {
  auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<LibusbHost> host;
  try {
    host = std::make_unique<LibusbHost>(log);
  } catch (const Error&) {
    GTEST_SKIP() << "libusb cannot initialise on this host (tested above)";
  }
  UsbDeviceInfo ghost;
  ghost.vid = 0x1209;
  ghost.pid = 0x0001;
  ghost.bus = 255;
  ghost.address = 255;
  std::unique_ptr<UsbTransport> opened;
  UsbResult r = host->TryOpen(ghost, &opened);
  EXPECT_EQ(r.status, UsbStatus::kNoDevice);
  EXPECT_EQ(r.error_name, "LIBUSB_ERROR_NO_DEVICE");
  EXPECT_EQ(opened, nullptr);
}

TEST(UsbUdevHintTest, IsOneLineWithTheRuleForTheDevice) {
  EXPECT_EQ(UsbUdevHint(0x1209, 0x0001),
            "allow access with a udev rule such as: SUBSYSTEM==\"usb\", ATTR{idVendor}==\"1209\", "
            "ATTR{idProduct}==\"0001\", TAG+=\"uaccess\" (tockctl ships udev/60-tockctl.rules: "
            "sudo cp udev/60-tockctl.rules /etc/udev/rules.d/ && sudo udevadm control "
            "--reload-rules && sudo udevadm trigger), then replug the device");
  EXPECT_EQ(UsbUdevHint(0x1209, 0x0001).find('\n'), std::string::npos);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::devices
