#include "flasher/dfu_detach.h"

#include <spdlog/fmt/fmt.h>

#include <optional>
#include <string>

#include "common/error.h"
#include "devices/device_discovery.h"
#include "flasher/device_context.h"
#include "flasher/dfu.h"

namespace tockctl::flasher {
namespace {

using devices::DescribeUsbDevice;
using devices::UsbDeviceInfo;
using devices::UsbInterfaceInfo;
using devices::UsbStatus;

constexpr const char* kByHand =
    "put it into DFU mode by hand (its bootloader button or command) and flash again with --usb "
    "naming the DFU-mode device (see tockctl devices)";

std::string Seconds(Clock::TimePoint::duration d) {
  return fmt::format("{:.1f} s", std::chrono::duration<double>(d).count());
}

// The run-time interface, claimed, and its functional descriptor.
std::pair<uint8_t, DfuFunctional> ClaimRunTime(devices::UsbTransport& usb) {
  const UsbInterfaceInfo* itf = devices::FindDfuRunTimeInterface(usb.info());
  ErrorContext ctx = DeviceContext(DescribeUsbDevice(usb.info()), "detach");
  std::optional<DfuFunctional> functional =
      itf ? FindDfuFunctional(itf->extra) : std::optional<DfuFunctional>();
  if (!itf || !functional)
    throw Error(ErrorCategory::kTransport,
                "the device's DFU run-time interface has no DFU functional descriptor", ctx,
                kByHand);
  if (!usb.ClaimInterface(itf->number).ok())
    throw Error(ErrorCategory::kTransport,
                fmt::format("cannot claim DFU run-time interface {}", itf->number), ctx,
                "close other programs using the device (dfu-util), then retry");
  return {itf->number, *functional};
}

void SendDetach(devices::UsbTransport& usb, uint8_t interface_number,
                const DfuFunctional& functional) {
  devices::UsbControlSetup detach{0x21, static_cast<uint8_t>(DfuRequest::kDetach),
                                  functional.detach_timeout_ms, interface_number};
  devices::UsbResult r = usb.ControlOut(detach, {});
  // A device that detaches by itself may be gone before the status stage reaches the host.
  if (r.ok() || (functional.will_detach() && r.status == UsbStatus::kNoDevice)) return;
  ErrorContext ctx = DeviceContext(DescribeUsbDevice(usb.info()), "DFU_DETACH");
  if (r.status == UsbStatus::kStall)
    throw Error(ErrorCategory::kTransport, "the device refused DFU_DETACH", ctx, kByHand);
  throw Error(ErrorCategory::kTransport, "DFU_DETACH to the device failed (" + r.error_name + ")",
              ctx, kByHand);
}

// A device in DFU mode where the run-time device was: on its port, or with the DFU-mode VID:PID
// when the port is unknown.
std::optional<UsbDeviceInfo> FindDfuMode(devices::UsbHost& host, const UsbDeviceInfo& runtime,
                                         std::pair<uint16_t, uint16_t> dfu_mode_id) {
  for (auto& d : host.ListDevices()) {
    if (!devices::HasDfuModeInterface(d)) continue;
    bool same_port =
        !runtime.port_path.empty() && d.bus == runtime.bus && d.port_path == runtime.port_path;
    bool same_id =
        runtime.port_path.empty() && d.vid == dfu_mode_id.first && d.pid == dfu_mode_id.second;
    if (same_port || same_id) return d;
  }
  return std::nullopt;
}

// Lists the bus until the DFU-mode device is there and opens (udev may grant access a little
// after the device appears), or gives up at `deadline`.
DfuModeDevice WaitForDfuMode(devices::UsbHost& host, const UsbDeviceInfo& runtime,
                             std::pair<uint16_t, uint16_t> dfu_mode_id, Clock& clock,
                             Clock::TimePoint deadline) {
  std::optional<UsbDeviceInfo> seen;
  for (;;) {
    if ((seen = FindDfuMode(host, runtime, dfu_mode_id))) {
      DfuModeDevice back{*seen, nullptr};
      if (host.TryOpen(*seen, &back.usb).ok()) return back;
    }
    if (clock.Now() >= deadline) break;
    clock.SleepUntil(clock.Now() + kDfuReenumerationPoll);
  }
  if (seen) return {*seen, host.Open(*seen)};  // the host's own error, e.g. the udev hint
  return {};
}

}  // namespace

bool OffersOnlyDfuRunTime(const UsbDeviceInfo& device) {
  return devices::FindDfuRunTimeInterface(device) && !devices::HasDfuModeInterface(device);
}

DfuModeDevice DetachIntoDfuMode(devices::UsbHost& host,
                                std::unique_ptr<devices::UsbTransport> runtime,
                                std::pair<uint16_t, uint16_t> dfu_mode_id, Clock& clock,
                                ProgressSink& progress, spdlog::logger& log) {
  const UsbDeviceInfo device = runtime->info();
  auto [interface_number, functional] = ClaimRunTime(*runtime);
  SendDetach(*runtime, interface_number, functional);
  if (!functional.will_detach()) {
    devices::UsbResult r = runtime->ResetDevice();  // gone or new afterwards: any outcome will do
    log.debug("dfu: USB reset of {}: {}", DescribeUsbDevice(device), r.ok() ? "ok" : r.error_name);
  }
  runtime.reset();
  const auto wait = std::chrono::milliseconds(functional.detach_timeout_ms) + kDfuReenumerationWait;
  const std::string sent = functional.will_detach() ? "DFU_DETACH" : "DFU_DETACH and a USB reset";
  progress.Message(fmt::format(
      "{}: DFU run-time mode; sent {} (wDetachTimeOut {} ms); waiting up to {} for it in DFU mode",
      DescribeUsbDevice(device), sent, functional.detach_timeout_ms, Seconds(wait)));
  const Clock::TimePoint start = clock.Now();
  DfuModeDevice back = WaitForDfuMode(host, device, dfu_mode_id, clock, start + wait);
  if (!back.usb)
    throw Error(ErrorCategory::kTransport,
                fmt::format("the device did not come back in DFU mode within {} of {}",
                            Seconds(wait), sent),
                DeviceContext(DescribeUsbDevice(device), "detach"), kByHand);
  progress.Message(fmt::format("{}: in DFU mode after {}", DescribeUsbDevice(back.info),
                               Seconds(clock.Now() - start)));
  return back;
}

}  // namespace tockctl::flasher
