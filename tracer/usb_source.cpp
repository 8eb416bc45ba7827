#include "tracer/usb_source.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "devices/device_context.h"
#include "devices/libusb_host.h"

namespace tockctl::tracer {

using std::chrono::milliseconds;

namespace {

// Transfer failures in a row (without a good one between) after which the device counts as lost.
constexpr int kMaxConsecutiveErrors = 8;

std::string Hex2(unsigned value) {
  char out[8];
  std::snprintf(out, sizeof(out), "0x%02x", value);
  return out;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "0 class 0x02 \"CDC\", 2 class 0xff \"CMSIS-DAP v2\"" (alternate settings other than 0 skipped).
std::string ListInterfaces(const std::vector<devices::UsbInterfaceInfo>& interfaces) {
  std::string out;
  for (const auto& i : interfaces) {
    if (i.alternate != 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(i.number) + " class " + Hex2(i.interface_class);
    if (!i.name.empty()) out += " \"" + i.name + "\"";
  }
  return out.empty() ? "none" : out;
}

std::optional<uint8_t> BulkIn(const devices::UsbInterfaceInfo& interface) {
  for (const auto& e : interface.endpoints) {
    if (e.is_in() && e.is_bulk()) return e.address;
  }
  return std::nullopt;
}

std::optional<UsbTraceEndpoint> FindByNumber(
    const std::vector<devices::UsbInterfaceInfo>& interfaces, uint8_t number, std::string* why) {
  bool exists = false;
  for (const auto& i : interfaces) {
    if (i.number != number) continue;
    exists = true;
    if (auto ep = BulkIn(i)) return UsbTraceEndpoint{i.number, i.alternate, *ep};
  }
  *why = exists ? "has no bulk IN endpoint on interface " + std::to_string(number)
                : "has no interface " + std::to_string(number) +
                      " (interfaces: " + ListInterfaces(interfaces) + ")";
  return std::nullopt;
}

std::string JoinSerials(const std::vector<std::string>& serials) {
  std::string out;
  for (const auto& s : serials) out += (out.empty() ? "" : ", ") + (s.empty() ? "(none)" : s);
  return out;
}

}  // namespace

std::optional<UsbTraceEndpoint> FindTraceEndpoint(
    const std::vector<devices::UsbInterfaceInfo>& interfaces,
    std::optional<uint8_t> interface_number, std::string* why) {
  if (interface_number) return FindByNumber(interfaces, *interface_number, why);
  for (const auto& i : interfaces) {
    if (i.interface_class != 0xFF || Lower(i.name).find("trace") == std::string::npos) continue;
    if (auto ep = BulkIn(i)) return UsbTraceEndpoint{i.number, i.alternate, *ep};
  }
  *why = "has no trace interface (interfaces: " + ListInterfaces(interfaces) + ")";
  return std::nullopt;
}

UsbSource::UsbSource(UsbOptions options, std::unique_ptr<devices::UsbHost> backend,
                     std::shared_ptr<spdlog::logger> log, Clock& clock)
    : options_(std::move(options)),
      backend_(std::move(backend)),
      log_(std::move(log)),
      schedule_(options_.reconnect_interval, clock),
      ring_(std::max({options_.queue_bytes, options_.transfer_size, size_t{1}})) {
  options_.transfers_in_flight = std::max<size_t>(options_.transfers_in_flight, 1);
  options_.transfer_size = std::max<size_t>(options_.transfer_size, 1);
  Attempt attempt = OpenTraceLink();
  if (attempt.link) {
    if (auto error = Start(std::move(attempt))) throw *error;
    return;
  }
  if (!(attempt.absent && options_.wait_for_device)) throw *attempt.error;
  log_->info("waiting for USB device {}", options_.selector.ToString());
}

UsbSource::~UsbSource() { CloseLink(); }

std::string UsbSource::Describe() const { return "usb " + options_.selector.ToString(); }

std::string UsbSource::DeviceName(const devices::UsbDeviceInfo& device) const {
  return "USB device " + options_.selector.ToString() + " (bus " + std::to_string(device.bus) +
         ", address " + std::to_string(device.address) + ")";
}

Error UsbSource::DeviceError(ErrorCategory category, const std::string& message,
                             const std::string& operation, std::string hint) const {
  return Error(category, message, devices::DeviceContext(Describe(), operation), std::move(hint));
}

UsbSource::Attempt UsbSource::OpenTraceLink() {
  Attempt found = FindDevice();
  if (!found.link) return found;
  return Claim(std::move(found));
}

// Lists devices, keeps those with the selector's VID:PID, opens them and checks serial numbers.
UsbSource::Attempt UsbSource::FindDevice() {
  std::vector<devices::UsbDeviceInfo> devices;
  try {
    devices = backend_->ListDevices();
  } catch (const Error& e) {
    log_->error("listing USB devices failed: {}", e.message());
    Attempt result;
    result.error = e;
    return result;
  }
  Candidates found = OpenCandidates(devices);
  if (found.matches.size() == 1) return std::move(found.matches.front());
  return NoSingleMatch(found);
}

UsbSource::Candidates UsbSource::OpenCandidates(
    const std::vector<devices::UsbDeviceInfo>& devices) {
  const devices::UsbSelector& sel = options_.selector;
  Candidates found;
  for (const devices::UsbDeviceInfo& d : devices) {
    if (d.vid != sel.vid || d.pid != sel.pid) continue;
    std::unique_ptr<devices::UsbTransport> link;
    if (devices::UsbResult st = backend_->TryOpen(d, &link); !st.ok()) {
      NoteOpenFailure(d, st, found);
      continue;
    }
    std::string serial = link->info().serial_number;
    found.serials.push_back(serial);
    if (sel.serial && serial != *sel.serial) continue;
    Attempt match;
    match.link = std::move(link);
    match.device = d;
    found.matches.push_back(std::move(match));
  }
  return found;
}

void UsbSource::NoteOpenFailure(const devices::UsbDeviceInfo& device,
                                const devices::UsbResult& status, Candidates& found) {
  log_->debug("opening {} failed: {}", DeviceName(device), status.error_name);
  if (status.status == devices::UsbStatus::kAccessDenied) {
    if (!found.denied) found.denied = device;
  } else if (status.status != devices::UsbStatus::kNoDevice && !found.error) {
    found.error =
        DeviceError(ErrorCategory::kTransport,
                    "cannot open " + DeviceName(device) + " (" + status.error_name + ")", "open");
  }
}

// The error when not exactly one device matched: several, denied, failed, or none.
UsbSource::Attempt UsbSource::NoSingleMatch(Candidates& found) {
  const devices::UsbSelector& sel = options_.selector;
  std::string ids = devices::UsbSelector{sel.vid, sel.pid, std::nullopt}.ToString();
  Attempt result;
  if (found.matches.size() > 1) {
    result.error = DeviceError(ErrorCategory::kUsage,
                               std::to_string(found.matches.size()) + " USB devices match " + ids +
                                   " (serial numbers " + JoinSerials(found.serials) + ")",
                               "open", "pick one with --usb " + ids + ":" + found.serials.front());
  } else if (found.denied) {
    char node[40];
    std::snprintf(node, sizeof(node), "/dev/bus/usb/%03u/%03u", found.denied->bus,
                  found.denied->address);
    result.error =
        DeviceError(ErrorCategory::kTransport,
                    "permission denied opening " + DeviceName(*found.denied) + ", " + node, "open",
                    devices::UsbUdevHint(sel.vid, sel.pid));
  } else if (found.error) {
    result.error = std::move(found.error);
  } else {
    std::string problem = options_.usb_access_problem ? options_.usb_access_problem() : "";
    result.absent = problem.empty();  // on a host without USB access, waiting is pointless
    std::string hint =
        !problem.empty()
            ? "this host has no USB access (" + problem +
                  "; in a container pass --device /dev/bus/usb), or trace over --serial or --tcp"
        : !found.serials.empty()
            ? "the attached " + ids + " devices have serial numbers " + JoinSerials(found.serials)
            : "is it plugged in? lsusb lists the devices this host sees";
    result.error = DeviceError(ErrorCategory::kTransport, "no USB device matches " + sel.ToString(),
                               "open", hint);
  }
  return result;
}

// Finds the trace interface of an opened device and claims it.
UsbSource::Attempt UsbSource::Claim(Attempt found) {
  Attempt result;
  const std::vector<devices::UsbInterfaceInfo>& interfaces = found.link->info().interfaces;
  std::string why;
  auto endpoint = FindTraceEndpoint(interfaces, options_.interface_number, &why);
  if (!endpoint) {
    const bool serial = std::any_of(interfaces.begin(), interfaces.end(), [](const auto& i) {
      return i.interface_class == 0x02 || i.interface_class == 0x0a;  // CDC control, CDC data
    });
    result.error = DeviceError(
        ErrorCategory::kTransport, DeviceName(found.device) + " " + why, "find trace interface",
        std::string(serial && !options_.interface_number
                        ? "it is a USB serial device: read its port with --serial " +
                              options_.selector.ToString() + "; "
                        : "") +
            "the trace interface is vendor-specific (class 0xff), has \"trace\" in its name and "
            "a bulk IN endpoint; pick another by number with --usb-interface N");
    return result;
  }
  devices::UsbResult st = found.link->ClaimInterface(endpoint->interface_number);
  if (st.ok() && endpoint->alternate != 0) {
    st = found.link->SetAltSetting(endpoint->interface_number, endpoint->alternate);
  }
  if (!st.ok()) {
    result.absent = st.status == devices::UsbStatus::kNoDevice;
    result.error = ClaimError(found.device, endpoint->interface_number, st);
    return result;
  }
  found.endpoint = *endpoint;
  return found;
}

Error UsbSource::ClaimError(const devices::UsbDeviceInfo& device, uint8_t interface,
                            const devices::UsbResult& status) const {
  std::string what = "interface " + std::to_string(interface) + " of " + DeviceName(device);
  if (status.status == devices::UsbStatus::kBusy) {
    return DeviceError(ErrorCategory::kTransport,
                       what + " is in use by another program or driver (" + status.error_name + ")",
                       "claim", "stop the other program (another tockctl trace?)");
  }
  if (status.status == devices::UsbStatus::kAccessDenied) {
    return DeviceError(ErrorCategory::kTransport, "permission denied claiming " + what, "claim",
                       devices::UsbUdevHint(options_.selector.vid, options_.selector.pid));
  }
  return DeviceError(ErrorCategory::kTransport,
                     "cannot claim " + what + " (" + status.error_name + ")", "claim");
}

// Adopts an opened, claimed device and queues every transfer; an error if none could start.
std::optional<Error> UsbSource::Start(Attempt attempt) {
  link_ = std::move(attempt.link);
  device_ = attempt.device;
  endpoint_ = attempt.endpoint;
  ring_.Clear();
  gone_.reset();
  consecutive_errors_ = 0;
  for (size_t slot = 0; slot < options_.transfers_in_flight; ++slot) Submit(slot);
  if (in_flight_ > 0) {
    log_->info("reading {} interface {} endpoint {} ({} x {} byte transfers)", DeviceName(device_),
               endpoint_.interface_number, Hex2(endpoint_.endpoint), in_flight_,
               options_.transfer_size);
    was_open_ = true;
    return std::nullopt;
  }
  std::string why = gone_.value_or("could not start any transfer");
  CloseLink();
  return DeviceError(ErrorCategory::kTransport,
                     "cannot read " + DeviceName(attempt.device) + ": " + why, "submit");
}

void UsbSource::CloseLink() {
  if (link_) {
    link_->CancelTransfers();
    link_.reset();
  }
  parked_.clear();
  idle_slots_.clear();
  in_flight_ = 0;
  ring_.Clear();
}

ReadResult UsbSource::Read(std::span<uint8_t> buf, milliseconds timeout) {
  if (ended_) return {ReadStatus::kEnd, 0, end_detail_};
  auto deadline = schedule_.clock().Now() + timeout;
  if (!link_) return TryToReturn(deadline);
  for (bool first = true;; first = false) {
    if (!ring_.empty()) return Deliver(buf);
    if (gone_) return Lost();
    if (!first && schedule_.clock().Now() >= deadline) return {ReadStatus::kTimeout, 0, {}};
    Pump(deadline);
  }
}

ReadResult UsbSource::Deliver(std::span<uint8_t> buf) {
  size_t n = ring_.Pop(buf);
  Unpark();
  return {ReadStatus::kData, n, {}};
}

// Handles transfer completions until something arrives, the device is lost, or `deadline`.
void UsbSource::Pump(Clock::TimePoint deadline) {
  ResubmitIdle();
  auto left = std::chrono::ceil<milliseconds>(deadline - schedule_.clock().Now());
  std::vector<devices::UsbCompletion> done;
  devices::UsbResult st = link_->HandleEvents(std::max(left, milliseconds(0)), &done);
  if (!st.ok()) {
    log_->error("handling USB events failed: {}", st.error_name);
    if (st.status == devices::UsbStatus::kNoDevice)
      MarkGone("was unplugged (" + st.error_name + ")");
    else
      CountError(st, "handling events");
  }
  for (const devices::UsbCompletion& c : done) OnCompletion(c);
}

void UsbSource::OnCompletion(const devices::UsbCompletion& done) {
  in_flight_ -= in_flight_ > 0 ? 1 : 0;
  switch (done.result.status) {
    case devices::UsbStatus::kOk:
    case devices::UsbStatus::kTimeout:  // an idle link; the transfer may still have carried bytes
      if (done.result.status == devices::UsbStatus::kOk) consecutive_errors_ = 0;
      Accept(done);
      return;
    case devices::UsbStatus::kNoDevice:
      MarkGone("was unplugged (" + done.result.error_name + ")");
      return;
    case devices::UsbStatus::kCancelled:
      idle_slots_.push_back(done.slot);
      return;
    case devices::UsbStatus::kStall:
      log_->warn("{} endpoint {} stalled ({}); clearing the halt", DeviceName(device_),
                 Hex2(endpoint_.endpoint), done.result.error_name);
      if (devices::UsbResult st = link_->ClearHalt(endpoint_.endpoint); !st.ok()) {
        log_->error("clearing the halt failed: {}", st.error_name);
      }
      break;
    default:
      break;
  }
  CountError(done.result, "bulk IN transfer");
  Submit(done.slot);
}

// Queues the received bytes for Read() and requeues the transfer, or parks it while the queue is
// full (the device then waits: nothing is dropped on the host).
void UsbSource::Accept(const devices::UsbCompletion& done) {
  if (parked_.empty() && ring_.free() >= done.data.size()) {
    ring_.Push(done.data);
    Submit(done.slot);
  } else {
    parked_.push_back(done);
  }
}

void UsbSource::Unpark() {
  while (!parked_.empty() && ring_.free() >= parked_.front().data.size()) {
    ring_.Push(parked_.front().data);
    size_t slot = parked_.front().slot;
    parked_.pop_front();
    Submit(slot);
  }
}

void UsbSource::Submit(size_t slot) {
  if (gone_) return;
  devices::UsbResult st = link_->SubmitBulkIn(slot, endpoint_.endpoint, options_.transfer_size);
  if (st.ok()) {
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    return;
  }
  idle_slots_.push_back(slot);
  // On a real unplug (tests/usb/) no transfer ends with LIBUSB_TRANSFER_NO_DEVICE: the resubmit
  // is what finds the device gone. That is the unplug, reported once by Lost(), not an error.
  if (st.status == devices::UsbStatus::kNoDevice) {
    log_->debug("submitting a bulk IN transfer to {}: {}", DeviceName(device_), st.error_name);
    MarkGone("was unplugged (" + st.error_name + ")");
    return;
  }
  log_->error("submitting a bulk IN transfer to {} failed: {}", DeviceName(device_), st.error_name);
  CountError(st, "submitting a transfer");
}

void UsbSource::ResubmitIdle() {
  std::vector<size_t> idle;
  idle.swap(idle_slots_);
  for (size_t slot : idle) Submit(slot);
}

void UsbSource::CountError(const devices::UsbResult& status, const char* what) {
  log_->warn("{}: {} failed ({})", DeviceName(device_), what, status.error_name);
  if (++consecutive_errors_ >= kMaxConsecutiveErrors) {
    MarkGone("stopped working (" + std::string(what) + " failed " +
             std::to_string(consecutive_errors_) + " times in a row, last " + status.error_name +
             ")");
  }
}

void UsbSource::MarkGone(const std::string& why) {
  if (!gone_) gone_ = why;
}

// Reports the loss once every byte received before it was delivered.
ReadResult UsbSource::Lost() {
  std::string gone = DeviceName(device_) + " " + *gone_;
  CloseLink();
  gone_.reset();
  if (!options_.reconnect) {
    ended_ = true;
    end_detail_ = gone;
    log_->warn("{}", gone);
    return {ReadStatus::kEnd, 0, gone};
  }
  schedule_.Attempted();
  log_->warn("{}; waiting for it to come back", gone);
  return {ReadStatus::kDisconnected, 0, gone + "; waiting for it to come back"};
}

ReadResult UsbSource::TryToReturn(Clock::TimePoint deadline) {
  while (schedule_.WaitUntilDue(deadline)) {
    schedule_.Attempted();
    Attempt attempt = OpenTraceLink();
    if (!attempt.link) {
      log_->debug("USB device not back yet: {}", attempt.error->Describe());
      continue;
    }
    bool first = !was_open_;
    devices::UsbDeviceInfo device = attempt.device;
    if (auto error = Start(std::move(attempt))) {
      log_->debug("USB device not usable yet: {}", error->Describe());
      continue;
    }
    std::string detail =
        "USB device " + options_.selector.ToString() + (first ? " appeared" : " is back") +
        " (bus " + std::to_string(device.bus) + ", address " + std::to_string(device.address) + ")";
    log_->info("{}", detail);
    return {ReadStatus::kReconnected, 0, detail};
  }
  return {ReadStatus::kTimeout, 0, {}};
}

void UsbSource::Write(std::span<const uint8_t> bytes) {
  if (!link_) {
    throw DeviceError(ErrorCategory::kTransport, DeviceName(device_) + " is not connected", "write",
                      "wait for the device to come back");
  }
  std::optional<uint8_t> out;
  for (const auto& i : link_->info().interfaces) {
    if (i.number != endpoint_.interface_number || i.alternate != endpoint_.alternate) continue;
    for (const auto& e : i.endpoints) {
      if (!e.is_in() && e.is_bulk() && !out) out = e.address;
    }
  }
  if (!out) {
    throw DeviceError(ErrorCategory::kUsage,
                      DeviceName(device_) + " has no bulk OUT endpoint on interface " +
                          std::to_string(endpoint_.interface_number),
                      "write", "this device only sends");
  }
  devices::UsbResult r = link_->BulkOut(*out, bytes);
  if (!r.ok() || r.transferred != bytes.size()) {
    throw DeviceError(ErrorCategory::kTransport,
                      "cannot send to " + DeviceName(device_) + " (" +
                          (r.ok() ? "short write" : r.error_name) + ")",
                      "write");
  }
}

std::unique_ptr<UsbSource> OpenUsbSource(UsbOptions options, std::shared_ptr<spdlog::logger> log) {
  return std::make_unique<UsbSource>(std::move(options), std::make_unique<devices::LibusbHost>(log),
                                     log);
}

}  // namespace tockctl::tracer
