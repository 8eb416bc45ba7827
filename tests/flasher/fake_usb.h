// Scripted USB peers behind the UsbHost/UsbTransport interfaces the libusb code implements: a
// host listing fake devices, an RP2040/RP2350 in BOOTSEL mode (PICOBOOT), and an STM32 in DfuSe
// mode. Each records every request it sees, in order, as one line of text.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/usb_device.h"

namespace tockctl::flasher::testing {

/// A fake device: answers transfers and records them. Subclasses implement the protocol.
class FakeUsbDevice : public devices::UsbTransport {
 public:
  explicit FakeUsbDevice(devices::UsbDeviceInfo info) : info_(std::move(info)) {}
  const devices::UsbDeviceInfo& info() const override { return info_; }
  devices::UsbResult ClaimInterface(uint8_t number) override;
  devices::UsbResult SetAltSetting(uint8_t number, uint8_t alternate) override;
  devices::UsbResult ClearHalt(uint8_t endpoint) override;
  /// Records "reset".
  devices::UsbResult ResetDevice() override;

  /// Every request so far ("claim 1", "bulk out 0x03 WRITE 0x10000000 +256", ...).
  std::vector<std::string> requests;
  /// Lines of `requests` that start with `prefix`.
  size_t CountRequests(const std::string& prefix) const;
  /// After this many more transfers, every transfer reports the device gone.
  std::optional<int> disconnect_after;
  /// The next transfer times out (once).
  bool timeout_next = false;
  bool claimed(uint8_t number) const;
  void Released(uint8_t number);

 protected:
  /// Consumes one transfer budget; returns a failure to report instead, if any.
  std::optional<devices::UsbResult> Injected();
  static devices::UsbResult Ok(size_t n = 0) {
    return devices::UsbResult{devices::UsbStatus::kOk, n, ""};
  }
  static devices::UsbResult Stall() {
    return devices::UsbResult{devices::UsbStatus::kStall, 0, "LIBUSB_ERROR_PIPE"};
  }

  devices::UsbDeviceInfo info_;
  std::vector<uint8_t> claimed_;
};

/// Lists fake devices and opens them; the transports it returns forward to the shared device and
/// release their interfaces on destruction, like the libusb ones.
class FakeUsbHost : public devices::UsbHost {
 public:
  void Add(std::shared_ptr<FakeUsbDevice> device) { devices_.push_back(std::move(device)); }
  /// Unplugs `device` (it is no longer listed).
  void Remove(const std::shared_ptr<FakeUsbDevice>& device);
  std::vector<devices::UsbDeviceInfo> ListDevices() override;
  std::unique_ptr<devices::UsbTransport> Open(const devices::UsbDeviceInfo& device) override;
  int opened = 0;

 private:
  std::vector<std::shared_ptr<FakeUsbDevice>> devices_;
};

/// An RP2040 (or RP2350) boot ROM: 2 MiB flash at 0x10000000 with NOR semantics (writes only
/// clear bits), 264 KiB RAM at 0x20000000, PICOBOOT on interface 1 (MSC on interface 0).
class FakeRpBootsel : public FakeUsbDevice {
 public:
  explicit FakeRpBootsel(bool rp2350 = false, std::string serial = "E66164084319392A");

  devices::UsbResult ControlIn(const devices::UsbControlSetup& setup,
                               std::span<uint8_t> data) override;
  devices::UsbResult ControlOut(const devices::UsbControlSetup& setup,
                                std::span<const uint8_t> data) override;
  devices::UsbResult BulkIn(uint8_t endpoint, std::span<uint8_t> data) override;
  devices::UsbResult BulkOut(uint8_t endpoint, std::span<const uint8_t> data) override;

  std::vector<uint8_t> flash;  ///< 2 MiB at 0x10000000.
  /// The next command with this id fails with this status (and a stall).
  std::map<uint8_t, uint32_t> fail_command;
  bool exclusive = false;
  bool xip_exited = false;
  /// ENTER_CMD_XIP since BOOTSEL, EXIT_XIP or the last flash erase/write; READs of flash return
  /// zeros otherwise (the datasheets: flash is read through XIP).
  bool xip_readable = false;
  std::vector<uint32_t> last_reboot_args;  ///< pc, sp, delay or flags, delay, p0, p1.
  uint8_t last_reboot_command = 0;

 private:
  enum class Expect { kCommand, kDataOut, kDataIn, kAckIn, kAckOut };
  void Execute();
  void Refuse(uint32_t status);
  bool InFlash(uint32_t address, uint32_t size) const;

  Expect expect_ = Expect::kCommand;
  bool stalled_ = false;
  bool rebooting_ = false;
  uint32_t token_ = 0, status_ = 0, transfer_ = 0, address_ = 0, size_ = 0;
  uint8_t command_ = 0;
  std::vector<uint8_t> args_;
  std::vector<uint8_t> data_;
  std::vector<uint8_t> ram_;
};

/// An STM32F4 system bootloader in DFU mode (0483:df11, DfuSe 1.1a): flash at 0x08000000 with
/// sectors 4x16K, 1x64K, 7x128K, wTransferSize 2048, DNBUSY with a poll timeout after each
/// download, errors as a stall plus GETSTATUS.
class FakeStm32Dfu : public FakeUsbDevice {
 public:
  /// `plain`: a DFU 1.1 device without DfuSe (blocks are numbered from 0 at the flash start).
  explicit FakeStm32Dfu(std::string serial = "3866365A3235", bool plain = false);

  devices::UsbResult ControlIn(const devices::UsbControlSetup& setup,
                               std::span<uint8_t> data) override;
  devices::UsbResult ControlOut(const devices::UsbControlSetup& setup,
                                std::span<const uint8_t> data) override;
  devices::UsbResult BulkIn(uint8_t, std::span<uint8_t>) override { return Stall(); }
  devices::UsbResult BulkOut(uint8_t, std::span<const uint8_t>) override { return Stall(); }

  std::vector<uint8_t> flash;  ///< 1 MiB at 0x08000000.
  /// Pages (sector start addresses) erased, in order.
  std::vector<uint32_t> erased;
  bool mass_erased = false;
  bool left = false;  ///< Manifested and reset after a leave request.
  /// Addresses whose write fails with errWRITE.
  std::optional<uint32_t> fail_write_at;
  uint8_t state = 2;  ///< dfuIDLE.
  uint8_t status = 0;
  /// How many GETSTATUS polls a download stays busy for.
  int busy_polls = 1;
  uint32_t poll_timeout_ms = 1;
  bool plain = false;

 private:
  devices::UsbResult Download(uint16_t block, std::span<const uint8_t> data);
  devices::UsbResult Error(uint8_t dfu_status);
  void Finish();

  uint32_t address_ = 0x08000000;
  std::vector<uint8_t> pending_;
  uint16_t pending_block_ = 0;
  int busy_left_ = 0;
  bool pending_valid_ = false;
};

/// Firmware in DFU run-time mode, 1209:0002 serial "RT0001" on port 2-1 (bus 2 device 6):
/// interface 0 its own (vendor class), interface 1 the DFU run-time interface (class 0xFE,
/// subclass 1, protocol 1) whose functional descriptor has bitWillDetach as `will_detach` says
/// and wDetachTimeOut 1000 ms. GETSTATUS and GETSTATE answer; DFU_DETACH moves it to appDETACH;
/// it then leaves by itself (will_detach) or at the next ResetDevice(); everything else stalls.
/// Leaving calls `on_leave` (the test unplugs it and plugs in the DFU-mode device).
class FakeDfuRunTime : public FakeUsbDevice {
 public:
  explicit FakeDfuRunTime(bool will_detach);

  devices::UsbResult ControlIn(const devices::UsbControlSetup& setup,
                               std::span<uint8_t> data) override;
  devices::UsbResult ControlOut(const devices::UsbControlSetup& setup,
                                std::span<const uint8_t> data) override;
  devices::UsbResult BulkIn(uint8_t, std::span<uint8_t>) override { return Stall(); }
  devices::UsbResult BulkOut(uint8_t, std::span<const uint8_t>) override { return Stall(); }
  devices::UsbResult ResetDevice() override;

  std::function<void()> on_leave;
  uint8_t state = 0;  ///< appIDLE (1: appDETACH).
  bool will_detach = false;
  bool left = false;

 private:
  void Leave();
};

}  // namespace tockctl::flasher::testing
