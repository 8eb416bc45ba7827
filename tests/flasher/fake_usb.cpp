#include "tests/flasher/fake_usb.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

#include "flasher/picoboot.h"

namespace tockctl::flasher::testing {
namespace {

uint32_t Le32(std::span<const uint8_t> p, size_t at) {
  return p[at] | (p[at + 1] << 8) | (p[at + 2] << 16) | (static_cast<uint32_t>(p[at + 3]) << 24);
}

void Store32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

class ForwardingTransport : public devices::UsbTransport {
 public:
  explicit ForwardingTransport(std::shared_ptr<FakeUsbDevice> d) : d_(std::move(d)) {}
  ~ForwardingTransport() override {
    for (uint8_t n : mine_) d_->Released(n);
  }
  const devices::UsbDeviceInfo& info() const override { return d_->info(); }
  devices::UsbResult ClaimInterface(uint8_t n) override {
    devices::UsbResult r = d_->ClaimInterface(n);
    if (r.ok()) mine_.push_back(n);
    return r;
  }
  devices::UsbResult SetAltSetting(uint8_t n, uint8_t a) override {
    return d_->SetAltSetting(n, a);
  }
  devices::UsbResult ControlIn(const devices::UsbControlSetup& s, std::span<uint8_t> d) override {
    return d_->ControlIn(s, d);
  }
  devices::UsbResult ControlOut(const devices::UsbControlSetup& s,
                                std::span<const uint8_t> d) override {
    return d_->ControlOut(s, d);
  }
  devices::UsbResult BulkIn(uint8_t e, std::span<uint8_t> d) override { return d_->BulkIn(e, d); }
  devices::UsbResult BulkOut(uint8_t e, std::span<const uint8_t> d) override {
    return d_->BulkOut(e, d);
  }
  devices::UsbResult ClearHalt(uint8_t e) override { return d_->ClearHalt(e); }
  devices::UsbResult ResetDevice() override { return d_->ResetDevice(); }

 private:
  std::shared_ptr<FakeUsbDevice> d_;
  std::vector<uint8_t> mine_;
};

}  // namespace

// ---- FakeUsbDevice ----

devices::UsbResult FakeUsbDevice::ClaimInterface(uint8_t number) {
  requests.push_back(fmt::format("claim {}", number));
  if (auto f = Injected()) return *f;
  claimed_.push_back(number);
  return Ok();
}

devices::UsbResult FakeUsbDevice::SetAltSetting(uint8_t number, uint8_t alternate) {
  requests.push_back(fmt::format("alt {} {}", number, alternate));
  if (auto f = Injected()) return *f;
  return Ok();
}

devices::UsbResult FakeUsbDevice::ClearHalt(uint8_t endpoint) {
  requests.push_back(fmt::format("clear halt 0x{:02x}", endpoint));
  return Ok();
}

devices::UsbResult FakeUsbDevice::ResetDevice() {
  requests.push_back("reset");
  return Ok();
}

size_t FakeUsbDevice::CountRequests(const std::string& prefix) const {
  return static_cast<size_t>(std::count_if(requests.begin(), requests.end(),
                                           [&](const auto& r) { return r.rfind(prefix, 0) == 0; }));
}

bool FakeUsbDevice::claimed(uint8_t number) const {
  return std::find(claimed_.begin(), claimed_.end(), number) != claimed_.end();
}

void FakeUsbDevice::Released(uint8_t number) {
  requests.push_back(fmt::format("release {}", number));
  claimed_.erase(std::remove(claimed_.begin(), claimed_.end(), number), claimed_.end());
}

std::optional<devices::UsbResult> FakeUsbDevice::Injected() {
  if (disconnect_after) {
    if (*disconnect_after <= 0)
      return devices::UsbResult{devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
    --*disconnect_after;
  }
  if (timeout_next) {
    timeout_next = false;
    return devices::UsbResult{devices::UsbStatus::kTimeout, 0, "LIBUSB_ERROR_TIMEOUT"};
  }
  return std::nullopt;
}

// ---- FakeUsbHost ----

std::vector<devices::UsbDeviceInfo> FakeUsbHost::ListDevices() {
  std::vector<devices::UsbDeviceInfo> out;
  for (const auto& d : devices_) out.push_back(d->info());
  return out;
}

void FakeUsbHost::Remove(const std::shared_ptr<FakeUsbDevice>& device) {
  devices_.erase(std::remove(devices_.begin(), devices_.end(), device), devices_.end());
}

std::unique_ptr<devices::UsbTransport> FakeUsbHost::Open(const devices::UsbDeviceInfo& device) {
  for (const auto& d : devices_)
    if (d->info().bus == device.bus && d->info().address == device.address) {
      ++opened;
      return std::make_unique<ForwardingTransport>(d);
    }
  return nullptr;
}

// ---- FakeRpBootsel ----

namespace {

devices::UsbDeviceInfo RpInfo(bool rp2350, std::string serial) {
  devices::UsbDeviceInfo info;
  info.vid = 0x2e8a;
  info.pid = rp2350 ? 0x000f : 0x0003;
  info.bus = 1;
  info.address = rp2350 ? 9 : 5;
  info.port_path = "1-2";
  info.serial_number = std::move(serial);
  info.manufacturer = "Raspberry Pi";
  info.product = rp2350 ? "RP2350 Boot" : "RP2 Boot";
  devices::UsbInterfaceInfo msc;
  msc.number = 0;
  msc.interface_class = 0x08;
  msc.interface_subclass = 0x06;
  msc.interface_protocol = 0x50;
  msc.endpoints = {{0x81, 0x02, 64}, {0x02, 0x02, 64}};
  devices::UsbInterfaceInfo picoboot;
  picoboot.number = 1;
  picoboot.interface_class = 0xFF;
  picoboot.endpoints = {{0x03, 0x02, 64}, {0x84, 0x02, 64}};
  info.interfaces = {msc, picoboot};
  return info;
}

constexpr uint32_t kFlashBase = 0x10000000;
constexpr uint32_t kRamBase = 0x20000000;

}  // namespace

FakeRpBootsel::FakeRpBootsel(bool rp2350, std::string serial)
    : FakeUsbDevice(RpInfo(rp2350, std::move(serial))),
      flash(2 * 1024 * 1024, 0xFF),
      ram_(264 * 1024, 0) {}

bool FakeRpBootsel::InFlash(uint32_t address, uint32_t size) const {
  return address >= kFlashBase && uint64_t{address} + size <= kFlashBase + flash.size();
}

void FakeRpBootsel::Refuse(uint32_t status) {
  status_ = status;
  stalled_ = true;
  expect_ = Expect::kCommand;
}

devices::UsbResult FakeRpBootsel::ControlIn(const devices::UsbControlSetup& s,
                                            std::span<uint8_t> data) {
  requests.push_back(
      fmt::format("control in 0x{:02x}/0x{:02x} index {}", s.request_type, s.request, s.index));
  if (auto f = Injected()) return *f;
  if (s.request_type != 0xC1 || s.request != 0x42 || data.size() < 16) return Stall();
  std::fill(data.begin(), data.end(), 0);
  Store32(&data[0], token_);
  Store32(&data[4], status_);
  data[8] = command_;
  return Ok(16);
}

devices::UsbResult FakeRpBootsel::ControlOut(const devices::UsbControlSetup& s,
                                             std::span<const uint8_t>) {
  requests.push_back(
      fmt::format("control out 0x{:02x}/0x{:02x} index {}", s.request_type, s.request, s.index));
  if (auto f = Injected()) return *f;
  if (s.request_type != 0x41 || s.request != 0x41) return Stall();
  stalled_ = false;
  expect_ = Expect::kCommand;
  status_ = 0;
  return Ok();
}

devices::UsbResult FakeRpBootsel::BulkOut(uint8_t endpoint, std::span<const uint8_t> data) {
  if (expect_ == Expect::kCommand && data.size() == 32 && Le32(data, 0) == 0x431fd10b) {
    command_ = data[8];
    token_ = Le32(data, 4);
    transfer_ = Le32(data, 12);
    args_.assign(data.begin() + 16, data.begin() + 16 + std::min<size_t>(data[9], 16));
    address_ = args_.size() >= 4 ? Le32(args_, 0) : 0;
    size_ = args_.size() >= 8 ? Le32(args_, 4) : 0;
    requests.push_back(fmt::format("bulk out 0x{:02x} {} 0x{:08x} +{}", endpoint,
                                   PicobootCommandName(command_), address_, size_));
  } else {
    requests.push_back(fmt::format("bulk out 0x{:02x} {} bytes", endpoint, data.size()));
  }
  if (auto f = Injected()) return *f;
  if (endpoint != 0x03) return Stall();
  if (stalled_) return Stall();
  switch (expect_) {
    case Expect::kCommand:
      if (data.size() != 32 || Le32(data, 0) != 0x431fd10b) {
        Refuse(2);
        return Stall();
      }
      status_ = 0;
      Execute();
      return Ok(32);
    case Expect::kDataOut:
      data_.insert(data_.end(), data.begin(), data.end());
      if (data_.size() >= transfer_) {
        if (auto it = fail_command.find(command_); it != fail_command.end()) {
          Refuse(it->second);
          fail_command.erase(it);
          return Ok(data.size());
        }
        for (size_t i = 0; i < data_.size(); ++i) {
          uint32_t at = address_ + static_cast<uint32_t>(i);
          if (InFlash(at, 1))
            flash[at - kFlashBase] &= data_[i];  // NOR: bits only clear
          else
            ram_[at - kRamBase] = data_[i];
        }
        expect_ = Expect::kAckIn;
      }
      return Ok(data.size());
    case Expect::kAckOut:
      expect_ = Expect::kCommand;
      return Ok();
    default:
      Refuse(8);
      return Stall();
  }
}

devices::UsbResult FakeRpBootsel::BulkIn(uint8_t endpoint, std::span<uint8_t> data) {
  requests.push_back(fmt::format("bulk in 0x{:02x} {} bytes", endpoint, data.size()));
  if (auto f = Injected()) return *f;
  if (endpoint != 0x84 || stalled_) return Stall();
  if (expect_ == Expect::kDataIn) {
    size_t n = std::min(data.size(), data_.size());
    std::copy_n(data_.begin(), n, data.begin());
    expect_ = Expect::kAckOut;
    return Ok(n);
  }
  if (expect_ == Expect::kAckIn) {
    expect_ = Expect::kCommand;
    if (rebooting_) disconnect_after = 0;  // the chip resets after acknowledging
    return Ok(0);
  }
  Refuse(8);
  return Stall();
}

void FakeRpBootsel::Execute() {
  if (auto it = fail_command.find(command_); it != fail_command.end() && command_ != 0x05) {
    Refuse(it->second);
    fail_command.erase(it);
    return;
  }
  bool in = command_ & 0x80;
  expect_ = transfer_ ? (in ? Expect::kDataIn : Expect::kDataOut)
                      : (in ? Expect::kAckOut : Expect::kAckIn);
  data_.clear();
  switch (command_) {
    case 0x01:
      exclusive = args_.size() == 1 && args_[0] != 0;
      break;
    case 0x06:
      xip_exited = true;
      xip_readable = false;
      break;
    case 0x07:
      xip_readable = true;
      break;
    case 0x03:
      if (address_ % 4096 || size_ % 4096) return Refuse(5);
      if (!InFlash(address_, size_)) return Refuse(4);
      std::fill_n(flash.begin() + (address_ - kFlashBase), size_, 0xFF);
      xip_readable = false;
      break;
    case 0x05:
      if (transfer_ != size_) return Refuse(3);
      if (InFlash(address_, size_) && (address_ % 256 || size_ % 256)) return Refuse(5);
      if (!InFlash(address_, size_) &&
          !(address_ >= kRamBase && uint64_t{address_} + size_ <= kRamBase + ram_.size()))
        return Refuse(4);
      if (InFlash(address_, size_)) xip_readable = false;
      break;
    case 0x84:
      if (transfer_ != size_) return Refuse(3);
      if (!InFlash(address_, size_)) return Refuse(4);
      data_.assign(flash.begin() + (address_ - kFlashBase),
                   flash.begin() + (address_ - kFlashBase) + size_);
      if (!xip_readable) std::fill(data_.begin(), data_.end(), 0);  // XIP off: not the flash
      break;
    case 0x02:
    case 0x0a:
      if (command_ == 0x0a && info_.pid != 0x000f) return Refuse(1);
      last_reboot_command = command_;
      last_reboot_args.clear();
      for (size_t i = 0; i + 4 <= args_.size(); i += 4) last_reboot_args.push_back(Le32(args_, i));
      rebooting_ = true;
      break;
    default:
      return Refuse(1);
  }
}

// ---- FakeStm32Dfu ----

namespace {

constexpr uint32_t kStmFlash = 0x08000000;
constexpr uint8_t kDfuIdle = 2, kDnloadSync = 3, kDnBusy = 4, kDnloadIdle = 5, kManifestSync = 6,
                  kManifest = 7, kUploadIdle = 9, kDfuError = 10;

devices::UsbDeviceInfo StmInfo(std::string serial, bool plain) {
  devices::UsbDeviceInfo info;
  info.vid = 0x0483;
  info.pid = 0xdf11;
  info.bus = 2;
  info.address = 7;
  info.port_path = "2-1";
  info.serial_number = std::move(serial);
  info.manufacturer = "STMicroelectronics";
  info.product = "STM32  BOOTLOADER";
  const char* names[] = {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
                         "@Option Bytes  /0x1FFFC000/01*016 e",
                         "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
                         "@Device Feature/0xFFFF0000/01*004 e"};
  for (uint8_t alt = 0; alt < 4; ++alt) {
    devices::UsbInterfaceInfo itf;
    itf.number = 0;
    itf.alternate = alt;
    itf.interface_class = 0xFE;
    itf.interface_subclass = 0x01;
    itf.interface_protocol = 0x02;
    itf.name = names[alt];
    // DFU functional descriptor: bmAttributes 0x0b, detach 255 ms, wTransferSize 2048, DfuSe 1.1a.
    itf.extra = {0x09, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01};
    if (plain) {
      itf.name = "Firmware";
      itf.extra = {0x09, 0x21, 0x07, 0xff, 0x00, 0x00, 0x08, 0x10, 0x01};  // DFU 1.1, tolerant
      info.pid = 0xdf12;
      info.interfaces.push_back(itf);
      break;
    }
    info.interfaces.push_back(itf);
  }
  return info;
}

uint32_t SectorStart(uint32_t offset) {
  if (offset < 0x10000) return offset / 0x4000 * 0x4000;
  if (offset < 0x20000) return 0x10000;
  return offset / 0x20000 * 0x20000;
}

uint32_t SectorSize(uint32_t offset) {
  if (offset < 0x10000) return 0x4000;
  if (offset < 0x20000) return 0x10000;
  return 0x20000;
}

}  // namespace

FakeStm32Dfu::FakeStm32Dfu(std::string serial, bool plain_dfu)
    : FakeUsbDevice(StmInfo(std::move(serial), plain_dfu)),
      flash(1024 * 1024, 0xFF),
      plain(plain_dfu) {}

devices::UsbResult FakeStm32Dfu::Error(uint8_t dfu_status) {
  status = dfu_status;
  state = kDfuError;
  return Stall();
}

devices::UsbResult FakeStm32Dfu::ControlOut(const devices::UsbControlSetup& s,
                                            std::span<const uint8_t> data) {
  std::string what = s.request == 1   ? "DNLOAD"
                     : s.request == 4 ? "CLRSTATUS"
                     : s.request == 6 ? "ABORT"
                     : s.request == 0 ? "DETACH"
                                      : "0x" + std::to_string(s.request);
  requests.push_back(fmt::format("control out {} wValue {} {} bytes", what, s.value, data.size()));
  if (auto f = Injected()) return *f;
  if (left) return devices::UsbResult{devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
  if (s.request_type != 0x21) return Stall();
  switch (s.request) {
    case 1:
      if (state != kDfuIdle && state != kDnloadIdle) return Error(0x0F);
      return Download(s.value, data);
    case 4:
      state = kDfuIdle;
      status = 0;
      return Ok();
    case 6:
      if (state == kDfuError) return Error(0x0F);
      state = kDfuIdle;
      return Ok();
    default:
      return Error(0x0F);
  }
}

devices::UsbResult FakeStm32Dfu::Download(uint16_t block, std::span<const uint8_t> data) {
  if (data.empty() && (plain || block >= 2)) {  // end of download / leave: manifest
    state = kManifestSync;
    return Ok();
  }
  if (data.size() > 2048) return Error(0x0F);
  pending_.assign(data.begin(), data.end());
  pending_block_ = block;
  pending_valid_ = true;
  state = kDnloadSync;
  return Ok(data.size());
}

void FakeStm32Dfu::Finish() {
  pending_valid_ = false;
  state = kDnloadIdle;
  if (plain) {
    uint32_t at = pending_block_ * 2048u;
    for (size_t i = 0; i < pending_.size() && at + i < flash.size(); ++i)
      flash[at + i] = pending_[i];  // a plain DFU device erases as it goes
    return;
  }
  if (pending_block_ == 0) {
    if (pending_.size() == 1 && pending_[0] == 0x41) {
      std::fill(flash.begin(), flash.end(), 0xFF);
      mass_erased = true;
      return;
    }
    if (pending_.size() != 5 || (pending_[0] != 0x21 && pending_[0] != 0x41)) {
      status = 0x0F;
      state = kDfuError;
      return;
    }
    uint32_t a = Le32(pending_, 1);
    if (a < kStmFlash || a >= kStmFlash + flash.size()) {
      status = 0x01;  // errTARGET
      state = kDfuError;
      return;
    }
    if (pending_[0] == 0x21) {
      address_ = a;
    } else {
      uint32_t start = SectorStart(a - kStmFlash);
      std::fill_n(flash.begin() + start, SectorSize(start), 0xFF);
      erased.push_back(kStmFlash + start);
    }
    return;
  }
  uint32_t a = address_ + (pending_block_ - 2u) * 2048u;
  if (fail_write_at && *fail_write_at >= a && *fail_write_at < a + pending_.size()) {
    status = 0x03;  // errWRITE
    state = kDfuError;
    return;
  }
  if (a < kStmFlash || uint64_t{a} + pending_.size() > kStmFlash + flash.size()) {
    status = 0x08;  // errADDRESS
    state = kDfuError;
    return;
  }
  for (size_t i = 0; i < pending_.size(); ++i) flash[a - kStmFlash + i] &= pending_[i];
}

devices::UsbResult FakeStm32Dfu::ControlIn(const devices::UsbControlSetup& s,
                                           std::span<uint8_t> data) {
  std::string what = s.request == 3   ? "GETSTATUS"
                     : s.request == 5 ? "GETSTATE"
                     : s.request == 2 ? "UPLOAD"
                                      : "0x" + std::to_string(s.request);
  requests.push_back(fmt::format("control in {} wValue {}", what, s.value));
  if (auto f = Injected()) return *f;
  if (left) return devices::UsbResult{devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
  if (s.request_type != 0xA1) return Stall();
  if (s.request == 5) {
    if (data.empty()) return Stall();
    data[0] = state;
    return Ok(1);
  }
  if (s.request == 2) {
    if (state != kDfuIdle && state != kUploadIdle) return Error(0x0F);
    if (s.value < 2) return Error(0x0F);
    uint32_t a = address_ + (s.value - 2u) * 2048u;
    if (a < kStmFlash || uint64_t{a} + data.size() > kStmFlash + flash.size()) return Error(0x08);
    std::copy_n(flash.begin() + (a - kStmFlash), data.size(), data.begin());
    state = kUploadIdle;
    return Ok(data.size());
  }
  if (s.request != 3 || data.size() < 6) return Stall();
  if (state == kDnloadSync) {
    state = kDnBusy;
    busy_left_ = busy_polls;
  } else if (state == kDnBusy && --busy_left_ <= 0) {
    Finish();
  } else if (state == kManifestSync) {
    state = kManifest;
    if (!plain) left = true;  // the STM32 resets into the new firmware after this reply
  } else if (state == kManifest) {
    state = kDfuIdle;  // manifestation tolerant
  }
  data[0] = status;
  data[1] = static_cast<uint8_t>(poll_timeout_ms);
  data[2] = static_cast<uint8_t>(poll_timeout_ms >> 8);
  data[3] = static_cast<uint8_t>(poll_timeout_ms >> 16);
  data[4] = state;
  data[5] = 0;
  return Ok(6);
}

// ---- FakeDfuRunTime ----

namespace {

devices::UsbDeviceInfo RunTimeInfo(bool will_detach) {
  devices::UsbDeviceInfo info;
  info.vid = 0x1209;
  info.pid = 0x0002;
  info.bus = 2;
  info.address = 6;
  info.port_path = "2-1";
  info.serial_number = "RT0001";
  info.product = "Widget";
  devices::UsbInterfaceInfo own;
  own.interface_class = 0xFF;
  own.name = "Widget";
  devices::UsbInterfaceInfo runtime;
  runtime.number = 1;
  runtime.interface_class = 0xFE;
  runtime.interface_subclass = 0x01;
  runtime.interface_protocol = 0x01;
  runtime.name = "DFU run-time";
  // bmAttributes: download, upload, manifestation tolerant (+ bitWillDetach); detach 1000 ms.
  runtime.extra = {0x09, 0x21, static_cast<uint8_t>(will_detach ? 0x0f : 0x07),
                   0xe8, 0x03, 0x00,
                   0x04, 0x10, 0x01};
  info.interfaces = {own, runtime};
  return info;
}

}  // namespace

FakeDfuRunTime::FakeDfuRunTime(bool detaches_itself)
    : FakeUsbDevice(RunTimeInfo(detaches_itself)), will_detach(detaches_itself) {}

void FakeDfuRunTime::Leave() {
  left = true;
  if (on_leave) on_leave();
}

devices::UsbResult FakeDfuRunTime::ControlIn(const devices::UsbControlSetup& s,
                                             std::span<uint8_t> data) {
  requests.push_back(
      fmt::format("control in 0x{:02x} wValue {} wIndex {}", s.request, s.value, s.index));
  if (left) return devices::UsbResult{devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
  if (s.request_type != 0xA1 || s.index != 1) return Stall();
  if (s.request == 5 && !data.empty()) {
    data[0] = state;
    return Ok(1);
  }
  if (s.request != 3 || data.size() < 6) return Stall();
  std::fill(data.begin(), data.begin() + 6, uint8_t{0});
  data[4] = state;
  return Ok(6);
}

devices::UsbResult FakeDfuRunTime::ControlOut(const devices::UsbControlSetup& s,
                                              std::span<const uint8_t> data) {
  requests.push_back(fmt::format("control out {} wValue {} wIndex {}",
                                 s.request == 0 ? "DETACH" : "0x" + std::to_string(s.request),
                                 s.value, s.index));
  if (left) return devices::UsbResult{devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
  if (s.request_type != 0x21 || s.index != 1 || s.request != 0 || !data.empty() || state != 0)
    return Stall();
  state = 1;  // appDETACH
  if (will_detach) Leave();
  return Ok();
}

devices::UsbResult FakeDfuRunTime::ResetDevice() {
  requests.push_back("reset");
  if (left) return devices::UsbResult{devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
  if (state != 1) return Ok();  // a reset in appIDLE: still the firmware
  Leave();
  return devices::UsbResult{devices::UsbStatus::kNotFound, 0, "LIBUSB_ERROR_NOT_FOUND"};
}

}  // namespace tockctl::flasher::testing
