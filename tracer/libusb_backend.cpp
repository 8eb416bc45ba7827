#include "tracer/libusb_backend.h"

#include <libusb.h>
#include <sys/time.h>

#include <filesystem>
#include <optional>

#include "tracer/usb_source.h"

namespace tockctl::tracer {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

UsbCode CodeOfError(int rc) {
  switch (rc) {
    case LIBUSB_SUCCESS:
      return UsbCode::kOk;
    case LIBUSB_ERROR_ACCESS:
      return UsbCode::kAccessDenied;
    case LIBUSB_ERROR_NO_DEVICE:
      return UsbCode::kNoDevice;
    case LIBUSB_ERROR_NOT_FOUND:
      return UsbCode::kNotFound;
    case LIBUSB_ERROR_BUSY:
      return UsbCode::kBusy;
    case LIBUSB_ERROR_TIMEOUT:
      return UsbCode::kTimeout;
    case LIBUSB_ERROR_PIPE:
      return UsbCode::kStall;
    case LIBUSB_ERROR_OVERFLOW:
      return UsbCode::kOverflow;
    default:
      return UsbCode::kOther;
  }
}

UsbCode CodeOfTransfer(libusb_transfer_status status) {
  switch (status) {
    case LIBUSB_TRANSFER_COMPLETED:
      return UsbCode::kOk;
    case LIBUSB_TRANSFER_TIMED_OUT:
      return UsbCode::kTimeout;
    case LIBUSB_TRANSFER_CANCELLED:
      return UsbCode::kCancelled;
    case LIBUSB_TRANSFER_STALL:
      return UsbCode::kStall;
    case LIBUSB_TRANSFER_NO_DEVICE:
      return UsbCode::kNoDevice;
    case LIBUSB_TRANSFER_OVERFLOW:
      return UsbCode::kOverflow;
    default:
      return UsbCode::kOther;
  }
}

// libusb_error_name also names transfer statuses (LIBUSB_TRANSFER_NO_DEVICE, ...).
UsbStatus StatusOf(int rc) {
  if (rc >= 0) return {};
  return {CodeOfError(rc), libusb_error_name(rc)};
}

// Logs a failed libusb call and returns its status.
UsbStatus Checked(spdlog::logger& log, int rc, const char* call) {
  if (rc < 0) log.debug("{} failed: {}", call, libusb_error_name(rc));
  return StatusOf(rc);
}

timeval ToTimeval(milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

struct HandleDeleter {
  void operator()(libusb_device_handle* h) const { libusb_close(h); }
};
struct DeviceRefDeleter {
  void operator()(libusb_device* d) const { libusb_unref_device(d); }
};
struct TransferDeleter {
  void operator()(libusb_transfer* t) const { libusb_free_transfer(t); }
};
struct ConfigDeleter {
  void operator()(libusb_config_descriptor* c) const { libusb_free_config_descriptor(c); }
};
using DeviceHandle = std::unique_ptr<libusb_device_handle, HandleDeleter>;
using DeviceRef = std::unique_ptr<libusb_device, DeviceRefDeleter>;
using Transfer = std::unique_ptr<libusb_transfer, TransferDeleter>;
using ConfigDescriptor = std::unique_ptr<libusb_config_descriptor, ConfigDeleter>;

// A claimed interface, released (and its kernel driver re-attached by libusb's auto-detach) when
// destroyed.
class ClaimedInterface {
 public:
  ClaimedInterface(libusb_device_handle* handle, uint8_t number, spdlog::logger& log)
      : handle_(handle), number_(number), log_(log) {}
  ~ClaimedInterface() {
    int rc = libusb_release_interface(handle_, number_);
    if (rc < 0 && rc != LIBUSB_ERROR_NO_DEVICE) {
      log_.warn("libusb_release_interface({}) failed: {}", number_, libusb_error_name(rc));
    }
  }
  ClaimedInterface(const ClaimedInterface&) = delete;
  ClaimedInterface& operator=(const ClaimedInterface&) = delete;

 private:
  libusb_device_handle* handle_;
  uint8_t number_;
  spdlog::logger& log_;
};

class LibusbDeviceLink;

// One transfer with its buffer. user_data of the transfer points here.
struct TransferSlot {
  LibusbDeviceLink* link = nullptr;  // null once abandoned (see CancelTransfers)
  size_t index = 0;
  Transfer transfer;
  std::vector<uint8_t> buffer;
  bool in_flight = false;
};

void LIBUSB_CALL OnTransferDone(libusb_transfer* transfer);

class LibusbDeviceLink : public UsbDeviceLink {
 public:
  LibusbDeviceLink(std::shared_ptr<libusb_context> context, DeviceRef device, DeviceHandle handle,
                   std::shared_ptr<spdlog::logger> log)
      : context_(std::move(context)),
        device_(std::move(device)),
        handle_(std::move(handle)),
        log_(std::move(log)) {}

  // Transfers are cancelled and reaped before the slots (and their transfers) are freed, then
  // the interface is released and the handle closed, in reverse member order.
  ~LibusbDeviceLink() override { CancelTransfers(); }

  UsbStatus ReadSerialNumber(std::string* serial) override {
    libusb_device_descriptor desc{};
    int rc = libusb_get_device_descriptor(device_.get(), &desc);
    if (rc < 0) return Checked(*log_, rc, "libusb_get_device_descriptor");
    return ReadString(desc.iSerialNumber, serial);
  }

  UsbStatus ReadInterfaces(std::vector<UsbInterfaceInfo>* interfaces) override {
    libusb_config_descriptor* raw = nullptr;
    int rc = libusb_get_active_config_descriptor(device_.get(), &raw);
    if (rc < 0) return Checked(*log_, rc, "libusb_get_active_config_descriptor");
    ConfigDescriptor config(raw);
    for (int i = 0; i < config->bNumInterfaces; ++i) {
      const libusb_interface& interface = config->interface[i];
      for (int a = 0; a < interface.num_altsetting; ++a) {
        interfaces->push_back(Describe(interface.altsetting[a]));
      }
    }
    return {};
  }

  UsbStatus ClaimInterface(uint8_t number, uint8_t alternate) override {
    int rc = libusb_set_auto_detach_kernel_driver(handle_.get(), 1);
    if (rc < 0) log_->debug("libusb_set_auto_detach_kernel_driver: {}", libusb_error_name(rc));
    rc = libusb_claim_interface(handle_.get(), number);
    if (rc < 0) return Checked(*log_, rc, "libusb_claim_interface");
    claimed_.emplace(handle_.get(), number, *log_);
    if (alternate == 0) return {};
    rc = libusb_set_interface_alt_setting(handle_.get(), number, alternate);
    return Checked(*log_, rc, "libusb_set_interface_alt_setting");
  }

  UsbStatus ClearHalt(uint8_t endpoint) override {
    return Checked(*log_, libusb_clear_halt(handle_.get(), endpoint), "libusb_clear_halt");
  }

  UsbStatus SubmitBulkIn(size_t slot, uint8_t endpoint, size_t length) override {
    TransferSlot& s = SlotFor(slot);
    if (s.in_flight) return {UsbCode::kBusy, "transfer slot already in flight"};
    if (!s.transfer) s.transfer.reset(libusb_alloc_transfer(0));
    if (!s.transfer) return Checked(*log_, LIBUSB_ERROR_NO_MEM, "libusb_alloc_transfer");
    s.buffer.resize(length);
    libusb_fill_bulk_transfer(s.transfer.get(), handle_.get(), endpoint, s.buffer.data(),
                              static_cast<int>(length), OnTransferDone, &s,
                              static_cast<unsigned>(kUsbTimeout.count()));
    int rc = libusb_submit_transfer(s.transfer.get());
    if (rc < 0) return Checked(*log_, rc, "libusb_submit_transfer");
    s.in_flight = true;
    return {};
  }

  UsbStatus HandleEvents(milliseconds timeout, std::vector<UsbCompletion>* done) override {
    timeval tv = ToTimeval(timeout);
    int rc = libusb_handle_events_timeout_completed(context_.get(), &tv, nullptr);
    UsbStatus status = Checked(*log_, rc, "libusb_handle_events_timeout_completed");
    done->insert(done->end(), completed_.begin(), completed_.end());
    completed_.clear();
    return status;
  }

  void CancelTransfers() override {
    for (auto& s : slots_) {
      if (!s->in_flight) continue;
      int rc = libusb_cancel_transfer(s->transfer.get());
      if (rc < 0 && rc != LIBUSB_ERROR_NOT_FOUND) {
        log_->warn("libusb_cancel_transfer failed: {}", libusb_error_name(rc));
      }
    }
    auto deadline = Clock::now() + kUsbTimeout;
    while (InFlight() > 0 && Clock::now() < deadline) {
      timeval tv = ToTimeval(milliseconds(100));
      int rc = libusb_handle_events_timeout_completed(context_.get(), &tv, nullptr);
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
    c.status = {CodeOfTransfer(t->status),
                t->status == LIBUSB_TRANSFER_COMPLETED ? "" : libusb_error_name(t->status)};
    c.data = std::span<const uint8_t>(slot.buffer.data(), static_cast<size_t>(t->actual_length));
    if (!c.status.ok() && c.status.code != UsbCode::kTimeout) {
      log_->debug("bulk IN transfer finished with {}", c.status.name);
    }
    completed_.push_back(c);
  }

 private:
  TransferSlot& SlotFor(size_t index) {
    while (slots_.size() <= index) {
      slots_.push_back(std::make_unique<TransferSlot>());
      slots_.back()->link = this;
      slots_.back()->index = slots_.size() - 1;
    }
    return *slots_[index];
  }

  size_t InFlight() const {
    size_t n = 0;
    for (const auto& s : slots_) n += s->in_flight ? 1 : 0;
    return n;
  }

  // A transfer libusb never gave back must not be freed (the kernel may still write into it):
  // it is leaked on purpose, detached from this link, and the leak is logged.
  void AbandonUnreaped() {
    for (auto& s : slots_) {
      if (!s->in_flight) continue;
      log_->error("a USB transfer was not reaped within {} ms; leaking it rather than freeing it",
                  kUsbTimeout.count());
      s->link = nullptr;
      (void)s.release();
    }
  }

  UsbStatus ReadString(uint8_t index, std::string* out) {
    out->clear();
    if (index == 0) return {};
    unsigned char text[256];
    int rc = libusb_get_string_descriptor_ascii(handle_.get(), index, text, sizeof(text));
    if (rc < 0) return Checked(*log_, rc, "libusb_get_string_descriptor_ascii");
    out->assign(reinterpret_cast<const char*>(text), static_cast<size_t>(rc));
    return {};
  }

  UsbInterfaceInfo Describe(const libusb_interface_descriptor& d) {
    UsbInterfaceInfo info;
    info.number = d.bInterfaceNumber;
    info.alternate = d.bAlternateSetting;
    info.interface_class = d.bInterfaceClass;
    info.subclass = d.bInterfaceSubClass;
    info.protocol = d.bInterfaceProtocol;
    if (UsbStatus st = ReadString(d.iInterface, &info.name); !st.ok()) info.name.clear();
    for (int e = 0; e < d.bNumEndpoints; ++e) {
      const libusb_endpoint_descriptor& ep = d.endpoint[e];
      info.endpoints.push_back(
          {ep.bEndpointAddress,
           static_cast<UsbEndpointInfo::Type>(ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK),
           ep.wMaxPacketSize});
    }
    return info;
  }

  std::shared_ptr<libusb_context> context_;
  DeviceRef device_;
  DeviceHandle handle_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<ClaimedInterface> claimed_;
  std::vector<std::unique_ptr<TransferSlot>> slots_;
  std::vector<UsbCompletion> completed_;
};

void LIBUSB_CALL OnTransferDone(libusb_transfer* transfer) {
  auto* slot = static_cast<TransferSlot*>(transfer->user_data);
  if (slot->link == nullptr) return;  // abandoned
  slot->link->Completed(*slot);
}

}  // namespace

void LibusbBackend::DeviceListDeleter::operator()(libusb_device** list) const {
  libusb_free_device_list(list, 1);
}

LibusbBackend::LibusbBackend(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

LibusbBackend::~LibusbBackend() = default;

UsbStatus LibusbBackend::Init() {
  libusb_context* raw = nullptr;
  int rc = libusb_init(&raw);
  if (rc < 0) {
    log_->error("libusb_init failed: {}", libusb_error_name(rc));
    return StatusOf(rc);
  }
  context_ = std::shared_ptr<libusb_context>(raw, [](libusb_context* c) { libusb_exit(c); });
  return {};
}

std::string LibusbBackend::AccessProblem() const {
#ifdef __linux__
  std::error_code ec;
  if (!std::filesystem::exists("/dev/bus/usb", ec)) return "/dev/bus/usb is missing";
#endif
  return {};
}

UsbStatus LibusbBackend::ListDevices(std::vector<UsbDeviceInfo>* devices) {
  libusb_device** raw = nullptr;
  ssize_t n = libusb_get_device_list(context_.get(), &raw);
  if (n < 0) {
    log_->error("libusb_get_device_list failed: {}", libusb_error_name(static_cast<int>(n)));
    return StatusOf(static_cast<int>(n));
  }
  list_.reset(raw);
  for (ssize_t i = 0; i < n; ++i) {
    libusb_device_descriptor desc{};
    int rc = libusb_get_device_descriptor(raw[i], &desc);
    if (rc < 0) {
      log_->warn("libusb_get_device_descriptor failed: {}", libusb_error_name(rc));
      continue;
    }
    devices->push_back({libusb_get_bus_number(raw[i]), libusb_get_device_address(raw[i]),
                        desc.idVendor, desc.idProduct});
  }
  return {};
}

UsbStatus LibusbBackend::Open(const UsbDeviceInfo& device, std::unique_ptr<UsbDeviceLink>* link) {
  for (libusb_device** d = list_.get(); d != nullptr && *d != nullptr; ++d) {
    if (libusb_get_bus_number(*d) != device.bus ||
        libusb_get_device_address(*d) != device.address) {
      continue;
    }
    libusb_device_handle* raw = nullptr;
    int rc = libusb_open(*d, &raw);
    if (rc < 0) {
      log_->warn("libusb_open(bus {}, address {}) failed: {}", device.bus, device.address,
                 libusb_error_name(rc));
      return StatusOf(rc);
    }
    *link = std::make_unique<LibusbDeviceLink>(context_, DeviceRef(libusb_ref_device(*d)),
                                               DeviceHandle(raw), log_);
    return {};
  }
  return StatusOf(LIBUSB_ERROR_NO_DEVICE);
}

std::unique_ptr<UsbSource> OpenUsbSource(UsbOptions options, std::shared_ptr<spdlog::logger> log) {
  return std::make_unique<UsbSource>(std::move(options), std::make_unique<LibusbBackend>(log), log);
}

}  // namespace tockctl::tracer
