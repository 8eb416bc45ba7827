#include "tests/tracer/fake_usb_backend.h"

#include <algorithm>
#include <cstdio>

namespace tockctl::tracer::testing {

namespace {

using Type = UsbEndpointInfo::Type;

class FakeUsbLink : public UsbDeviceLink {
 public:
  FakeUsbLink(std::shared_ptr<FakeUsbWorld> world, size_t index)
      : world_(std::move(world)), index_(index) {
    ++world_->links_open;
  }
  ~FakeUsbLink() override {
    if (!in_flight_.empty()) world_->freed_while_in_flight = true;
    world_->in_flight -= in_flight_.size();
    --world_->links_open;
    world_->calls.push_back("close");
  }

  UsbStatus ReadSerialNumber(std::string* serial) override {
    *serial = device().serial;
    return {};
  }
  UsbStatus ReadInterfaces(std::vector<UsbInterfaceInfo>* interfaces) override {
    *interfaces = device().interfaces;
    return {};
  }
  UsbStatus ClaimInterface(uint8_t number, uint8_t alternate) override {
    world_->calls.push_back("claim " + std::to_string(number) + "/" + std::to_string(alternate));
    return device().claim_result;
  }
  UsbStatus ClearHalt(uint8_t endpoint) override {
    char text[32];
    std::snprintf(text, sizeof(text), "clear_halt 0x%02x", endpoint);
    world_->calls.push_back(text);
    return {};
  }
  UsbStatus SubmitBulkIn(size_t slot, uint8_t endpoint, size_t length) override {
    if (!device().plugged) return {UsbCode::kNoDevice, "LIBUSB_ERROR_NO_DEVICE"};
    if (!world_->submit_results.empty()) {
      UsbStatus forced = world_->submit_results.front();
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
  UsbStatus HandleEvents(std::chrono::milliseconds timeout,
                         std::vector<UsbCompletion>* done) override {
    size_t before = done->size();
    while (!in_flight_.empty() && (!device().plugged || !world_->pending.empty())) {
      done->push_back(CompleteOldest());
    }
    if (done->size() == before) world_->clock->SleepUntil(world_->clock->Now() + timeout);
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
      c.status = {UsbCode::kNoDevice, "LIBUSB_TRANSFER_NO_DEVICE"};
      return c;
    }
    FakeUsbEvent& event = world_->pending.front();
    if (!event.status.ok()) {
      c.status = event.status;
      world_->pending.pop_front();
      return c;
    }
    std::vector<uint8_t>& buffer = buffers_[slot];
    size_t n = std::min(buffer.size(), event.bytes.size());
    std::copy_n(event.bytes.begin(), n, buffer.begin());
    event.bytes.erase(event.bytes.begin(), event.bytes.begin() + static_cast<long>(n));
    if (event.bytes.empty()) world_->pending.pop_front();
    c.data = std::span<const uint8_t>(buffer.data(), n);
    return c;
  }

  std::shared_ptr<FakeUsbWorld> world_;
  size_t index_;
  std::deque<size_t> in_flight_;
  std::vector<std::vector<uint8_t>> buffers_;
};

class FakeUsbBackend : public UsbBackend {
 public:
  explicit FakeUsbBackend(std::shared_ptr<FakeUsbWorld> world) : world_(std::move(world)) {}

  UsbStatus Init() override { return world_->init_result; }
  std::string AccessProblem() const override { return world_->access_problem; }
  UsbStatus ListDevices(std::vector<UsbDeviceInfo>* devices) override {
    for (const auto& d : world_->devices) {
      if (d.plugged) devices->push_back(d.info);
    }
    return {};
  }
  UsbStatus Open(const UsbDeviceInfo& info, std::unique_ptr<UsbDeviceLink>* link) override {
    for (size_t i = 0; i < world_->devices.size(); ++i) {
      const FakeUsbDevice& d = world_->devices[i];
      if (!d.plugged || d.info.bus != info.bus || d.info.address != info.address) continue;
      world_->calls.push_back("open " + std::to_string(info.bus) + "/" +
                              std::to_string(info.address));
      if (!d.open_result.ok()) return d.open_result;
      *link = std::make_unique<FakeUsbLink>(world_, i);
      return {};
    }
    return {UsbCode::kNoDevice, "LIBUSB_ERROR_NO_DEVICE"};
  }

 private:
  std::shared_ptr<FakeUsbWorld> world_;
};

}  // namespace

std::unique_ptr<UsbBackend> MakeFakeUsbBackend(std::shared_ptr<FakeUsbWorld> world) {
  return std::make_unique<FakeUsbBackend>(std::move(world));
}

std::vector<UsbInterfaceInfo> TockBoardInterfaces() {
  return {
      {0, 0, 0x02, 0x02, 0x01, "CDC ACM", {{0x81, Type::kInterrupt, 16}}},
      {1, 0, 0x0A, 0x00, 0x00, "", {{0x02, Type::kBulk, 64}, {0x82, Type::kBulk, 64}}},
      {2, 0, 0xFF, 0x00, 0x00, "CMSIS-DAP v2", {{0x03, Type::kBulk, 64}, {0x83, Type::kBulk, 64}}},
      {3, 0, 0xFF, 0x00, 0x00, "Tock Trace", {{0x04, Type::kBulk, 512}, {0x85, Type::kBulk, 512}}},
  };
}

}  // namespace tockctl::tracer::testing
