#include "tests/flasher/usb_backend_fixture.h"

#include <spdlog/sinks/null_sink.h>

#include <random>

namespace tockctl::flasher::testing {
namespace {

// Lets the back-end own "a host" while the test keeps the fake one.
class HostRef : public devices::UsbHost {
 public:
  explicit HostRef(std::shared_ptr<FakeUsbHost> host) : host_(std::move(host)) {}
  std::vector<devices::UsbDeviceInfo> ListDevices() override { return host_->ListDevices(); }
  std::unique_ptr<devices::UsbTransport> Open(const devices::UsbDeviceInfo& d) override {
    return host_->Open(d);
  }

 private:
  std::shared_ptr<FakeUsbHost> host_;
};

}  // namespace

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

UsbHostFactory FactoryFor(std::shared_ptr<FakeUsbHost> host) {
  return [host]() -> std::unique_ptr<devices::UsbHost> { return std::make_unique<HostRef>(host); };
}

}  // namespace tockctl::flasher::testing
