#include "flasher/dfu.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <thread>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"
#include "devices/libusb_host.h"
#include "flasher/device_context.h"
#include "flasher/dfu_detach.h"
#include "flasher/method_settings.h"

namespace tockctl::flasher {
namespace {

constexpr const char* kStateNames[] = {"appIDLE",          "appDETACH",   "dfuIDLE",
                                       "dfuDNLOAD-SYNC",   "dfuDNBUSY",   "dfuDNLOAD-IDLE",
                                       "dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET",
                                       "dfuUPLOAD-IDLE",   "dfuERROR"};

struct StatusEntry {
  const char* name;
  const char* meaning;
};

constexpr StatusEntry kStatuses[] = {
    {"OK", "no error"},
    {"errTARGET", "the target memory or address is wrong"},
    {"errFILE", "the file failed a device check"},
    {"errWRITE", "the device cannot write memory"},
    {"errERASE", "memory erase failed"},
    {"errCHECK_ERASED", "the memory erase check failed"},
    {"errPROG", "programming memory failed"},
    {"errVERIFY", "programmed memory failed verification"},
    {"errADDRESS", "the address is out of range"},
    {"errNOTDONE", "the download ended before the device expected"},
    {"errFIRMWARE", "the firmware is corrupt; the device cannot leave DFU mode"},
    {"errVENDOR", "vendor-specific error"},
    {"errUSBR", "unexpected USB reset"},
    {"errPOR", "unexpected power-on reset"},
    {"errUNKNOWN", "unknown error"},
    {"errSTALLEDPKT", "the device stalled an unexpected request"},
};

constexpr int kMaxBusyPolls = 10000;
/// Longest total wait for one busy operation. bwPollTimeout is 24 bits (up to 4.6 hours); a
/// device asking for more than this is not waited for.
constexpr uint64_t kMaxBusyWaitMs = 120'000;
constexpr uint8_t kFunctionalType = 0x21;

// Parses "04*016Kg" into a sector run starting at `start`.
DfuseSectorRun ParseRun(const std::string& text, uint32_t start, const std::string& whole) {
  auto fail = [&] {
    return Error(ErrorCategory::kInvalidInput,
                 "DfuSe memory description \"" + PrintableText(whole) +
                     "\" has a malformed sector group \"" + PrintableText(text) + "\"",
                 ErrorContext{}, "expected groups like 04*016Kg (count*size, unit, type letter)");
  };
  auto star = text.find('*');
  if (star == std::string::npos || star == 0) throw fail();
  auto count = ParseUnsigned(text.substr(0, star));
  size_t i = star + 1;
  size_t digits = i;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto size = ParseUnsigned(text.substr(i, digits - i));
  if (!count || !size || digits + 2 != text.size()) throw fail();
  char unit = text[digits];
  char type = text[digits + 1];
  uint64_t mult = unit == 'K'                    ? 1024
                  : unit == 'M'                  ? 1024 * 1024
                  : (unit == 'B' || unit == ' ') ? 1
                                                 : 0;
  if (!mult || type < 'a' || type > 'g') throw fail();
  int bits = type - 'a' + 1;
  DfuseSectorRun run;
  run.start = start;
  run.count = static_cast<uint32_t>(*count);
  run.size = static_cast<uint32_t>(*size * mult);
  run.readable = bits & 1;
  run.erasable = bits & 2;
  run.writable = bits & 4;
  return run;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = 0; (at = s.find(sep, start)) != std::string::npos; start = at + 1)
    out.push_back(s.substr(start, at - start));
  out.push_back(s.substr(start));
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

DfuStatus DecodeDfuStatus(std::span<const uint8_t> bytes) {
  ByteReader r(bytes, "DFU GETSTATUS reply");
  DfuStatus s;
  s.status = r.U8();
  s.poll_timeout_ms = r.U8();
  s.poll_timeout_ms |= uint32_t{r.U8()} << 8;
  s.poll_timeout_ms |= uint32_t{r.U8()} << 16;
  s.state = r.U8();
  r.U8();  // iString
  return s;
}

std::string DfuStateName(uint8_t state) {
  return state < std::size(kStateNames) ? kStateNames[state] : fmt::format("state {}", state);
}

std::string DfuStatusName(uint8_t status) {
  return status < std::size(kStatuses) ? kStatuses[status].name
                                       : fmt::format("status 0x{:02x}", status);
}

std::string DfuStatusMeaning(uint8_t status) {
  return status < std::size(kStatuses) ? kStatuses[status].meaning : "an undocumented status";
}

std::optional<DfuFunctional> FindDfuFunctional(std::span<const uint8_t> extra) {
  ByteReader r(extra, "class-specific descriptors");
  while (r.remaining() >= 2) {
    size_t at = r.position();
    uint8_t length = r.U8();
    uint8_t type = r.U8();
    if (length < 2 || length - 2u > r.remaining()) return std::nullopt;
    if (type == kFunctionalType && length >= 7) {
      ByteReader d = r.At(at + 2, length - 2u, "DFU functional descriptor");
      DfuFunctional f;
      f.attributes = d.U8();
      f.detach_timeout_ms = d.U16Le();
      f.transfer_size = d.U16Le();
      if (d.remaining() >= 2) f.dfu_version = d.U16Le();
      return f;
    }
    r.Skip(length - 2u);
  }
  return std::nullopt;
}

std::optional<std::pair<uint32_t, uint32_t>> DfuseLayout::SectorAt(uint64_t address) const {
  for (const auto& run : runs)
    if (address >= run.start && address < run.end()) {
      auto index = static_cast<uint32_t>((address - run.start) / run.size);
      return std::make_pair(run.start + index * run.size, run.size);
    }
  return std::nullopt;
}

DfuseLayout ParseDfuseLayout(const std::string& text) {
  if (text.empty() || text[0] != '@')
    throw Error(ErrorCategory::kInvalidInput,
                "DfuSe memory description \"" + PrintableText(text) + "\" does not start with '@'",
                ErrorContext{}, "is this an ST DfuSe device? set \"dfuse\": false otherwise");
  auto parts = Split(text.substr(1), '/');
  if (parts.size() < 3 || parts.size() % 2 == 0)
    throw Error(
        ErrorCategory::kInvalidInput,
        "DfuSe memory description \"" + PrintableText(text) + "\" is not @name/address/sectors",
        ErrorContext{});
  DfuseLayout layout;
  layout.name = Trim(parts[0]);
  for (size_t p = 1; p + 1 < parts.size(); p += 2) {
    auto base = ParseUnsigned(Trim(parts[p]));
    if (!base)
      throw Error(ErrorCategory::kInvalidInput,
                  "DfuSe memory description \"" + PrintableText(text) + "\" has a bad address \"" +
                      PrintableText(parts[p]) + "\"",
                  ErrorContext{});
    uint64_t at = *base;
    for (const auto& group : Split(parts[p + 1], ',')) {
      DfuseSectorRun run = ParseRun(group, static_cast<uint32_t>(at), text);
      at = run.end();
      layout.runs.push_back(run);
    }
  }
  return layout;
}

DfuClient::DfuClient(devices::UsbTransport& usb, uint8_t interface_number, DfuFunctional functional,
                     std::string device_name, std::shared_ptr<spdlog::logger> log)
    : usb_(usb),
      interface_(interface_number),
      functional_(functional),
      device_name_(std::move(device_name)),
      log_(std::move(log)) {}

void DfuClient::DeviceError(const DfuStatus& status, const std::string& operation) {
  devices::UsbControlSetup clear{0x21, static_cast<uint8_t>(DfuRequest::kClrStatus), 0, interface_};
  usb_.ControlOut(clear, {});  // leave dfuERROR so the device stays usable
  throw Error(
      ErrorCategory::kDeviceReported,
      fmt::format("the {} reported {} (0x{:02x}), {}", device_name_, DfuStatusName(status.status),
                  status.status, DfuStatusMeaning(status.status)),
      DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation));
}

devices::UsbResult DfuClient::Request(bool in, DfuRequest request, uint16_t value,
                                      std::span<uint8_t> data, const std::string& operation,
                                      bool device_may_leave) {
  devices::UsbControlSetup setup{static_cast<uint8_t>(in ? 0xA1 : 0x21),
                                 static_cast<uint8_t>(request), value, interface_};
  devices::UsbResult r = in ? usb_.ControlIn(setup, data) : usb_.ControlOut(setup, data);
  if (r.ok() || (device_may_leave && r.status == devices::UsbStatus::kNoDevice)) return r;
  ErrorContext ctx = DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation);
  if (r.status == devices::UsbStatus::kStall && request != DfuRequest::kGetStatus) {
    uint8_t buf[6] = {};
    devices::UsbResult s =
        usb_.ControlIn({0xA1, static_cast<uint8_t>(DfuRequest::kGetStatus), 0, interface_}, buf);
    if (s.ok() && s.transferred == sizeof buf) {
      DfuStatus st = DecodeDfuStatus(buf);
      if (st.status != 0) DeviceError(st, operation);
    }
    throw Error(ErrorCategory::kTransport,
                "the " + device_name_ + " refused a request without reporting a reason", ctx,
                "unplug it and plug it in again in DFU mode");
  }
  if (r.status == devices::UsbStatus::kTimeout)
    throw Error(ErrorCategory::kTransport, "the " + device_name_ + " did not answer in time", ctx,
                "unplug it and plug it in again in DFU mode");
  if (r.status == devices::UsbStatus::kNoDevice)
    throw Error(ErrorCategory::kTransport, "the " + device_name_ + " disconnected", ctx,
                "plug it in again in DFU mode and retry");
  throw Error(ErrorCategory::kTransport, "USB transfer to the " + device_name_ + " failed", ctx,
              "run with -v to see the USB error; unplug and replug the device");
}

DfuStatus DfuClient::GetStatus(const std::string& operation) {
  uint8_t buf[6] = {};
  devices::UsbResult r = Request(true, DfuRequest::kGetStatus, 0, buf, operation);
  if (r.transferred != sizeof buf)
    throw Error(ErrorCategory::kTransport,
                fmt::format("the {} sent {} of 6 GETSTATUS bytes", device_name_, r.transferred),
                DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation));
  return DecodeDfuStatus(buf);
}

uint8_t DfuClient::GetState(const std::string& operation) {
  uint8_t state[1] = {};
  Request(true, DfuRequest::kGetState, 0, state, operation);
  return state[0];
}

void DfuClient::ClearStatus(const std::string& operation) {
  Request(false, DfuRequest::kClrStatus, 0, {}, operation);
}

void DfuClient::Abort(const std::string& operation) {
  Request(false, DfuRequest::kAbort, 0, {}, operation);
}

void DfuClient::EnsureIdle() {
  DfuStatus st = GetStatus("connect");
  if (st.state == static_cast<uint8_t>(DfuState::kError))
    ClearStatus("connect");
  else if (st.state != static_cast<uint8_t>(DfuState::kIdle))
    Abort("connect");
  uint8_t state = GetState("connect");
  if (state != static_cast<uint8_t>(DfuState::kIdle))
    throw Error(
        ErrorCategory::kTransport,
        "the " + device_name_ + " stays in state " + DfuStateName(state) + " instead of dfuIDLE",
        DeviceContext(devices::DescribeUsbDevice(usb_.info()), "connect"),
        "unplug it and plug it in again in DFU mode");
}

DfuStatus DfuClient::WaitWhileBusy(const std::string& operation) {
  uint64_t waited_ms = 0;
  int polls = 0;
  while (polls < kMaxBusyPolls) {
    DfuStatus st = GetStatus(operation);
    ++polls;
    if (st.status != 0) DeviceError(st, operation);
    if (st.state != static_cast<uint8_t>(DfuState::kDnBusy) &&
        st.state != static_cast<uint8_t>(DfuState::kDnloadSync))
      return st;
    waited_ms += st.poll_timeout_ms;
    if (waited_ms > kMaxBusyWaitMs) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(st.poll_timeout_ms));
  }
  throw Error(ErrorCategory::kTransport,
              fmt::format("the {} stayed busy ({} status polls, {} ms of waits asked for)",
                          device_name_, polls, waited_ms),
              DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation),
              "unplug it and plug it in again in DFU mode");
}

void DfuClient::Download(uint16_t block, std::span<const uint8_t> data,
                         const std::string& operation) {
  std::vector<uint8_t> copy(data.begin(), data.end());
  Request(false, DfuRequest::kDnload, block, copy, operation);
  DfuStatus st = WaitWhileBusy(operation);
  if (st.state != static_cast<uint8_t>(DfuState::kDnloadIdle))
    throw Error(
        ErrorCategory::kTransport,
        "the " + device_name_ + " went to " + DfuStateName(st.state) + " instead of dfuDNLOAD-IDLE",
        DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation));
}

std::vector<uint8_t> DfuClient::Upload(uint16_t block, size_t length,
                                       const std::string& operation) {
  std::vector<uint8_t> out(length);
  devices::UsbResult r = Request(true, DfuRequest::kUpload, block, out, operation);
  out.resize(r.transferred);
  return out;
}

void DfuClient::Manifest(uint16_t block, const std::string& operation) {
  Request(false, DfuRequest::kDnload, block, {}, operation);
  uint64_t waited_ms = 0;
  for (int i = 0; i < kMaxBusyPolls; ++i) {
    uint8_t buf[6] = {};
    devices::UsbResult r =
        Request(true, DfuRequest::kGetStatus, 0, buf, operation, /*device_may_leave=*/true);
    if (r.status == devices::UsbStatus::kNoDevice) return;  // it reset into the new firmware
    DfuStatus st = DecodeDfuStatus(std::span<const uint8_t>(buf, r.transferred));
    if (st.status != 0) DeviceError(st, operation);
    auto state = static_cast<DfuState>(st.state);
    if (state == DfuState::kManifestWaitReset || state == DfuState::kIdle) return;
    if (state == DfuState::kManifest && !functional_.manifestation_tolerant()) return;
    waited_ms += st.poll_timeout_ms;
    if (waited_ms > kMaxBusyWaitMs) return;  // as after kMaxBusyPolls: it may have left already
    std::this_thread::sleep_for(std::chrono::milliseconds(st.poll_timeout_ms));
  }
}

void DfuClient::SetAddress(uint32_t address) {
  std::vector<uint8_t> cmd{0x21};
  AppendLe32(cmd, address);
  std::string op = "SET_ADDRESS " + HexWord(address);
  Download(0, cmd, op);
  Abort(op);
}

void DfuClient::ErasePage(uint32_t address) {
  std::vector<uint8_t> cmd{0x41};
  AppendLe32(cmd, address);
  std::string op = "ERASE_PAGE " + HexWord(address);
  Download(0, cmd, op);
  Abort(op);
}

void DfuClient::MassErase() {
  std::vector<uint8_t> cmd{0x41};
  Download(0, cmd, "MASS_ERASE");
  Abort("MASS_ERASE");
}

DfuSettings ParseDfuSettings(const nlohmann::ordered_json& method) {
  MethodSettingsReader r(method, "dfu");
  DfuSettings s;
  if (auto ids = r.VidPid("vid_pid")) std::tie(s.vid, s.pid) = *ids;
  s.dfuse = r.Boolean("dfuse").value_or(s.vid == 0x0483 && s.pid == 0xdf11);
  if (auto alt = r.Integer("alt")) s.alt = static_cast<uint8_t>(*alt);
  if (auto a = r.Address("address")) s.address = static_cast<uint32_t>(*a);
  return s;
}

DfuBackend::DfuBackend(DfuSettings settings, UsbHostFactory host_factory,
                       std::shared_ptr<spdlog::logger> log, Clock& clock)
    : settings_(std::move(settings)),
      host_factory_(std::move(host_factory)),
      log_(std::move(log)),
      clock_(clock) {}

DfuBackend::~DfuBackend() = default;

Capabilities DfuBackend::capabilities() const {
  Capabilities c;
  c.write = c.reset = true;
  c.erase = c.verify = c.read = settings_.dfuse;
  return c;
}

DfuClient& DfuBackend::client() {
  if (!client_) throw Error(ErrorCategory::kInternal, "dfu back-end used before Connect");
  return *client_;
}

devices::UsbDeviceInfo DfuBackend::SelectDevice(const std::string& what) {
  std::vector<devices::UsbDeviceInfo> all = host_->ListDevices();
  bool wanted = std::any_of(all.begin(), all.end(), [&](const auto& d) {
    return d.vid == settings_.vid && d.pid == settings_.pid;
  });
  std::string runtime;
  for (const auto& d : all)
    if (OffersOnlyDfuRunTime(d) && runtime.empty())
      runtime =
          devices::UsbId(d.vid, d.pid) + (d.serial_number.empty() ? "" : ":" + d.serial_number);
  if (!settings_.probe && !wanted && !runtime.empty())
    throw Error(
        ErrorCategory::kTransport,
        fmt::format("no {} ({}) is connected; {} offers DFU run-time mode", what,
                    devices::UsbId(settings_.vid, settings_.pid), PrintableText(runtime)),
        ErrorContext{},
        "pass --usb " + PrintableText(runtime) + " to detach it into DFU mode and flash it");
  return devices::SelectUsbDevice(all, {{settings_.vid, settings_.pid}}, settings_.probe, what);
}

void DfuBackend::Connect(ProgressSink& progress) {
  host_ = host_factory_();
  devices::UsbDeviceInfo device =
      SelectDevice(settings_.dfuse ? "STM32 in DFU mode" : "DFU device");
  usb_ = host_->Open(device);
  if (OffersOnlyDfuRunTime(device)) {
    DfuModeDevice back = DetachIntoDfuMode(*host_, std::move(usb_), {settings_.vid, settings_.pid},
                                           clock_, progress, *log_);
    device = std::move(back.info);
    usb_ = std::move(back.usb);
  }
  ErrorContext ctx = DeviceContext(devices::DescribeUsbDevice(device), "connect");
  const devices::UsbInterfaceInfo* itf = nullptr;
  std::optional<DfuFunctional> functional;
  for (const auto& i : device.interfaces) {
    // DFU-mode interfaces only (protocol 1 is run-time; DFU 1.0 devices say 0 in DFU mode).
    if (i.interface_class != 0xFE || i.interface_subclass != 0x01 || i.interface_protocol == 0x01)
      continue;
    if (!functional) functional = FindDfuFunctional(i.extra);
    if (i.alternate == settings_.alt && !itf) itf = &i;
  }
  if (!itf)
    throw Error(
        ErrorCategory::kTransport,
        fmt::format("the device has no DFU interface with alternate setting {}", settings_.alt),
        ctx, "check \"alt\" in the dfu flash method");
  if (!functional || functional->transfer_size == 0)
    throw Error(ErrorCategory::kTransport, "the device has no DFU functional descriptor", ctx);
  if (!usb_->ClaimInterface(itf->number).ok() ||
      !usb_->SetAltSetting(itf->number, itf->alternate).ok())
    throw Error(ErrorCategory::kTransport,
                fmt::format("cannot claim DFU interface {}", itf->number), ctx,
                "close other programs using the device (dfu-util, STM32CubeProgrammer)");
  std::string name = settings_.dfuse ? "STM32 DfuSe bootloader" : "DFU device";
  client_ = std::make_unique<DfuClient>(*usb_, itf->number, *functional, name, log_);
  client_->EnsureIdle();
  if (settings_.dfuse) layout_ = ParseDfuseLayout(itf->name);
  next_block_ = 0;
  next_address_ = settings_.address.value_or(0);
  progress.Message(fmt::format(
      "{}: {}{}, {} bytes per transfer", name, devices::DescribeUsbDevice(device),
      settings_.dfuse ? ", " + PrintableText(layout_.name) : "", functional->transfer_size));
}

void DfuBackend::Erase(uint64_t address, uint64_t length, ProgressSink& progress) {
  if (!settings_.dfuse)
    throw Error(ErrorCategory::kInternal, "plain DFU devices erase while downloading");
  for (uint64_t at = address; at < address + length;) {
    auto sector = layout_.SectorAt(at);
    if (!sector)
      throw Error(ErrorCategory::kInvalidInput,
                  fmt::format("{} is outside the device's \"{}\"", HexWord(at),
                              PrintableText(layout_.name)),
                  DeviceContext(devices::DescribeUsbDevice(usb_->info()), "erase"),
                  "check the board's flash addresses");
    auto [start, size] = *sector;
    if (start < address || uint64_t{start} + size > address + length)
      progress.Message(fmt::format(
          "erasing the whole sector {}..{} ({} KiB) to cover {}..{}", HexWord(start),
          HexWord(uint64_t{start} + size), size / 1024, HexWord(std::max<uint64_t>(start, address)),
          HexWord(std::min<uint64_t>(uint64_t{start} + size, address + length))));
    client().ErasePage(start);
    at = uint64_t{start} + size;
    progress.Advance(std::min(at - address, length));
  }
}

void DfuBackend::Write(const Segment& segment, ProgressSink& progress) {
  const uint32_t xfer = client().functional().transfer_size;
  if (!settings_.dfuse) {
    if (next_block_ == 0 && !settings_.address) next_address_ = segment.address;
    if (segment.address != next_address_)
      throw Error(ErrorCategory::kInvalidInput,
                  fmt::format("plain DFU writes one contiguous image: segment {} starts at {}, "
                              "expected {}",
                              segment.name, HexWord(segment.address), HexWord(next_address_)),
                  ErrorContext{}, "flash a single binary, or use a DfuSe device");
  }
  for (size_t off = 0; off < segment.data.size();) {
    size_t n = std::min<size_t>(xfer, segment.data.size() - off);
    std::span<const uint8_t> chunk(segment.data.data() + off, n);
    auto at = static_cast<uint32_t>(segment.address + off);
    if (settings_.dfuse) {
      client().SetAddress(at);
      client().Download(2, chunk, "DNLOAD " + HexWord(at) + fmt::format(" +{}", n));
    } else {
      client().Download(next_block_, chunk, fmt::format("DNLOAD block {}", next_block_));
      ++next_block_;
    }
    off += n;
    progress.Advance(off);
  }
  next_address_ = segment.end();
}

std::vector<uint8_t> DfuBackend::ReadDfuse(uint32_t address, uint32_t length) {
  const uint32_t xfer = client().functional().transfer_size;
  std::vector<uint8_t> out;
  for (uint32_t off = 0; off < length;) {
    uint32_t n = std::min(xfer, length - off);
    client().SetAddress(address + off);
    auto part = client().Upload(2, n, "UPLOAD " + HexWord(address + off) + fmt::format(" +{}", n));
    client().Abort("UPLOAD");
    if (part.size() != n)
      throw Error(ErrorCategory::kTransport,
                  fmt::format("the STM32 DfuSe bootloader sent {} of {} bytes", part.size(), n),
                  DeviceContext(devices::DescribeUsbDevice(usb_->info()),
                                "UPLOAD " + HexWord(address + off)));
    out.insert(out.end(), part.begin(), part.end());
    off += n;
  }
  return out;
}

VerifyResult DfuBackend::Verify(const Segment& segment, ProgressSink& progress) {
  auto actual =
      ReadDfuse(static_cast<uint32_t>(segment.address), static_cast<uint32_t>(segment.data.size()));
  progress.Advance(segment.data.size());
  VerifyResult r;
  auto m = std::mismatch(actual.begin(), actual.end(), segment.data.begin());
  if (m.first == actual.end()) {
    r.detail = fmt::format("read back {} bytes", actual.size());
    return r;
  }
  r.match = false;
  r.first_mismatch = segment.address + (m.first - actual.begin());
  r.detail = fmt::format("byte at {} reads 0x{:02x}, expected 0x{:02x}", HexWord(r.first_mismatch),
                         *m.first, *m.second);
  return r;
}

std::vector<uint8_t> DfuBackend::Read(uint64_t address, uint64_t length) {
  if (!settings_.dfuse) throw Error(ErrorCategory::kUsage, "reading memory needs a DfuSe device");
  return ReadDfuse(static_cast<uint32_t>(address), static_cast<uint32_t>(length));
}

void DfuBackend::Start(std::optional<uint64_t> entry) {
  if (settings_.dfuse) {
    uint32_t start = settings_.address.value_or(layout_.runs.empty() ? 0 : layout_.runs[0].start);
    if (entry)
      log_->debug("dfu: leaving through {}, not the ELF entry {}", HexWord(start), HexWord(*entry));
    client().SetAddress(start);
  }
  if (settings_.dfuse)
    client().Manifest(2, "leave");
  else
    client().Manifest(next_block_, "manifest");
  Disconnect();
}

void DfuBackend::Disconnect() {
  client_.reset();
  usb_.reset();
  host_.reset();
}

std::unique_ptr<FlashBackend> CreateDfuBackend(const BackendOptions& options) {
  DfuSettings s = ParseDfuSettings(options.method_settings ? options.method_settings->settings
                                                           : nlohmann::ordered_json::object());
  if (options.probe) s.probe = devices::ParseUsbSelector(*options.probe);
  auto log = options.log;
  return std::make_unique<DfuBackend>(
      std::move(s),
      [log]() -> std::unique_ptr<devices::UsbHost> {
        return std::make_unique<devices::LibusbHost>(log);
      },
      options.log);
}

}  // namespace tockctl::flasher
