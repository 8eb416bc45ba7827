#include "devices/libusb_host.h"

#include <libusb.h>
#include <spdlog/fmt/fmt.h>
#include <sys/time.h>

#include "common/error.h"
#include "devices/device_context.h"

namespace tockctl::devices {

namespace {

using std::chrono::milliseconds;

unsigned TimeoutMs() { return static_cast<unsigned>(kUsbTransferTimeout.count()); }

UsbStatus StatusOfError(int rc) {
  switch (rc) {
    case LIBUSB_ERROR_PIPE:
      return UsbStatus::kStall;
    case LIBUSB_ERROR_TIMEOUT:
      return UsbStatus::kTimeout;
    case LIBUSB_ERROR_NO_DEVICE:
      return UsbStatus::kNoDevice;
    case LIBUSB_ERROR_ACCESS:
      return UsbStatus::kAccessDenied;
    case LIBUSB_ERROR_NOT_FOUND:
      return UsbStatus::kNotFound;
    case LIBUSB_ERROR_BUSY:
      return UsbStatus::kBusy;
    case LIBUSB_ERROR_OVERFLOW:
      return UsbStatus::kOverflow;
    default:
      return UsbStatus::kError;
  }
}

UsbStatus StatusOfTransfer(libusb_transfer_status status) {
  switch (status) {
    case LIBUSB_TRANSFER_COMPLETED:
      return UsbStatus::kOk;
    case LIBUSB_TRANSFER_TIMED_OUT:
      return UsbStatus::kTimeout;
    case LIBUSB_TRANSFER_CANCELLED:
      return UsbStatus::kCancelled;
    case LIBUSB_TRANSFER_STALL:
      return UsbStatus::kStall;
    case LIBUSB_TRANSFER_NO_DEVICE:
      return UsbStatus::kNoDevice;
    case LIBUSB_TRANSFER_OVERFLOW:
      return UsbStatus::kOverflow;
    default:
      return UsbStatus::kError;
  }
}

// libusb_error_name also names transfer statuses (LIBUSB_TRANSFER_NO_DEVICE, ...).
UsbResult ResultOf(int rc, size_t transferred) {
  UsbResult r;
  r.transferred = transferred;
  if (rc >= 0) return r;
  r.error_name = libusb_error_name(rc);
  r.status = StatusOfError(rc);
  return r;
}

timeval ToTimeval(milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
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
struct TransferFree {
  void operator()(libusb_transfer* t) const { libusb_free_transfer(t); }
};
using DevicePtr = std::unique_ptr<libusb_device, DeviceUnref>;
using HandlePtr = std::unique_ptr<libusb_device_handle, HandleClose>;
using ConfigPtr = std::unique_ptr<libusb_config_descriptor, ConfigFree>;
using TransferPtr = std::unique_ptr<libusb_transfer, TransferFree>;

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
  ClaimedInterface(libusb_device_handle* h, uint8_t number, spdlog::logger& log)
      : handle_(h), number_(number), log_(log) {}
  ~ClaimedInterface() {
    int rc = libusb_release_interface(handle_, number_);
    if (rc < 0 && rc != LIBUSB_ERROR_NO_DEVICE) {
      log_.warn("libusb_release_interface({}) failed: {}", number_, libusb_error_name(rc));
    }
  }
  ClaimedInterface(const ClaimedInterface&) = delete;
  ClaimedInterface& operator=(const ClaimedInterface&) = delete;
  uint8_t number() const { return number_; }

 private:
  libusb_device_handle* handle_;
  uint8_t number_;
  spdlog::logger& log_;
};

class LibusbTransport;

// One asynchronous transfer with its buffer; user_data of the transfer points here.
struct TransferSlot {
  LibusbTransport* owner = nullptr;  // null once abandoned (see CancelTransfers)
  size_t index = 0;
  TransferPtr transfer;
  std::vector<uint8_t> buffer;
  bool in_flight = false;
};

void LIBUSB_CALL OnTransferDone(libusb_transfer* transfer);

class LibusbTransport : public UsbTransport {
 public:
  LibusbTransport(std::shared_ptr<LibusbHost::Context> ctx, HandlePtr handle, UsbDeviceInfo info,
                  std::shared_ptr<spdlog::logger> log)
      : ctx_(std::move(ctx)),
        handle_(std::move(handle)),
        info_(std::move(info)),
        log_(std::move(log)) {}
  // Transfers are cancelled and reaped before their slots are freed, then the interfaces are
  // released, before the handle closes.
  ~LibusbTransport() override {
    CancelTransfers();
    slots_.clear();
    claimed_.clear();
  }

  const UsbDeviceInfo& info() const override { return info_; }

  UsbResult ClaimInterface(uint8_t number) override {
    libusb_set_auto_detach_kernel_driver(handle_.get(), 1);
    int rc = libusb_claim_interface(handle_.get(), number);
    if (rc == 0) {
      claimed_.push_back(std::make_unique<ClaimedInterface>(handle_.get(), number, *log_));
    }
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

  UsbResult ResetDevice() override {
    return Log(ResultOf(libusb_reset_device(handle_.get()), 0), "reset device");
  }

  UsbResult SubmitBulkIn(size_t slot, uint8_t endpoint, size_t length) override {
    TransferSlot& s = SlotFor(slot);
    if (s.in_flight) return {UsbStatus::kBusy, 0, "transfer slot already in flight"};
    if (!s.transfer) s.transfer.reset(libusb_alloc_transfer(0));
    if (!s.transfer) return Log(ResultOf(LIBUSB_ERROR_NO_MEM, 0), "alloc transfer");
    s.buffer.resize(length);
    libusb_fill_bulk_transfer(s.transfer.get(), handle_.get(), endpoint, s.buffer.data(),
                              static_cast<int>(length), OnTransferDone, &s, TimeoutMs());
    int rc = libusb_submit_transfer(s.transfer.get());
    if (rc == 0) s.in_flight = true;
    return Log(ResultOf(rc, 0), fmt::format("submit bulk in 0x{:02x}", endpoint));
  }

  UsbResult HandleEvents(milliseconds timeout, std::vector<UsbCompletion>* done) override {
    timeval tv = ToTimeval(timeout);
    int rc = libusb_handle_events_timeout_completed(ctx_->ctx, &tv, nullptr);
    done->insert(done->end(), completed_.begin(), completed_.end());
    completed_.clear();
    return Log(ResultOf(rc, 0), "handle events");
  }

  void CancelTransfers() override {
    for (auto& s : slots_) {
      if (!s || !s->in_flight) continue;
      int rc = libusb_cancel_transfer(s->transfer.get());
      if (rc < 0 && rc != LIBUSB_ERROR_NOT_FOUND) {
        log_->warn("libusb_cancel_transfer failed: {}", libusb_error_name(rc));
      }
    }
    auto deadline = std::chrono::steady_clock::now() + kUsbTransferTimeout;
    while (InFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
      timeval tv = ToTimeval(milliseconds(100));
      int rc = libusb_handle_events_timeout_completed(ctx_->ctx, &tv, nullptr);
      if (rc < 0) log_->warn("reaping USB transfers: {}", libusb_error_name(rc));
    }
    completed_.clear();
    AbandonUnreaped();
  }

  void Completed(TransferSlot& slot) {
    slot.in_flight = false;
    libusb_transfer* t = slot.transfer.get();
    UsbCompletion c;
    c.slot = slot.index;
    c.result.status = StatusOfTransfer(t->status);
    c.result.transferred = static_cast<size_t>(t->actual_length);
    if (t->status != LIBUSB_TRANSFER_COMPLETED) c.result.error_name = libusb_error_name(t->status);
    c.data = std::span<const uint8_t>(slot.buffer.data(), c.result.transferred);
    if (!c.result.ok() && c.result.status != UsbStatus::kTimeout) {
      log_->debug("libusb {} bulk in finished with {}", DescribeUsbDevice(info_),
                  c.result.error_name);
    }
    completed_.push_back(c);
  }

 private:
  TransferSlot& SlotFor(size_t index) {
    if (slots_.size() <= index) slots_.resize(index + 1);
    if (!slots_[index]) {  // new, or abandoned to a transfer libusb never gave back
      slots_[index] = std::make_unique<TransferSlot>();
      slots_[index]->owner = this;
      slots_[index]->index = index;
    }
    return *slots_[index];
  }

  size_t InFlight() const {
    size_t n = 0;
    for (const auto& s : slots_) n += s && s->in_flight ? 1 : 0;
    return n;
  }

  // A transfer libusb never gave back must not be freed (the kernel may still write into it):
  // it is leaked on purpose, detached from this device, and the leak is logged.
  void AbandonUnreaped() {
    for (auto& s : slots_) {
      if (!s || !s->in_flight) continue;
      log_->error("a USB transfer was not reaped within {} ms; leaking it rather than freeing it",
                  kUsbTransferTimeout.count());
      s->owner = nullptr;
      (void)s.release();
    }
  }

  UsbResult Log(UsbResult r, const std::string& what) {
    if (!r.ok()) log_->debug("libusb {} {}: {}", DescribeUsbDevice(info_), what, r.error_name);
    return r;
  }

  std::shared_ptr<LibusbHost::Context> ctx_;  // outlives the handle
  HandlePtr handle_;
  std::vector<std::unique_ptr<ClaimedInterface>> claimed_;
  UsbDeviceInfo info_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::unique_ptr<TransferSlot>> slots_;
  std::vector<UsbCompletion> completed_;
};

void LIBUSB_CALL OnTransferDone(libusb_transfer* transfer) {
  auto* slot = static_cast<TransferSlot*>(transfer->user_data);
  if (slot->owner == nullptr) return;  // abandoned
  slot->owner->Completed(*slot);
}

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

UsbResult LibusbHost::TryOpen(const UsbDeviceInfo& device, std::unique_ptr<UsbTransport>* opened) {
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
      return ResultOf(rc, 0);
    }
    *opened = std::make_unique<LibusbTransport>(context_, HandlePtr(raw), device, log_);
    return {};
  }
  return ResultOf(LIBUSB_ERROR_NO_DEVICE, 0);
}

std::unique_ptr<UsbTransport> LibusbHost::Open(const UsbDeviceInfo& device) {
  std::unique_ptr<UsbTransport> opened;
  UsbResult r = TryOpen(device, &opened);
  if (r.ok()) return opened;
  if (r.status == UsbStatus::kAccessDenied)
    throw Error(ErrorCategory::kTransport,
                "no permission to open USB device " + DescribeUsbDevice(device), ErrorContext{},
                UsbUdevHint(device.vid, device.pid));
  if (r.status == UsbStatus::kNoDevice)
    throw Error(ErrorCategory::kTransport,
                "USB device " + DescribeUsbDevice(device) + " disappeared before it was opened",
                ErrorContext{}, "reconnect it and retry");
  throw Error(ErrorCategory::kTransport,
              "cannot open USB device " + DescribeUsbDevice(device) + " (" + r.error_name + ")",
              ErrorContext{}, "unplug and replug it, then retry");
}

}  // namespace tockctl::devices
