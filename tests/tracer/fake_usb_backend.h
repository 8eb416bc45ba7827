// A scripted devices::UsbHost for UsbSource tests (the same interface libusb and the flasher's
// fakes implement): devices that can be plugged and unplugged, bulk IN
// data and transfer statuses queued by the test, and a record of what the source did.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "devices/usb_device.h"
#include "tests/support/manual_clock.h"
#include "tests/tracer/source_test_support.h"

namespace tockctl::tracer::testing {

/// One simulated device.
struct FakeUsbDevice {
  devices::UsbDeviceInfo info;  ///< Serial number and interfaces come from the two below.
  std::string serial;
  std::vector<devices::UsbInterfaceInfo> interfaces;
  devices::UsbResult open_result;   ///< e.g. {kAccessDenied, 0, "LIBUSB_ERROR_ACCESS"}
  devices::UsbResult claim_result;  ///< e.g. {kBusy, 0, "LIBUSB_ERROR_BUSY"}
  bool plugged = true;
};

/// What the device sends next: bytes (spread over as many transfers as needed) or one transfer
/// finishing with a status.
struct FakeUsbEvent {
  std::vector<uint8_t> bytes;
  devices::UsbResult status;  ///< Not ok: complete one transfer with this status and no bytes.
};

/// State shared by the test, the fake backend and its links.
struct FakeUsbWorld {
  std::vector<FakeUsbDevice> devices;
  std::string access_problem;
  std::deque<FakeUsbEvent> pending;               ///< For the device that is open.
  std::deque<devices::UsbResult> submit_results;  ///< Forced results of the next submits.
  ::tockctl::testing::ManualClock clock;

  // What the source did.
  std::vector<std::string> calls;  ///< "open 1/5", "claim 3", "alt 3/1", "clear_halt 0x85", ...
  std::vector<size_t> submitted_lengths;
  std::vector<uint8_t> submitted_endpoints;
  size_t in_flight = 0;
  size_t max_in_flight = 0;
  int links_open = 0;
  bool freed_while_in_flight = false;

  /// Queues bytes the device sends.
  void Send(std::vector<uint8_t> bytes) { pending.push_back({std::move(bytes), {}}); }
  /// Queues one transfer completing with `status`.
  void Finish(devices::UsbStatus status, std::string name) {
    pending.push_back({{}, {status, 0, std::move(name)}});
  }
  /// Unplugs device `index`: it disappears from listings and its transfers fail with NO_DEVICE.
  void Unplug(size_t index) { devices[index].plugged = false; }
  /// Plugs device `index` back in at a new address.
  void Replug(size_t index, uint8_t address) {
    devices[index].plugged = true;
    devices[index].info.address = address;
  }
};

/// A UsbHost over a FakeUsbWorld.
std::unique_ptr<devices::UsbHost> MakeFakeUsbBackend(std::shared_ptr<FakeUsbWorld> world);

/// Interfaces of a typical Tock board: CDC ACM console, CMSIS-DAP, and "Tock trace" (3, IN 0x85).
std::vector<devices::UsbInterfaceInfo> TockBoardInterfaces();

}  // namespace tockctl::tracer::testing
