// Fuzz target usb_reply: what USB bootloaders send back, as the `dfu` and `picoboot` flash
// methods read it: DFU GETSTATUS replies and the state machine around them, the DFU functional
// descriptor, DfuSe memory descriptions ("@Internal Flash  /0x08000000/04*016Kg"), UPLOAD data,
// PICOBOOT CMD_STATUS after a stall, short and failed transfers. Input layout:
//   u8 flags: bit 0 DFU (else PICOBOOT); bit 1 DfuSe; bit 2 erase; bit 3 verify; bit 4 read;
//             bit 5 the RP2350 (else RP2040);
//   u8 n + n bytes of class-specific descriptors (DFU functional descriptor);
//   u8 n + n bytes of interface name (DfuSe memory description);
//   u32 segment address, u16 segment size (at most 4096);
//   then the device's side of every transfer, in order: u8 outcome (0xF0-0xF3 stall, timeout,
//   gone, error; anything else ok), and for transfers to the host u8 length (0xFF: as much as
//   asked) followed by that many data bytes.
// The decoders are also called directly on the descriptor and name bytes. Checks: every
// failure is a proper tockctl::Error; reads return exactly the bytes asked for. The DFU
// bwPollTimeout of GETSTATUS replies is zeroed: the client really sleeps that long, which
// a fuzzer cannot afford (the bound on those waits is a unit test in tests/flasher/dfu_test.cpp).
#include <memory>
#include <string>
#include <vector>

#include "flasher/dfu.h"
#include "flasher/picoboot.h"
#include "flasher/progress.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/scripted_link.h"

namespace tockctl::fuzz {
namespace {
namespace TOCKCTL_UNITY_ID {

using namespace flasher;

// The device's side of the transfers, shared by every transport opened on the device.
struct TransferScript {
  explicit TransferScript(std::vector<uint8_t> b)
      : bytes(std::move(b)), in(bytes.data(), bytes.size()) {}
  std::vector<uint8_t> bytes;
  InputReader in;
};

class ScriptedUsbDevice : public devices::UsbTransport {
 public:
  ScriptedUsbDevice(devices::UsbDeviceInfo info, std::shared_ptr<TransferScript> script)
      : info_(std::move(info)), script_(std::move(script)) {}
  const devices::UsbDeviceInfo& info() const override { return info_; }
  devices::UsbResult ClaimInterface(uint8_t) override { return {}; }
  devices::UsbResult SetAltSetting(uint8_t, uint8_t) override { return {}; }
  devices::UsbResult ControlIn(const devices::UsbControlSetup& setup,
                               std::span<uint8_t> data) override {
    devices::UsbResult r = In(data);
    const bool dfu_getstatus = setup.request_type == 0xA1 && setup.request == 3;
    if (dfu_getstatus && data.size() >= 4) std::fill(data.begin() + 1, data.begin() + 4, 0);
    return r;
  }
  devices::UsbResult ControlOut(const devices::UsbControlSetup&,
                                std::span<const uint8_t> data) override {
    return Out(data);
  }
  devices::UsbResult BulkIn(uint8_t, std::span<uint8_t> data) override { return In(data); }
  devices::UsbResult BulkOut(uint8_t, std::span<const uint8_t> data) override { return Out(data); }
  devices::UsbResult ClearHalt(uint8_t) override { return {}; }

 private:
  devices::UsbResult Outcome() {
    if (script_->in.empty()) return {devices::UsbStatus::kTimeout, 0, "LIBUSB_ERROR_TIMEOUT"};
    switch (script_->in.U8()) {
      case 0xF0:
        return {devices::UsbStatus::kStall, 0, "LIBUSB_ERROR_PIPE"};
      case 0xF1:
        return {devices::UsbStatus::kTimeout, 0, "LIBUSB_ERROR_TIMEOUT"};
      case 0xF2:
        return {devices::UsbStatus::kNoDevice, 0, "LIBUSB_ERROR_NO_DEVICE"};
      case 0xF3:
        return {devices::UsbStatus::kError, 0, "LIBUSB_ERROR_IO"};
      default:
        return {};
    }
  }
  devices::UsbResult Out(std::span<const uint8_t> data) {
    devices::UsbResult r = Outcome();
    if (r.ok()) r.transferred = data.size();
    return r;
  }
  devices::UsbResult In(std::span<uint8_t> data) {
    devices::UsbResult r = Outcome();
    if (!r.ok()) return r;
    const uint8_t length = script_->in.U8();
    auto bytes =
        script_->in.Bytes(length == 0xFF ? data.size() : std::min<size_t>(length, data.size()));
    std::copy(bytes.begin(), bytes.end(), data.begin());
    r.transferred = bytes.size();
    return r;
  }

  devices::UsbDeviceInfo info_;
  std::shared_ptr<TransferScript> script_;
};

class ScriptedUsbHost : public devices::UsbHost {
 public:
  ScriptedUsbHost(devices::UsbDeviceInfo info, std::shared_ptr<TransferScript> script)
      : info_(std::move(info)), script_(std::move(script)) {}
  std::vector<devices::UsbDeviceInfo> ListDevices() override { return {info_}; }
  std::unique_ptr<devices::UsbTransport> Open(const devices::UsbDeviceInfo& device) override {
    return std::make_unique<ScriptedUsbDevice>(device, script_);
  }

 private:
  devices::UsbDeviceInfo info_;
  std::shared_ptr<TransferScript> script_;
};

devices::UsbDeviceInfo MakeDevice(uint8_t flags, std::span<const uint8_t> extra, std::string name) {
  devices::UsbDeviceInfo d;
  d.bus = 1;
  d.address = 5;
  d.port_path = "1-4";
  if (flags & 0x01) {
    d.vid = 0x0483;
    d.pid = 0xdf11;
    devices::UsbInterfaceInfo dfu;
    dfu.interface_class = 0xFE;
    dfu.interface_subclass = 0x01;
    dfu.interface_protocol = 0x02;
    dfu.name = std::move(name);
    dfu.extra.assign(extra.begin(), extra.end());
    d.interfaces.push_back(dfu);
  } else {
    d.vid = kRaspberryPiVid;
    d.pid = (flags & 0x20) ? kRp2350BootselPid : kRp2040BootselPid;
    devices::UsbInterfaceInfo vendor;
    vendor.number = 1;
    vendor.interface_class = 0xFF;
    vendor.endpoints = {{0x03, 0x02, 64}, {0x84, 0x02, 64}};
    d.interfaces.push_back(vendor);
  }
  return d;
}

// The steps the flash runner would take, limited to what the back-end says it can do.
void Flash(FlashBackend& backend, const Segment& segment, uint8_t flags) {
  const Capabilities can = backend.capabilities();
  NullProgress progress;
  backend.Connect(progress);
  if ((flags & 0x04) && can.erase) backend.Erase(segment.address / 4096 * 4096, 4096, progress);
  backend.Write(segment, progress);
  if ((flags & 0x08) && can.verify) (void)backend.Verify(segment, progress);
  if ((flags & 0x10) && can.read)
    FUZZ_CHECK(backend.Read(segment.address, segment.data.size()).size() == segment.data.size());
  backend.Start(segment.address);
}

void DecodeDirectly(std::span<const uint8_t> extra, const std::string& name) {
  Accepted([&] { (void)DecodeDfuStatus(extra); });
  Accepted([&] { (void)DecodePicobootStatus(extra); });
  (void)FindDfuFunctional(extra);
  Accepted([&] {
    DfuseLayout layout = ParseDfuseLayout(name);
    for (const auto& run : layout.runs) (void)layout.SectorAt(run.start);
  });
}

TOCKCTL_FUZZ_TARGET(usb_reply) {
  using namespace tockctl;
  using namespace tockctl::flasher;
  InputReader in(data, size);
  const uint8_t flags = in.U8();
  const auto extra = in.Bytes(in.U8());
  const std::string name(AsText(in.Bytes(in.U8())));
  DecodeDirectly(extra, name);

  Segment segment;
  segment.address = in.U32();
  segment.data.assign(1 + in.U16() % 4096, 0x5A);
  segment.name = "PT_LOAD[0] (.text)";
  auto rest = in.Rest();
  auto script = std::make_shared<TransferScript>(std::vector<uint8_t>(rest.begin(), rest.end()));
  devices::UsbDeviceInfo device = MakeDevice(flags, extra, name);
  UsbHostFactory host = [device, script] {
    return std::make_unique<ScriptedUsbHost>(device, script);
  };

  std::unique_ptr<FlashBackend> backend;
  if (flags & 0x01) {
    DfuSettings settings;
    settings.dfuse = flags & 0x02;
    backend = std::make_unique<DfuBackend>(settings, host, QuietLogger());
  } else {
    backend = std::make_unique<PicobootBackend>(PicobootSettings{}, host, QuietLogger());
  }
  Accepted([&] { Flash(*backend, segment, flags); });
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::fuzz
