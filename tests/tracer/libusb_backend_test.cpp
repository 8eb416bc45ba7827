// The real libusb path, as far as a host without USB devices allows: initialising libusb either
// works or fails cleanly, and looking for a device that is not there gives the exact error.
#include "tracer/libusb_backend.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "tests/tracer/source_test_support.h"
#include "tracer/usb_source.h"

namespace tockctl::tracer {
namespace {

using testing::TestLogger;

TEST(LibusbBackendTest, InitialisesAndListsOrFailsWithALibusbName) {
  LibusbBackend backend(TestLogger());
  UsbStatus init = backend.Init();
  if (!init.ok()) {
    EXPECT_EQ(init.name.rfind("LIBUSB_ERROR_", 0), 0u) << init.name;
    return;
  }
  std::vector<UsbDeviceInfo> devices;
  EXPECT_TRUE(backend.ListDevices(&devices).ok());
  for (const auto& d : devices) EXPECT_NE(d.address, 0);
}

TEST(LibusbBackendTest, NoMatchingDeviceGivesTheExactError) {
  LibusbBackend probe(TestLogger());
  UsbStatus init = probe.Init();
  UsbOptions options;
  options.selector = ParseUsbSelector("1209:0001");  // pid.codes test id: not on a build host
  std::string expected;
  if (!init.ok()) {
    expected = "no USB access on this host: cannot initialise libusb (" + init.name +
               ") (usb 1209:0001: init); in a container pass the USB bus in (--device "
               "/dev/bus/usb), or trace over --serial or --tcp instead";
  } else if (!std::filesystem::exists("/dev/bus/usb")) {
    expected =
        "no USB device matches 1209:0001 (usb 1209:0001: open); this host has no USB "
        "access (/dev/bus/usb is missing; in a container pass --device /dev/bus/usb), or "
        "trace over --serial or --tcp";
  } else {
    expected =
        "no USB device matches 1209:0001 (usb 1209:0001: open); is it plugged in? lsusb "
        "lists the devices this host sees";
  }
  try {
    OpenUsbSource(options, TestLogger());
    FAIL() << "a 1209:0001 device is attached to this host";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), expected);
  }
}

TEST(LibusbBackendTest, OpeningADeviceThatIsNotListedReportsNoDevice) {
  LibusbBackend backend(TestLogger());
  if (!backend.Init().ok()) GTEST_SKIP() << "libusb cannot initialise on this host";
  std::vector<UsbDeviceInfo> devices;
  ASSERT_TRUE(backend.ListDevices(&devices).ok());
  std::unique_ptr<UsbDeviceLink> link;
  UsbStatus st = backend.Open(UsbDeviceInfo{255, 255, 0x1209, 0x0001}, &link);
  EXPECT_EQ(st.code, UsbCode::kNoDevice);
  EXPECT_EQ(st.name, "LIBUSB_ERROR_NO_DEVICE");
  EXPECT_EQ(link, nullptr);
}

}  // namespace
}  // namespace tockctl::tracer
