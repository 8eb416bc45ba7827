#include "flasher/libusb_transport.h"

#include <libusb.h>
#include <spdlog/fmt/fmt.h>

#include "common/error.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {

namespace {

const char* const kUdevHint =
    "install the udev rules: sudo cp udev/60-tockctl.rules /etc/udev/rules.d/ && sudo udevadm "
    "control --reload-rules && sudo udevadm trigger, then unplug and replug the device";

unsigned TimeoutMs() { return static_cast<unsigned>(kUsbTransferTimeout.count()); }

UsbResult ResultOf(int rc, size_t transferred) {
  UsbResult r;
  r.transferred = transferred;
  if (rc >= 0) return r;
  r.error_name = libusb_error_name(rc);
  switch (rc) {
    case LIBUSB_ERROR_PIPE:
      r.status = UsbStatus::kStall;
      break;
    case LIBUSB_ERROR_TIMEOUT:
      r.status = UsbStatus::kTimeout;
      break;
    case LIBUSB_ERROR_NO_DEVICE:
      r.status = UsbStatus::kNoDevice;
      break;
    default:
      r.status = UsbStatus::kError;
      break;
  }
  return r;
}

struct DeviceUnref {
  void operator()(libusb_device* d) const { libusb_unref_device(d); }
};
struct HandleClose {
  void operator()(libusb_device_handle* h) const { libusb_close(h); }
};
struct ConfigFree {
  void operator()(libusb_config_descriptor* c) const { libusb_free_config_descriptor(c); }
};
using DevicePtr = std::unique_ptr<libusb_device, DeviceUnref>;
using HandlePtr = std::unique_ptr<libusb_device_handle, HandleClose>;
using ConfigPtr = std::unique_ptr<libusb_config_descriptor, ConfigFree>;

// The device list; frees the list and drops its references on destruction.
class DeviceList {
 public:
  explicit DeviceList(libusb_context* ctx) : count_(libusb_get_device_list(ctx, &list_)) {}
  ~DeviceList() {
    if (list_) libusb_free_device_list(list_, 1);
  }
  DeviceList(const DeviceList&) = delete;
  DeviceList& operator=(const DeviceList&) = delete;
  ssize_t count() const { return count_; }
  libusb_device* operator[](ssize_t i) const { return list_[i]; }

 private:
  libusb_device** list_ = nullptr;
  ssize_t count_ = 0;
};

std::string ReadString(libusb_device_handle* h, uint8_t index) {
  if (!h || index == 0) return "";
  unsigned char buf[256];
  int n = libusb_get_string_descriptor_ascii(h, index, buf, sizeof buf);
  return n > 0 ? std::string(reinterpret_cast<char*>(buf), static_cast<size_t>(n)) : "";
}

std::string PortPath(libusb_device* dev) {
  uint8_t ports[8];
  int n = libusb_get_port_numbers(dev, ports, sizeof ports);
  std::string path = std::to_string(libusb_get_bus_number(dev));
  for (int i = 0; i < n; ++i) path += (i == 0 ? "-" : ".") + std::to_string(ports[i]);
  return path;
}

void AddInterfaces(libusb_device* dev, libusb_device_handle* h, UsbDeviceInfo& info,
                   spdlog::logger& log) {
  libusb_config_descriptor* raw = nullptr;
  int rc = libusb_get_active_config_descriptor(dev, &raw);
  if (rc != 0 || !raw) {
    log.debug("libusb_get_active_config_descriptor {}: {}", DescribeUsbDevice(info),
              libusb_error_name(rc));
    return;
  }
  ConfigPtr config(raw);
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    const libusb_interface& itf = config->interface[i];
    for (int a = 0; a < itf.num_altsetting; ++a) {
      const libusb_interface_descriptor& d = itf.altsetting[a];
      UsbInterfaceInfo out;
      out.number = d.bInterfaceNumber;
      out.alternate = d.bAlternateSetting;
      out.interface_class = d.bInterfaceClass;
      out.interface_subclass = d.bInterfaceSubClass;
      out.interface_protocol = d.bInterfaceProtocol;
      out.name = ReadString(h, d.iInterface);
      for (int e = 0; e < d.bNumEndpoints; ++e)
        out.endpoints.push_back({d.endpoint[e].bEndpointAddress, d.endpoint[e].bmAttributes,
                                 d.endpoint[e].wMaxPacketSize});
      if (d.extra && d.extra_length > 0) out.extra.assign(d.extra, d.extra + d.extra_length);
      info.interfaces.push_back(std::move(out));
    }
  }
}

}  // namespace

struct LibusbHost::Context {
  libusb_context* ctx = nullptr;
  ~Context() {
    if (ctx) libusb_exit(ctx);
  }
};

namespace {

// A claimed interface; released on destruction.
class ClaimedInterface {
 public:
  ClaimedInterface(libusb_device_handle* h, uint8_t number) : handle_(h), number_(number) {}
  ~ClaimedInterface() { libusb_release_interface(handle_, number_); }
  ClaimedInterface(const ClaimedInterface&) = delete;
  ClaimedInterface& operator=(const ClaimedInterface&) = delete;
  uint8_t number() const { return number_; }

 private:
  libusb_device_handle* handle_;
  uint8_t number_;
};

class LibusbTransport : public UsbTransport {
 public:
  LibusbTransport(std::shared_ptr<LibusbHost::Context> ctx, HandlePtr handle, UsbDeviceInfo info,
                  std::shared_ptr<spdlog::logger> log)
      : ctx_(std::move(ctx)),
        handle_(std::move(handle)),
        info_(std::move(info)),
        log_(std::move(log)) {}
  ~LibusbTransport() override { claimed_.clear(); }  // release before the handle closes

  const UsbDeviceInfo& info() const override { return info_; }

  UsbResult ClaimInterface(uint8_t number) override {
    libusb_set_auto_detach_kernel_driver(handle_.get(), 1);
    int rc = libusb_claim_interface(handle_.get(), number);
    if (rc == 0) claimed_.push_back(std::make_unique<ClaimedInterface>(handle_.get(), number));
    return Log(ResultOf(rc, 0), fmt::format("claim interface {}", number));
  }

  UsbResult SetAltSetting(uint8_t number, uint8_t alternate) override {
    int rc = libusb_set_interface_alt_setting(handle_.get(), number, alternate);
    return Log(ResultOf(rc, 0), fmt::format("set interface {} alternate {}", number, alternate));
  }

  UsbResult ControlIn(const UsbControlSetup& s, std::span<uint8_t> data) override {
    int rc = libusb_control_transfer(handle_.get(), s.request_type, s.request, s.value, s.index,
                                     data.data(), static_cast<uint16_t>(data.size()), TimeoutMs());
    return Log(ResultOf(rc, rc > 0 ? static_cast<size_t>(rc) : 0),
               fmt::format("control in 0x{:02x}/0x{:02x}", s.request_type, s.request));
  }

  UsbResult ControlOut(const UsbControlSetup& s, std::span<const uint8_t> data) override {
    int rc = libusb_control_transfer(handle_.get(), s.request_type, s.request, s.value, s.index,
                                     const_cast<uint8_t*>(data.data()),
                                     static_cast<uint16_t>(data.size()), TimeoutMs());
    return Log(ResultOf(rc, rc > 0 ? static_cast<size_t>(rc) : 0),
               fmt::format("control out 0x{:02x}/0x{:02x}", s.request_type, s.request));
  }

  UsbResult BulkIn(uint8_t endpoint, std::span<uint8_t> data) override {
    int done = 0;
    int rc = libusb_bulk_transfer(handle_.get(), endpoint, data.data(),
                                  static_cast<int>(data.size()), &done, TimeoutMs());
    return Log(ResultOf(rc, static_cast<size_t>(done)), fmt::format("bulk in 0x{:02x}", endpoint));
  }

  UsbResult BulkOut(uint8_t endpoint, std::span<const uint8_t> data) override {
    int done = 0;
    int rc = libusb_bulk_transfer(handle_.get(), endpoint, const_cast<uint8_t*>(data.data()),
                                  static_cast<int>(data.size()), &done, TimeoutMs());
    return Log(ResultOf(rc, static_cast<size_t>(done)), fmt::format("bulk out 0x{:02x}", endpoint));
  }

  UsbResult ClearHalt(uint8_t endpoint) override {
    return Log(ResultOf(libusb_clear_halt(handle_.get(), endpoint), 0),
               fmt::format("clear halt 0x{:02x}", endpoint));
  }

 private:
  UsbResult Log(UsbResult r, const std::string& what) {
    if (!r.ok()) log_->debug("libusb {} {}: {}", DescribeUsbDevice(info_), what, r.error_name);
    return r;
  }

  std::shared_ptr<LibusbHost::Context> ctx_;  // outlives the handle
  HandlePtr handle_;
  std::vector<std::unique_ptr<ClaimedInterface>> claimed_;
  UsbDeviceInfo info_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

LibusbHost::LibusbHost(std::shared_ptr<spdlog::logger> log)
    : context_(std::make_shared<Context>()), log_(std::move(log)) {
  int rc = libusb_init(&context_->ctx);
  if (rc != 0) {
    context_->ctx = nullptr;
    log_->debug("libusb_init: {}", libusb_error_name(rc));
    throw Error(ErrorCategory::kTransport, "this host gives no access to USB devices",
                ErrorContext{},
                "on Linux tockctl needs /dev/bus/usb; in a container pass the USB bus through "
                "(e.g. --device /dev/bus/usb)");
  }
}

LibusbHost::~LibusbHost() = default;

std::vector<UsbDeviceInfo> LibusbHost::ListDevices() {
  DeviceList list(context_->ctx);
  if (list.count() < 0) {
    log_->debug("libusb_get_device_list: {}", libusb_error_name(static_cast<int>(list.count())));
    throw Error(ErrorCategory::kTransport, "cannot list USB devices", ErrorContext{},
                "check that /dev/bus/usb is readable");
  }
  std::vector<UsbDeviceInfo> out;
  for (ssize_t i = 0; i < list.count(); ++i) {
    libusb_device* dev = list[i];
    libusb_device_descriptor desc{};
    if (int rc = libusb_get_device_descriptor(dev, &desc); rc != 0) {
      log_->debug("libusb_get_device_descriptor: {}", libusb_error_name(rc));
      continue;
    }
    UsbDeviceInfo info;
    info.vid = desc.idVendor;
    info.pid = desc.idProduct;
    info.bus = libusb_get_bus_number(dev);
    info.address = libusb_get_device_address(dev);
    info.port_path = PortPath(dev);
    libusb_device_handle* raw = nullptr;
    int rc = libusb_open(dev, &raw);
    HandlePtr handle(rc == 0 ? raw : nullptr);
    if (rc != 0) {
      info.strings_readable = false;
      log_->debug("libusb_open {}: {}", DescribeUsbDevice(info), libusb_error_name(rc));
    }
    info.serial_number = ReadString(handle.get(), desc.iSerialNumber);
    info.manufacturer = ReadString(handle.get(), desc.iManufacturer);
    info.product = ReadString(handle.get(), desc.iProduct);
    AddInterfaces(dev, handle.get(), info, *log_);
    out.push_back(std::move(info));
  }
  return out;
}

std::unique_ptr<UsbTransport> LibusbHost::Open(const UsbDeviceInfo& device) {
  DeviceList list(context_->ctx);
  for (ssize_t i = 0; i < list.count(); ++i) {
    libusb_device* dev = list[i];
    if (libusb_get_bus_number(dev) != device.bus ||
        libusb_get_device_address(dev) != device.address)
      continue;
    DevicePtr keep(libusb_ref_device(dev));
    libusb_device_handle* raw = nullptr;
    int rc = libusb_open(keep.get(), &raw);
    if (rc != 0) {
      log_->debug("libusb_open {}: {}", DescribeUsbDevice(device), libusb_error_name(rc));
      if (rc == LIBUSB_ERROR_ACCESS)
        throw Error(ErrorCategory::kTransport,
                    "no permission to open USB device " + DescribeUsbDevice(device), ErrorContext{},
                    kUdevHint);
      throw Error(ErrorCategory::kTransport, "cannot open USB device " + DescribeUsbDevice(device),
                  ErrorContext{}, "unplug and replug it, then retry");
    }
    return std::make_unique<LibusbTransport>(context_, HandlePtr(raw), device, log_);
  }
  throw Error(ErrorCategory::kTransport,
              "USB device " + DescribeUsbDevice(device) + " disappeared before it was opened",
              ErrorContext{}, "reconnect it and retry");
}

}  // namespace tockctl::flasher
