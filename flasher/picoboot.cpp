#include "flasher/picoboot.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cstddef>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"
#include "devices/libusb_host.h"
#include "flasher/device_context.h"
#include "flasher/method_settings.h"

namespace tockctl::flasher {
namespace {

struct PicobootStatusText {
  uint32_t code;
  const char* name;
  const char* meaning;
};

constexpr PicobootStatusText kPicobootStatusTexts[] = {
    {0, "OK", "no error"},
    {1, "UNKNOWN_CMD", "the boot ROM does not know this command"},
    {2, "INVALID_CMD_LENGTH", "the command's argument length is wrong"},
    {3, "INVALID_TRANSFER_LENGTH", "the data length does not match the command"},
    {4, "INVALID_ADDRESS", "the address is outside flash and RAM"},
    {5, "BAD_ALIGNMENT",
     "the address or size is misaligned (flash writes need 256 bytes, erases 4096)"},
    {6, "INTERLEAVED_WRITE", "a write was interleaved with another command"},
    {7, "REBOOTING", "the device is rebooting"},
    {8, "UNKNOWN_ERROR", "the boot ROM reported an unknown error"},
    {9, "INVALID_STATE", "the device is in the wrong state for this command"},
    {10, "NOT_PERMITTED", "the device does not permit this (secure boot or locked)"},
    {11, "INVALID_ARG", "an argument is invalid"},
    {12, "BUFFER_TOO_SMALL", "a buffer is too small"},
    {13, "PRECONDITION_NOT_MET", "a precondition is not met"},
    {14, "MODIFIED_DATA", "the data was modified"},
    {15, "INVALID_DATA", "the data is invalid"},
    {16, "NOT_FOUND", "not found"},
    {17, "UNSUPPORTED_MODIFICATION", "the modification is not supported"},
};

const PicobootStatusText* FindStatus(uint32_t code) {
  for (const auto& e : kPicobootStatusTexts)
    if (e.code == code) return &e;
  return nullptr;
}

std::vector<uint8_t> Range(uint32_t address, uint32_t size) {
  std::vector<uint8_t> args;
  AppendLe32(args, address);
  AppendLe32(args, size);
  return args;
}

std::string RangeOp(const char* name, uint32_t address, uint32_t size) {
  return fmt::format("{} 0x{:08x} +{}", name, address, size);
}

// The flash's XIP window and its aliases (cached, uncached, ...) up to SRAM at 0x20000000.
bool IsXipAddress(uint32_t address) { return address >= kRpFlashBase && address < 0x20000000; }

// Chunk sizes: small enough that one command finishes well within the USB timeout.
constexpr uint32_t kEraseChunk = 64 * 1024;
constexpr uint32_t kTransferChunk = 4096;

}  // namespace

std::array<uint8_t, 32> EncodePicobootCommand(uint32_t token, PicobootCommand command,
                                              std::span<const uint8_t> args,
                                              uint32_t transfer_length) {
  std::array<uint8_t, 32> p{};
  StoreU32Le(&p[0], kPicobootMagic);
  StoreU32Le(&p[4], token);
  p[8] = static_cast<uint8_t>(command);
  p[9] = static_cast<uint8_t>(std::min<size_t>(args.size(), 16));
  StoreU32Le(&p[12], transfer_length);
  std::copy_n(args.begin(), std::min<size_t>(args.size(), 16), p.begin() + 16);
  return p;
}

PicobootStatus DecodePicobootStatus(std::span<const uint8_t> bytes) {
  ByteReader r(bytes, "PICOBOOT CMD_STATUS reply");
  PicobootStatus s;
  s.token = r.U32Le();
  s.code = r.U32Le();
  s.command = r.U8();
  s.in_progress = r.U8() != 0;
  r.Skip(6);
  return s;
}

std::string PicobootStatusName(uint32_t code) {
  const PicobootStatusText* e = FindStatus(code);
  return e ? e->name : fmt::format("status {}", code);
}

std::string PicobootStatusMeaning(uint32_t code) {
  const PicobootStatusText* e = FindStatus(code);
  return e ? e->meaning : "an undocumented status";
}

std::string PicobootCommandName(uint8_t command) {
  switch (command) {
    case 0x01:
      return "EXCLUSIVE_ACCESS";
    case 0x02:
      return "REBOOT";
    case 0x03:
      return "FLASH_ERASE";
    case 0x84:
      return "READ";
    case 0x05:
      return "WRITE";
    case 0x06:
      return "EXIT_XIP";
    case 0x07:
      return "ENTER_CMD_XIP";
    case 0x08:
      return "EXEC";
    case 0x09:
      return "VECTORIZE_FLASH";
    case 0x0a:
      return "REBOOT2";
    default:
      return fmt::format("0x{:02x}", command);
  }
}

PicobootClient::PicobootClient(devices::UsbTransport& usb, std::string device_name,
                               std::shared_ptr<spdlog::logger> log)
    : usb_(usb), device_name_(std::move(device_name)), log_(std::move(log)) {
  const devices::UsbInterfaceInfo* found = nullptr;
  for (const auto& itf : usb_.info().interfaces) {
    if (itf.interface_class != 0xFF || itf.alternate != 0) continue;
    auto out =
        std::find_if(itf.endpoints.begin(), itf.endpoints.end(),
                     [](const devices::UsbEndpointInfo& e) { return e.is_bulk() && !e.is_in(); });
    auto in =
        std::find_if(out == itf.endpoints.end() ? out : out + 1, itf.endpoints.end(),
                     [](const devices::UsbEndpointInfo& e) { return e.is_bulk() && e.is_in(); });
    if (out == itf.endpoints.end() || in == itf.endpoints.end()) continue;
    found = &itf;
    ep_out_ = out->address;
    ep_in_ = in->address;
    break;
  }
  ErrorContext ctx =
      DeviceContext(devices::DescribeUsbDevice(usb_.info()), "open PICOBOOT interface");
  if (!found)
    throw Error(ErrorCategory::kTransport,
                "the device has no PICOBOOT interface (vendor class 0xff with bulk OUT and IN)",
                ctx, "is it an RP2040/RP2350 in BOOTSEL mode? hold BOOTSEL while plugging it in");
  interface_ = found->number;
  if (!usb_.ClaimInterface(interface_).ok())
    throw Error(ErrorCategory::kTransport,
                fmt::format("cannot claim PICOBOOT interface {}", interface_), ctx,
                "close other programs using the device (picotool, a file manager), then retry");
  devices::UsbControlSetup reset{0x41, kPicobootIfReset, 0, interface_};
  if (!usb_.ControlOut(reset, {}).ok())
    throw Error(ErrorCategory::kTransport, "the device refused the PICOBOOT interface reset", ctx,
                "unplug it and plug it in again in BOOTSEL mode");
}

void PicobootClient::Fail(const devices::UsbResult& result, const std::string& operation) {
  ErrorContext ctx = DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation);
  if (result.status == devices::UsbStatus::kStall) {
    uint8_t buf[16] = {};
    devices::UsbResult s = usb_.ControlIn({0xC1, kPicobootIfCmdStatus, 0, interface_}, buf);
    usb_.ControlOut({0x41, kPicobootIfReset, 0, interface_}, {});  // un-stall for what follows
    if (s.ok() && s.transferred == sizeof buf) {
      PicobootStatus st = DecodePicobootStatus(buf);
      if (st.code != 0)
        throw Error(ErrorCategory::kDeviceReported,
                    fmt::format("the {} refused {}: {} ({}), {}", device_name_,
                                PicobootCommandName(st.command), PicobootStatusName(st.code),
                                st.code, PicobootStatusMeaning(st.code)),
                    ctx);
    }
    throw Error(ErrorCategory::kTransport,
                "the " + device_name_ + " stalled without reporting a reason", ctx,
                "unplug it and plug it in again in BOOTSEL mode");
  }
  if (result.status == devices::UsbStatus::kTimeout)
    throw Error(ErrorCategory::kTransport, "the " + device_name_ + " did not answer in time", ctx,
                "unplug it and plug it in again in BOOTSEL mode");
  if (result.status == devices::UsbStatus::kNoDevice)
    throw Error(ErrorCategory::kTransport, "the " + device_name_ + " disconnected", ctx,
                "plug it in again in BOOTSEL mode and retry");
  throw Error(ErrorCategory::kTransport, "USB transfer to the " + device_name_ + " failed", ctx,
              "run with -v to see the USB error; unplug and replug the device");
}

void PicobootClient::CheckTransport(const devices::UsbResult& result,
                                    const std::string& operation) {
  if (!result.ok()) Fail(result, operation);
}

void PicobootClient::Call(PicobootCommand command, std::span<const uint8_t> args,
                          std::span<const uint8_t> data_out, std::span<uint8_t> data_in,
                          const std::string& operation) {
  auto length = static_cast<uint32_t>(data_out.size() + data_in.size());
  auto packet = EncodePicobootCommand(token_++, command, args, length);
  log_->debug("picoboot {}", operation);
  CheckTransport(usb_.BulkOut(ep_out_, packet), operation);
  if (!data_out.empty()) CheckTransport(usb_.BulkOut(ep_out_, data_out), operation);
  if (!data_in.empty()) {
    devices::UsbResult r = usb_.BulkIn(ep_in_, data_in);
    CheckTransport(r, operation);
    if (r.transferred != data_in.size())
      throw Error(
          ErrorCategory::kTransport,
          fmt::format("the {} sent {} of {} bytes", device_name_, r.transferred, data_in.size()),
          DeviceContext(devices::DescribeUsbDevice(usb_.info()), operation));
  }
  // The ACK is a zero-length packet in the direction opposite to the data.
  if (static_cast<uint8_t>(command) & 0x80) {
    CheckTransport(usb_.BulkOut(ep_out_, {}), operation);
  } else {
    uint8_t ack[1];
    CheckTransport(usb_.BulkIn(ep_in_, ack), operation);
  }
}

void PicobootClient::ExclusiveAccess(PicobootExclusive mode) {
  uint8_t args[1] = {static_cast<uint8_t>(mode)};
  Call(PicobootCommand::kExclusiveAccess, args, {}, {}, "EXCLUSIVE_ACCESS");
}

void PicobootClient::ExitXip() {
  xip_readable_ = false;
  Call(PicobootCommand::kExitXip, {}, {}, {}, "EXIT_XIP");
}

void PicobootClient::EnterCmdXip() {
  Call(PicobootCommand::kEnterCmdXip, {}, {}, {}, "ENTER_CMD_XIP");
  xip_readable_ = true;
}

void PicobootClient::FlashErase(uint32_t address, uint32_t length) {
  xip_readable_ = false;
  Call(PicobootCommand::kFlashErase, Range(address, length), {}, {},
       RangeOp("FLASH_ERASE", address, length));
}

void PicobootClient::Write(uint32_t address, std::span<const uint8_t> data) {
  auto size = static_cast<uint32_t>(data.size());
  if (IsXipAddress(address)) xip_readable_ = false;
  Call(PicobootCommand::kWrite, Range(address, size), data, {}, RangeOp("WRITE", address, size));
}

std::vector<uint8_t> PicobootClient::Read(uint32_t address, uint32_t length) {
  if (IsXipAddress(address) && !xip_readable_) EnterCmdXip();
  std::vector<uint8_t> out(length);
  Call(PicobootCommand::kRead, Range(address, length), {}, out, RangeOp("READ", address, length));
  return out;
}

void PicobootClient::Reboot(uint32_t pc, uint32_t sp, uint32_t delay_ms) {
  std::vector<uint8_t> args;
  AppendLe32(args, pc);
  AppendLe32(args, sp);
  AppendLe32(args, delay_ms);
  Call(PicobootCommand::kReboot, args, {}, {}, "REBOOT");
}

void PicobootClient::Reboot2(uint32_t flags, uint32_t delay_ms, uint32_t param0, uint32_t param1) {
  std::vector<uint8_t> args;
  AppendLe32(args, flags);
  AppendLe32(args, delay_ms);
  AppendLe32(args, param0);
  AppendLe32(args, param1);
  Call(PicobootCommand::kReboot2, args, {}, {}, "REBOOT2");
}

PicobootSettings ParsePicobootSettings(const nlohmann::ordered_json& method) {
  MethodSettingsReader r(method, "picoboot");
  PicobootSettings s;
  if (auto family = r.String("family")) {
    if (*family == "rp2040")
      s.family = RpFamily::kRp2040;
    else if (*family == "rp2350")
      s.family = RpFamily::kRp2350;
    else
      throw Error(ErrorCategory::kInvalidInput,
                  "unknown family \"" + *family + "\" in the picoboot flash method",
                  PointerContext("/family"), "use rp2040 or rp2350");
  }
  return s;
}

PicobootBackend::PicobootBackend(PicobootSettings settings, UsbHostFactory host_factory,
                                 std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      host_factory_(std::move(host_factory)),
      log_(std::move(log)) {}

PicobootBackend::~PicobootBackend() = default;

Capabilities PicobootBackend::capabilities() const {
  Capabilities c;
  c.erase = c.write = c.verify = c.read = c.reset = true;
  return c;
}

PicobootClient& PicobootBackend::client() {
  if (!client_) throw Error(ErrorCategory::kInternal, "picoboot back-end used before Connect");
  return *client_;
}

bool PicobootBackend::is_rp2350() const { return usb_ && usb_->info().pid == kRp2350BootselPid; }

void PicobootBackend::Connect(ProgressSink& progress) {
  host_ = host_factory_();
  std::vector<std::pair<uint16_t, uint16_t>> ids;
  if (settings_.family != RpFamily::kRp2350) ids.emplace_back(kRaspberryPiVid, kRp2040BootselPid);
  if (settings_.family != RpFamily::kRp2040) ids.emplace_back(kRaspberryPiVid, kRp2350BootselPid);
  devices::UsbDeviceInfo device = devices::SelectUsbDevice(
      host_->ListDevices(), ids, settings_.probe, "RP2040/RP2350 in BOOTSEL mode");
  usb_ = host_->Open(device);
  std::string chip = device.pid == kRp2350BootselPid ? "RP2350" : "RP2040";
  client_ = std::make_unique<PicobootClient>(*usb_, chip + " boot ROM", log_);
  client_->ExclusiveAccess(PicobootExclusive::kExclusive);
  client_->ExitXip();
  progress.Message(fmt::format("{} in BOOTSEL mode: {}", chip, devices::DescribeUsbDevice(device)));
}

void PicobootBackend::Erase(uint64_t address, uint64_t length, ProgressSink& progress) {
  if (address % kPicobootSectorSize || length % kPicobootSectorSize ||
      address + length > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("cannot erase 0x{:08x} +{} over PICOBOOT: it erases whole 4 KiB "
                            "sectors",
                            address, length),
                ErrorContext{}, "set the board's page_size to 4096 (a multiple of the sector)");
  for (uint64_t done = 0; done < length;) {
    auto n = static_cast<uint32_t>(std::min<uint64_t>(kEraseChunk, length - done));
    client().FlashErase(static_cast<uint32_t>(address + done), n);
    done += n;
    progress.Advance(done);
  }
}

void PicobootBackend::Write(const Segment& segment, ProgressSink& progress) {
  if (segment.data.empty()) return;
  if (segment.end() > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("segment {} ends past 4 GiB", segment.name));
  uint64_t first = segment.address / kPicobootPageSize * kPicobootPageSize;
  uint64_t last = (segment.end() + kPicobootPageSize - 1) / kPicobootPageSize * kPicobootPageSize;
  std::vector<uint8_t> pages(last - first, 0xFF);
  std::copy(segment.data.begin(), segment.data.end(),
            pages.begin() + static_cast<std::ptrdiff_t>(segment.address - first));
  for (uint64_t off = 0; off < pages.size();) {
    auto n = static_cast<uint32_t>(std::min<uint64_t>(kTransferChunk, pages.size() - off));
    client().Write(static_cast<uint32_t>(first + off), std::span(pages.data() + off, n));
    off += n;
    uint64_t covered = std::max<uint64_t>(first + off, segment.address) - segment.address;
    progress.Advance(std::min<uint64_t>(covered, segment.data.size()));
  }
}

VerifyResult PicobootBackend::Verify(const Segment& segment, ProgressSink& progress) {
  VerifyResult result;
  for (size_t off = 0; off < segment.data.size();) {
    auto n = static_cast<uint32_t>(std::min<size_t>(kTransferChunk, segment.data.size() - off));
    auto actual = client().Read(static_cast<uint32_t>(segment.address + off), n);
    auto m = std::mismatch(actual.begin(), actual.end(),
                           segment.data.begin() + static_cast<std::ptrdiff_t>(off));
    if (m.first != actual.end()) {
      uint64_t at = segment.address + off + (m.first - actual.begin());
      result.match = false;
      result.first_mismatch = at;
      result.detail = fmt::format("byte at 0x{:08x} reads 0x{:02x}, expected 0x{:02x}", at,
                                  *m.first, *m.second);
      return result;
    }
    off += n;
    progress.Advance(off);
  }
  result.detail = fmt::format("read back {} bytes", segment.data.size());
  return result;
}

std::vector<uint8_t> PicobootBackend::Read(uint64_t address, uint64_t length) {
  std::vector<uint8_t> out;
  for (uint64_t off = 0; off < length;) {
    auto n = static_cast<uint32_t>(std::min<uint64_t>(kTransferChunk, length - off));
    auto part = client().Read(static_cast<uint32_t>(address + off), n);
    out.insert(out.end(), part.begin(), part.end());
    off += n;
  }
  return out;
}

void PicobootBackend::Start(std::optional<uint64_t> entry) {
  if (entry) log_->debug("picoboot: entry 0x{:x} not used; the boot ROM boots from flash", *entry);
  constexpr uint32_t kDelayMs = 500;
  if (is_rp2350()) {
    client().Reboot2(/*flags: normal boot*/ 0, kDelayMs, 0, 0);
  } else {
    client().Reboot(/*pc: regular boot*/ 0, /*sp: end of SRAM*/ 0x20042000, kDelayMs);
  }
  client_.reset();
  usb_.reset();
  host_.reset();
}

void PicobootBackend::Disconnect() {
  if (client_) client_->ExclusiveAccess(PicobootExclusive::kNotExclusive);
  client_.reset();
  usb_.reset();
  host_.reset();
}

std::unique_ptr<FlashBackend> CreatePicobootBackend(const BackendOptions& options) {
  PicobootSettings s =
      ParsePicobootSettings(options.method_settings ? options.method_settings->settings
                                                    : nlohmann::ordered_json::object());
  if (options.probe) s.probe = devices::ParseUsbSelector(*options.probe);
  auto log = options.log;
  return std::make_unique<PicobootBackend>(
      std::move(s),
      [log]() -> std::unique_ptr<devices::UsbHost> {
        return std::make_unique<devices::LibusbHost>(log);
      },
      options.log);
}

}  // namespace tockctl::flasher
