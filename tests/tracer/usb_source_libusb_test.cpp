// The trace source on the real libusb host, as far as a host without USB devices allows: looking
// for a device that is not there gives the exact error.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "devices/libusb_host.h"
#include "tests/tracer/source_test_support.h"
#include "tracer/usb_source.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::TestLogger;

// What opening a trace source on 1209:0001 (a pid.codes test id: not on a build host) says here.
std::string ExpectedNoDeviceError() {
  try {
    devices::LibusbHost probe(TestLogger());
  } catch (const Error& e) {
    return e.Describe();  // no USB access at all
  }
  if (!std::filesystem::exists("/dev/bus/usb")) {
    return "no USB device matches 1209:0001 (usb 1209:0001: open); this host has no USB "
           "access (/dev/bus/usb is missing; in a container pass --device /dev/bus/usb), or "
           "trace over --serial or --tcp";
  }
  return "no USB device matches 1209:0001 (usb 1209:0001: open); is it plugged in? lsusb "
         "lists the devices this host sees";
}

TEST(UsbSourceOnLibusbTest, NoMatchingDeviceGivesTheExactError) {
  UsbOptions options;
  options.selector = devices::ParseUsbSelector("1209:0001");
  std::string expected = ExpectedNoDeviceError();
  try {
    OpenUsbSource(options, TestLogger());
    FAIL() << "a 1209:0001 device is attached to this host";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kTransport);
    EXPECT_EQ(e.Describe(), expected);
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
