#include "tests/tracer/fake_usb_backend.h"

#include <algorithm>
#include <cstdio>

#include "common/error.h"

namespace tockctl::tracer::testing {

namespace {

using devices::UsbCompletion;
using devices::UsbResult;
using devices::UsbStatus;

constexpr uint8_t kInterrupt = 0x03;
constexpr uint8_t kBulk = devices::kUsbTransferTypeBulk;

// The device as a listing shows it.
devices::UsbDeviceInfo Listed(const FakeUsbDevice& d) {
  devices::UsbDeviceInfo info = d.info;
  info.serial_number = d.serial;
  info.interfaces = d.interfaces;
  return info;
}

class FakeUsbLink : public devices::UsbTransport {
 public:
  FakeUsbLink(std::shared_ptr<FakeUsbWorld> world, size_t index)
      : world_(std::move(world)), index_(index), info_(Listed(device())) {
    ++world_->links_open;
  }
  ~FakeUsbLink() override {
    if (!in_flight_.empty()) world_->freed_while_in_flight = true;
    world_->in_flight -= in_flight_.size();
    --world_->links_open;
    world_->calls.push_back("close");
  }

  const devices::UsbDeviceInfo& info() const override { return info_; }
  UsbResult ClaimInterface(uint8_t number) override {
    world_->calls.push_back("claim " + std::to_string(number));
    return device().claim_result;
  }
  UsbResult SetAltSetting(uint8_t number, uint8_t alternate) override {
    world_->calls.push_back("alt " + std::to_string(number) + "/" + std::to_string(alternate));
    return {};
  }
  UsbResult ControlIn(const devices::UsbControlSetup&, std::span<uint8_t>) override {
    return {UsbStatus::kStall, 0, "LIBUSB_ERROR_PIPE"};
  }
  UsbResult ControlOut(const devices::UsbControlSetup&, std::span<const uint8_t>) override {
    return {UsbStatus::kStall, 0, "LIBUSB_ERROR_PIPE"};
  }
  UsbResult BulkIn(uint8_t, std::span<uint8_t>) override {
    return {UsbStatus::kTimeout, 0, "LIBUSB_ERROR_TIMEOUT"};
  }
  UsbResult BulkOut(uint8_t endpoint, std::span<const uint8_t> data) override {
    char text[48];
    std::snprintf(text, sizeof(text), "bulk_out 0x%02x %zu", endpoint, data.size());
    world_->calls.push_back(text);
    return {UsbStatus::kOk, data.size(), ""};
  }
  UsbResult ClearHalt(uint8_t endpoint) override {
    char text[32];
    std::snprintf(text, sizeof(text), "clear_halt 0x%02x", endpoint);
    world_->calls.push_back(text);
    return {};
  }
  UsbResult SubmitBulkIn(size_t slot, uint8_t endpoint, size_t length) override {
    if (!device().plugged) return {UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
    if (!world_->submit_results.empty()) {
      UsbResult forced = world_->submit_results.front();
      world_->submit_results.pop_front();
      if (!forced.ok()) return forced;
    }
    if (buffers_.size() <= slot) buffers_.resize(slot + 1);
    buffers_[slot].assign(length, 0);
    in_flight_.push_back(slot);
    world_->submitted_lengths.push_back(length);
    world_->submitted_endpoints.push_back(endpoint);
    world_->max_in_flight = std::max(world_->max_in_flight, ++world_->in_flight);
    return {};
  }
  UsbResult HandleEvents(std::chrono::milliseconds timeout,
                         std::vector<UsbCompletion>* done) override {
    size_t before = done->size();
    while (!in_flight_.empty() && (!device().plugged || !world_->pending.empty())) {
      done->push_back(CompleteOldest());
    }
    if (done->size() == before) world_->clock.SleepUntil(world_->clock.Now() + timeout);
    return {};
  }
  void CancelTransfers() override {
    world_->calls.push_back("cancel");
    world_->in_flight -= in_flight_.size();
    in_flight_.clear();
  }

 private:
  FakeUsbDevice& device() { return world_->devices[index_]; }

  UsbCompletion CompleteOldest() {
    size_t slot = in_flight_.front();
    in_flight_.pop_front();
    --world_->in_flight;
    UsbCompletion c;
    c.slot = slot;
    if (!device().plugged) {
      c.result = {UsbStatus::kNoDevice, 0, "LIBUSB_TRANSFER_NO_DEVICE"};
      return c;
    }
    FakeUsbEvent& event = world_->pending.front();
    if (!event.status.ok()) {
      c.result = event.status;
      world_->pending.pop_front();
      return c;
    }
    std::vector<uint8_t>& buffer = buffers_[slot];
    size_t n = std::min(buffer.size(), event.bytes.size());
    std::copy_n(event.bytes.begin(), n, buffer.begin());
    event.bytes.erase(event.bytes.begin(), event.bytes.begin() + static_cast<long>(n));
    if (event.bytes.empty()) world_->pending.pop_front();
    c.data = std::span<const uint8_t>(buffer.data(), n);
    c.result.transferred = n;
    return c;
  }

  std::shared_ptr<FakeUsbWorld> world_;
  size_t index_;
  devices::UsbDeviceInfo info_;
  std::deque<size_t> in_flight_;
  std::vector<std::vector<uint8_t>> buffers_;
};

class FakeUsbBackend : public devices::UsbHost {
 public:
  explicit FakeUsbBackend(std::shared_ptr<FakeUsbWorld> world) : world_(std::move(world)) {}

  std::vector<devices::UsbDeviceInfo> ListDevices() override {
    std::vector<devices::UsbDeviceInfo> devices;
    for (const auto& d : world_->devices) {
      if (d.plugged) devices.push_back(Listed(d));
    }
    return devices;
  }
  std::unique_ptr<devices::UsbTransport> Open(const devices::UsbDeviceInfo& info) override {
    std::unique_ptr<devices::UsbTransport> opened;
    UsbResult r = TryOpen(info, &opened);
    if (!r.ok()) throw Error(ErrorCategory::kTransport, r.error_name);
    return opened;
  }
  UsbResult TryOpen(const devices::UsbDeviceInfo& info,
                    std::unique_ptr<devices::UsbTransport>* opened) override {
    for (size_t i = 0; i < world_->devices.size(); ++i) {
      const FakeUsbDevice& d = world_->devices[i];
      if (!d.plugged || d.info.bus != info.bus || d.info.address != info.address) continue;
      world_->calls.push_back("open " + std::to_string(info.bus) + "/" +
                              std::to_string(info.address));
      if (!d.open_result.ok()) return d.open_result;
      *opened = std::make_unique<FakeUsbLink>(world_, i);
      return {};
    }
    return {UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
  }

 private:
  std::shared_ptr<FakeUsbWorld> world_;
};

}  // namespace

std::unique_ptr<devices::UsbHost> MakeFakeUsbBackend(std::shared_ptr<FakeUsbWorld> world) {
  return std::make_unique<FakeUsbBackend>(std::move(world));
}

std::vector<devices::UsbInterfaceInfo> TockBoardInterfaces() {
  return {
      {0, 0, 0x02, 0x02, 0x01, "CDC ACM", {{0x81, kInterrupt, 16}}, {}},
      {1, 0, 0x0A, 0x00, 0x00, "", {{0x02, kBulk, 64}, {0x82, kBulk, 64}}, {}},
      {2, 0, 0xFF, 0x00, 0x00, "CMSIS-DAP v2", {{0x03, kBulk, 64}, {0x83, kBulk, 64}}, {}},
      {3, 0, 0xFF, 0x00, 0x00, "Tock Trace", {{0x04, kBulk, 512}, {0x85, kBulk, 512}}, {}},
  };
}

}  // namespace tockctl::tracer::testing
