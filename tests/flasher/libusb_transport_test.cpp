// The libusb host on this machine: it either lists devices (usually none in CI) or says in one
// line that the host has no USB access. Real devices are not exercised here (see the docs).
#include "flasher/libusb_transport.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include "common/error.h"

namespace tockctl::flasher {
namespace {

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

}  // namespace
}  // namespace tockctl::flasher
