#include "tracer/usb_source.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>

#include "common/error.h"
#include "tests/tracer/fake_usb_backend.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

using std::chrono::milliseconds;
using testing::CountingBytes;
using testing::FakeUsbDevice;
using testing::FakeUsbWorld;
using testing::ReadUntil;
using testing::TestLogger;
using testing::TockBoardInterfaces;
using testing::WaitForStatus;

constexpr milliseconds kPatience{10'000};
const std::string kUdevHint =
    "allow access with a udev rule such as: SUBSYSTEM==\"usb\", ATTR{idVendor}==\"1209\", "
    "ATTR{idProduct}==\"0001\", TAG+=\"uaccess\" (tockctl ships udev/60-tockctl.rules: sudo cp "
    "udev/60-tockctl.rules /etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo "
    "udevadm trigger), then replug the device";

FakeUsbDevice Board(uint8_t address, std::string serial = "TOCK01") {
  FakeUsbDevice d;
  d.info.vid = 0x1209;
  d.info.pid = 0x0001;
  d.info.bus = 1;
  d.info.address = address;
  d.serial = std::move(serial);
  d.interfaces = TockBoardInterfaces();
  return d;
}

class UsbSourceTest : public ::testing::Test {
 protected:
  UsbSourceTest() {
    options_.selector = {0x1209, 0x0001, {}};
    options_.usb_access_problem = [world = world_] { return world->access_problem; };
  }

  std::unique_ptr<UsbSource> Open() {
    return std::make_unique<UsbSource>(options_, testing::MakeFakeUsbBackend(world_), TestLogger(),
                                       world_->clock);
  }
  // The whole user-facing line of the error opening fails with (and its category).
  std::string OpenError(ErrorCategory* category = nullptr) {
    try {
      Open();
    } catch (const Error& e) {
      if (category != nullptr) *category = e.category();
      return e.Describe();
    }
    return "opened";
  }

  std::shared_ptr<FakeUsbWorld> world_ = std::make_shared<FakeUsbWorld>();
  UsbOptions options_;
};

TEST_F(UsbSourceTest, ClaimsTheTraceInterfaceAndKeepsFourTransfersInFlight) {
  world_->devices = {Board(5)};
  auto source = Open();
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"open 1/5", "claim 3"}));
  EXPECT_EQ(world_->in_flight, 4u);
  EXPECT_EQ(world_->submitted_endpoints, std::vector<uint8_t>(4, 0x85));
  EXPECT_EQ(world_->submitted_lengths, std::vector<size_t>(4, 16 * 1024));
  EXPECT_EQ(source->Describe(), "usb 1209:0001");
}

TEST_F(UsbSourceTest, WritesGoToTheBulkOutEndpointOfTheTraceInterface) {
  world_->devices = {Board(5)};
  auto source = Open();
  source->Write(std::vector<uint8_t>{'l', 'i', 's', 't', '\r'});
  EXPECT_EQ(world_->calls.back(), "bulk_out 0x04 5");
  source.reset();
  world_->devices[0].interfaces[3].endpoints = {{0x85, devices::kUsbTransferTypeBulk, 512}};
  source = Open();  // a device whose trace interface only sends
  try {
    source->Write(std::vector<uint8_t>{'x'});
    FAIL() << "wrote to a device without a bulk OUT endpoint";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "USB device 1209:0001 (bus 1, address 5) has no bulk OUT endpoint on interface 3 "
              "(usb 1209:0001: write); this device only sends");
  }
}

TEST_F(UsbSourceTest, StreamsEveryByteInOrderAcrossManyTransfers) {
  world_->devices = {Board(5)};
  auto source = Open();
  std::vector<uint8_t> all;
  for (size_t i = 0; i < 60; ++i) {  // chunks from 1 byte to several transfers long
    auto chunk = CountingBytes((i * 7919) % 50'000 + 1, static_cast<uint8_t>(all.size()));
    all.insert(all.end(), chunk.begin(), chunk.end());
    world_->Send(chunk);
  }
  auto got = ReadUntil(*source, all.size(), kPatience, 40'000);
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(got.bytes, all);
  EXPECT_EQ(source->max_in_flight(), 4u);
  EXPECT_EQ(world_->in_flight, 4u);  // every transfer was requeued
}

TEST_F(UsbSourceTest, AFullQueueHoldsTransfersBackInsteadOfDroppingBytes) {
  world_->devices = {Board(5)};
  options_.transfer_size = 1024;
  options_.queue_bytes = 1024;  // room for one transfer
  auto source = Open();
  auto all = CountingBytes(100'000, 9);
  world_->Send(all);
  auto got = ReadUntil(*source, all.size(), kPatience, 300);  // a slow reader
  EXPECT_EQ(got.bytes, all);
}

TEST_F(UsbSourceTest, SelectsByVidPidAndIgnoresOtherDevices) {
  FakeUsbDevice probe = Board(2);
  probe.info.vid = 0x2e8a;
  probe.info.pid = 0x000c;
  world_->devices = {probe, Board(7)};
  auto source = Open();
  EXPECT_EQ(source->device().address, 7);
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"open 1/7", "claim 3"}));
}

TEST_F(UsbSourceTest, SerialNumberPicksOneOfSeveralBoards) {
  world_->devices = {Board(5, "AAA"), Board(6, "BBB")};
  options_.selector.serial = "BBB";
  auto source = Open();
  EXPECT_EQ(source->device().address, 6);
  EXPECT_EQ(source->Describe(), "usb 1209:0001:BBB");
  EXPECT_EQ(world_->links_open, 1);  // the other board was closed again
}

TEST_F(UsbSourceTest, SeveralMatchesWithoutASerialNumberIsAUsageError) {
  world_->devices = {Board(5, "AAA"), Board(6, "BBB")};
  ErrorCategory category{};
  EXPECT_EQ(OpenError(&category),
            "2 USB devices match 1209:0001 (serial numbers AAA, BBB) (usb 1209:0001: open); pick "
            "one with --usb 1209:0001:AAA");
  EXPECT_EQ(category, ErrorCategory::kUsage);
  EXPECT_EQ(world_->links_open, 0);
}

TEST_F(UsbSourceTest, WrongSerialNumberListsTheOnesAttached) {
  world_->devices = {Board(5, "AAA"), Board(6, "BBB")};
  options_.selector.serial = "CCC";
  EXPECT_EQ(OpenError(),
            "no USB device matches 1209:0001:CCC (usb 1209:0001:CCC: open); the attached "
            "1209:0001 devices have serial numbers AAA, BBB");
}

TEST_F(UsbSourceTest, NoMatchingDevice) {
  FakeUsbDevice other = Board(2);
  other.info.vid = 0x1366;
  world_->devices = {other};
  ErrorCategory category{};
  EXPECT_EQ(OpenError(&category),
            "no USB device matches 1209:0001 (usb 1209:0001: open); is it plugged in? lsusb lists "
            "the devices this host sees");
  EXPECT_EQ(category, ErrorCategory::kTransport);
}

TEST_F(UsbSourceTest, NoMatchingDeviceOnAHostWithoutUsbfsSaysSoEvenWhenAskedToWait) {
  world_->access_problem = "/dev/bus/usb is missing";
  options_.wait_for_device = true;  // no device can ever appear
  EXPECT_EQ(OpenError(),
            "no USB device matches 1209:0001 (usb 1209:0001: open); this host has no USB access "
            "(/dev/bus/usb is missing; in a container pass --device /dev/bus/usb), or trace over "
            "--serial or --tcp");
}

TEST_F(UsbSourceTest, PermissionDeniedNamesTheDeviceNodeAndGivesAUdevRule) {
  world_->devices = {Board(5)};
  world_->devices[0].open_result = {devices::UsbStatus::kAccessDenied, 0, "LIBUSB_ERROR_ACCESS"};
  EXPECT_EQ(OpenError(),
            "permission denied opening USB device 1209:0001 (bus 1, address 5), "
            "/dev/bus/usb/001/005 (usb 1209:0001: open); " +
                kUdevHint);
}

TEST_F(UsbSourceTest, BusyInterface) {
  world_->devices = {Board(5)};
  world_->devices[0].claim_result = {devices::UsbStatus::kBusy, 0, "LIBUSB_ERROR_BUSY"};
  EXPECT_EQ(OpenError(),
            "interface 3 of USB device 1209:0001 (bus 1, address 5) is in use by another program "
            "or driver (LIBUSB_ERROR_BUSY) (usb 1209:0001: claim); stop the other program "
            "(another tockctl trace?)");
  EXPECT_EQ(world_->links_open, 0);
}

TEST_F(UsbSourceTest, DeviceWithoutATraceInterface) {
  world_->devices = {Board(5)};
  world_->devices[0].interfaces.resize(2);
  EXPECT_EQ(OpenError(),
            "USB device 1209:0001 (bus 1, address 5) has no trace interface (interfaces: 0 class "
            "0x02 \"CDC ACM\", 1 class 0x0a) (usb 1209:0001: find trace interface); it is a USB "
            "serial device: read its port with --serial 1209:0001; the trace interface is "
            "vendor-specific (class 0xff), has \"trace\" in its name and a bulk IN endpoint; pick "
            "another by number with --usb-interface N");
}

TEST_F(UsbSourceTest, InterfaceNumberOverridesTheSearch) {
  world_->devices = {Board(5)};
  options_.interface_number = 2;
  auto source = Open();
  EXPECT_EQ(world_->calls.back(), "claim 2");
  EXPECT_EQ(world_->submitted_endpoints.front(), 0x83);
}

TEST_F(UsbSourceTest, UnplugDeliversWhatArrivedThenDisconnectsAndReconnectsOnReplug) {
  world_->devices = {Board(5)};
  auto source = Open();
  world_->Send(CountingBytes(100));
  std::vector<uint8_t> buf(10);
  ASSERT_EQ(source->Read(buf, milliseconds(100)).status, ReadStatus::kData);
  world_->Unplug(0);

  std::vector<uint8_t> rest;
  ReadResult gone = WaitForStatus(*source, ReadStatus::kDisconnected, kPatience, &rest);
  EXPECT_EQ(rest, CountingBytes(90, 10));
  EXPECT_EQ(gone.detail,
            "USB device 1209:0001 (bus 1, address 5) was unplugged (LIBUSB_TRANSFER_NO_DEVICE); "
            "waiting for it to come back");
  EXPECT_EQ(world_->links_open, 0);
  EXPECT_FALSE(world_->freed_while_in_flight);
  EXPECT_EQ(source->Read(buf, milliseconds(500)).status, ReadStatus::kTimeout);  // once only

  world_->Replug(0, 9);
  EXPECT_EQ(WaitForStatus(*source, ReadStatus::kReconnected, kPatience).detail,
            "USB device 1209:0001 is back (bus 1, address 9)");
  EXPECT_EQ(world_->in_flight, 4u);
  world_->Send(CountingBytes(5, 50));
  EXPECT_EQ(ReadUntil(*source, 5, kPatience).bytes, CountingBytes(5, 50));
}

TEST_F(UsbSourceTest, SubmitFailingWithNoDeviceIsAnUnplugToo) {
  world_->devices = {Board(5)};
  auto source = Open();
  world_->Send({1});
  world_->submit_results.push_back({devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"});
  std::vector<uint8_t> data;
  EXPECT_EQ(WaitForStatus(*source, ReadStatus::kDisconnected, kPatience, &data).detail,
            "USB device 1209:0001 (bus 1, address 5) was unplugged (LIBUSB_ERROR_NO_DEVICE); "
            "waiting for it to come back");
  EXPECT_EQ(data, std::vector<uint8_t>{1});
}

// Found on a real USB stack (tests/usb/, usb.unplug_no_reconnect): there an unplug shows only as
// the resubmit failing, and the log said "error: submitting a bulk IN transfer ..." besides the
// one unplug message.
TEST_F(UsbSourceTest, SubmitFailingWithNoDeviceLogsOnlyTheUnplug) {
  world_->devices = {Board(5)};
  options_.reconnect = false;
  std::ostringstream log_text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
  sink->set_pattern("%l: %v");
  auto logger = std::make_shared<spdlog::logger>("usb", sink);
  logger->set_level(spdlog::level::info);
  UsbSource source(options_, testing::MakeFakeUsbBackend(world_), logger, world_->clock);
  world_->Send({1});
  world_->submit_results.push_back({devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"});
  WaitForStatus(source, ReadStatus::kEnd, kPatience);
  EXPECT_EQ(log_text.str(),
            "info: reading USB device 1209:0001 (bus 1, address 5) interface 3 endpoint 0x85 "
            "(4 x 16384 byte transfers)\n"
            "warning: USB device 1209:0001 (bus 1, address 5) was unplugged "
            "(LIBUSB_ERROR_NO_DEVICE)\n");
}

TEST_F(UsbSourceTest, WithoutReconnectAnUnplugEndsTheStream) {
  world_->devices = {Board(5)};
  options_.reconnect = false;
  auto source = Open();
  world_->Unplug(0);
  EXPECT_EQ(WaitForStatus(*source, ReadStatus::kEnd, kPatience).detail,
            "USB device 1209:0001 (bus 1, address 5) was unplugged (LIBUSB_TRANSFER_NO_DEVICE)");
  world_->Replug(0, 6);
  std::vector<uint8_t> buf(8);
  EXPECT_EQ(source->Read(buf, milliseconds(500)).status, ReadStatus::kEnd);
}

TEST_F(UsbSourceTest, WaitsForADeviceThatIsNotPluggedInYet) {
  options_.wait_for_device = true;
  auto source = Open();
  std::vector<uint8_t> buf(8);
  EXPECT_EQ(source->Read(buf, milliseconds(600)).status, ReadStatus::kTimeout);
  world_->devices = {Board(3)};
  EXPECT_EQ(WaitForStatus(*source, ReadStatus::kReconnected, kPatience).detail,
            "USB device 1209:0001 appeared (bus 1, address 3)");
}

TEST_F(UsbSourceTest, AStalledEndpointIsClearedAndReadingGoesOn) {
  world_->devices = {Board(5)};
  auto source = Open();
  world_->Finish(devices::UsbStatus::kStall, "LIBUSB_TRANSFER_STALL");
  world_->Send(CountingBytes(3));
  EXPECT_EQ(ReadUntil(*source, 3, kPatience).bytes, CountingBytes(3));
  EXPECT_NE(std::find(world_->calls.begin(), world_->calls.end(), "clear_halt 0x85"),
            world_->calls.end());
}

TEST_F(UsbSourceTest, IdleTimeoutsAreNotErrors) {
  world_->devices = {Board(5)};
  auto source = Open();
  for (int i = 0; i < 50; ++i)
    world_->Finish(devices::UsbStatus::kTimeout, "LIBUSB_TRANSFER_TIMED_OUT");
  world_->Send(CountingBytes(3));
  auto got = ReadUntil(*source, 3, kPatience);
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(got.bytes, CountingBytes(3));
}

TEST_F(UsbSourceTest, TransfersThatKeepFailingCountAsALostDevice) {
  world_->devices = {Board(5)};
  auto source = Open();
  for (int i = 0; i < 8; ++i) world_->Finish(devices::UsbStatus::kError, "LIBUSB_TRANSFER_ERROR");
  EXPECT_EQ(WaitForStatus(*source, ReadStatus::kDisconnected, kPatience).detail,
            "USB device 1209:0001 (bus 1, address 5) stopped working (bulk IN transfer failed 8 "
            "times in a row, last LIBUSB_TRANSFER_ERROR); waiting for it to come back");
}

TEST_F(UsbSourceTest, DestroyingTheSourceCancelsAndReapsBeforeClosing) {
  world_->devices = {Board(5)};
  Open().reset();
  EXPECT_EQ(world_->links_open, 0);
  EXPECT_FALSE(world_->freed_while_in_flight);
  ASSERT_GE(world_->calls.size(), 2u);
  EXPECT_EQ(world_->calls[world_->calls.size() - 2], "cancel");
  EXPECT_EQ(world_->calls.back(), "close");
}

TEST(FindTraceEndpointTest, PicksAVendorInterfaceNamedTrace) {
  std::string why;
  EXPECT_EQ(FindTraceEndpoint(TockBoardInterfaces(), std::nullopt, &why),
            (UsbTraceEndpoint{3, 0, 0x85}));
  auto interfaces = TockBoardInterfaces();
  interfaces[0].name = "trace";  // a CDC interface is not the trace interface, whatever its name
  interfaces[3].name = "TRACE stream";
  EXPECT_EQ(FindTraceEndpoint(interfaces, std::nullopt, &why), (UsbTraceEndpoint{3, 0, 0x85}));
}

TEST(FindTraceEndpointTest, UsesTheAlternateSettingThatHasTheEndpoint) {
  constexpr uint8_t kBulk = devices::kUsbTransferTypeBulk;
  std::vector<devices::UsbInterfaceInfo> interfaces = {
      {4, 0, 0xFF, 0, 0, "trace", {}, {}},
      {4, 1, 0xFF, 0, 0, "trace", {{0x01, kBulk, 64}, {0x86, kBulk, 64}}, {}},
  };
  std::string why;
  EXPECT_EQ(FindTraceEndpoint(interfaces, std::nullopt, &why), (UsbTraceEndpoint{4, 1, 0x86}));
}

TEST(FindTraceEndpointTest, ExplainsWhatIsMissing) {
  std::string why;
  EXPECT_EQ(FindTraceEndpoint(TockBoardInterfaces(), 0, &why), std::nullopt);
  EXPECT_EQ(why, "has no bulk IN endpoint on interface 0");
  EXPECT_EQ(FindTraceEndpoint(TockBoardInterfaces(), 7, &why), std::nullopt);
  EXPECT_EQ(why,
            "has no interface 7 (interfaces: 0 class 0x02 \"CDC ACM\", 1 class 0x0a, 2 "
            "class 0xff \"CMSIS-DAP v2\", 3 class 0xff \"Tock Trace\")");
  EXPECT_EQ(FindTraceEndpoint({}, std::nullopt, &why), std::nullopt);
  EXPECT_EQ(why, "has no trace interface (interfaces: none)");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
