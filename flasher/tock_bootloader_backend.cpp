#include "flasher/tock_bootloader_backend.h"

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <thread>

#include "common/error.h"
#include "devices/device_discovery.h"
#include "flasher/crc32.h"
#include "flasher/device_context.h"
#include "flasher/method_settings.h"

namespace tockctl::flasher {
namespace {

constexpr uint32_t kPage = kBootloaderPageSize;

std::string Hex32(uint64_t v) { return fmt::format("0x{:08x}", v); }

BootloaderEntry ParseEntry(const std::string& text, const std::string& pointer) {
  if (text == "auto") return BootloaderEntry::kAuto;
  if (text == "baud-touch") return BootloaderEntry::kBaudTouch;
  if (text == "dtr-rts") return BootloaderEntry::kDtrRts;
  if (text == "none") return BootloaderEntry::kNone;
  throw Error(ErrorCategory::kInvalidInput,
              "unknown bootloader entry \"" + text + "\" in the tock-bootloader flash method",
              PointerContext(pointer), "use one of: auto, baud-touch, dtr-rts, none");
}

void Pause(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

}  // namespace

TockBootloaderSettings ParseTockBootloaderSettings(const nlohmann::ordered_json& method) {
  MethodSettingsReader r(
      method, "tock-bootloader",
      {"baud", "page_size", "fast_baud", "entry", "skip_zero_pages", "start_address"});
  TockBootloaderSettings s;
  if (auto v = r.Integer("baud")) s.baud = static_cast<uint32_t>(*v);
  if (auto v = r.Integer("page_size"); v && *v != kPage)
    throw Error(
        ErrorCategory::kInvalidInput,
        fmt::format("page_size {} in the tock-bootloader flash method is not 512", *v),
        PointerContext("/page_size"),
        "the Tock bootloader protocol always moves 512-byte pages; use 512 or leave it out");
  if (auto v = r.Integer("fast_baud")) s.fast_baud = static_cast<uint32_t>(*v);
  if (auto v = r.String("entry")) s.entry = ParseEntry(*v, "/entry");
  if (auto v = r.Boolean("skip_zero_pages")) s.skip_zero_pages = *v;
  if (auto v = r.Address("start_address")) s.start_address = static_cast<uint32_t>(*v);
  for (uint32_t baud : {s.baud, s.fast_baud.value_or(s.baud)})
    if (!IsSupportedBaudRate(baud))
      throw Error(ErrorCategory::kInvalidInput,
                  fmt::format("baud rate {} in the tock-bootloader flash method is not one the "
                              "host can set",
                              baud),
                  PointerContext(baud == s.baud ? "/baud" : "/fast_baud"),
                  "use a standard rate such as 115200, 460800 or 921600");
  return s;
}

PageAction ClassifyPage(std::span<const uint8_t> page, bool skip_zero_pages) {
  if (std::all_of(page.begin(), page.end(), [](uint8_t b) { return b == 0xFF; }))
    return PageAction::kErase;
  if (skip_zero_pages && std::all_of(page.begin(), page.end(), [](uint8_t b) { return b == 0; }))
    return PageAction::kSkip;
  return PageAction::kWrite;
}

TockBootloaderBackend::TockBootloaderBackend(TockBootloaderSettings settings, SerialOpener opener,
                                             std::shared_ptr<SerialPortLister> lister,
                                             std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      opener_(std::move(opener)),
      lister_(std::move(lister)),
      log_(std::move(log)),
      baud_(settings_.baud) {}

TockBootloaderBackend::~TockBootloaderBackend() = default;

Capabilities TockBootloaderBackend::capabilities() const {
  Capabilities c;
  c.write = c.verify = c.read = c.reset = true;
  c.erase = false;  // WRITE_PAGE erases the page it writes; Erase() is still available
  c.start = false;  // EXIT jumps to the bootloader's stored start address, not to an entry point
  return c;
}

TockBootloaderClient& TockBootloaderBackend::client() {
  if (!client_)
    throw Error(ErrorCategory::kInternal, "tock-bootloader back-end used before Connect");
  return *client_;
}

void TockBootloaderBackend::Connect(ProgressSink& progress) {
  if (settings_.port.empty())
    settings_.port = SelectSerialPort(lister_->ListSerialPorts(), std::nullopt);
  link_ = opener_(settings_.port, settings_.baud);
  client_ = std::make_unique<TockBootloaderClient>(*link_, settings_.timeouts, log_);
  EnterBootloader(progress);
  info_ = client_->Info();
  progress.Message(fmt::format(
      "Tock bootloader {} on {}",
      info_.version.empty() ? "(no version)" : PrintableText(info_.version), link_->path()));
  if (settings_.fast_baud && *settings_.fast_baud != baud_) {
    if (client_->ChangeBaudRate(baud_, *settings_.fast_baud)) {
      baud_ = *settings_.fast_baud;
      progress.Message(fmt::format("switched to {} baud", baud_));
    } else {
      progress.Message(fmt::format("bootloader stays at {} baud", baud_));
    }
  }
}

void TockBootloaderBackend::EnterBootloader(ProgressSink& progress) {
  switch (settings_.entry) {
    case BootloaderEntry::kNone:
      break;
    case BootloaderEntry::kBaudTouch:
      if (!TouchAndReopen())
        throw Error(ErrorCategory::kTransport,
                    "the board did not reset when its port was set to 1200 baud",
                    DeviceContext(settings_.port, "enter bootloader"),
                    "use \"entry\": \"dtr-rts\" for boards with a USB-serial chip, or start the "
                    "bootloader by hand and use \"entry\": \"none\"");
      break;
    case BootloaderEntry::kDtrRts:
      PulseDtrRts();
      break;
    case BootloaderEntry::kAuto:
      if (client_->TryPing()) return;  // already in the bootloader
      progress.Message("resetting the board into its bootloader");
      if (!TouchAndReopen()) PulseDtrRts();
      break;
  }
  WaitForPong();
}

void TockBootloaderBackend::LearnSerialNumber() {
  if (!settings_.serial_number.empty()) return;
  for (const auto& port : lister_->ListSerialPorts())
    if (port.path == settings_.port) settings_.serial_number = port.serial_number;
}

bool TockBootloaderBackend::TouchAndReopen() {
  LearnSerialNumber();
  link_->SetBaudRate(1200);
  Pause(settings_.timings.touch_settle);
  if (link_->StillPresent()) {
    log_->debug("{}: still present at 1200 baud; no reset by baud touch", link_->path());
    link_->SetBaudRate(baud_);
    return false;
  }
  std::string old_path = link_->path();
  client_.reset();
  link_.reset();
  for (int i = 0; i < settings_.timings.refind_attempts; ++i) {
    Pause(settings_.timings.refind_interval);
    for (const auto& port : lister_->ListSerialPorts()) {
      bool same = settings_.serial_number.empty() ? port.path == old_path
                                                  : port.serial_number == settings_.serial_number;
      if (!same || ::access(port.path.c_str(), R_OK | W_OK) != 0) continue;
      log_->info("bootloader port: {}", port.path);
      settings_.port = port.path;
      link_ = opener_(port.path, baud_);
      client_ = std::make_unique<TockBootloaderClient>(*link_, settings_.timeouts, log_);
      return true;
    }
  }
  std::string which = settings_.serial_number.empty()
                          ? "port " + old_path
                          : "serial port with USB serial number " + settings_.serial_number;
  auto waited = settings_.timings.refind_interval * settings_.timings.refind_attempts;
  throw Error(
      ErrorCategory::kTransport,
      fmt::format("the board reset but no {} came back within {} ms", which, waited.count()),
      DeviceContext(old_path, "enter bootloader"),
      "check `tockctl devices`; if the bootloader has a new port, pass it with --port");
}

void TockBootloaderBackend::PulseDtrRts() {
  const auto& t = settings_.timings;
  if (!link_->SetModemLines(true, true)) {
    log_->warn("{}: the port has no DTR/RTS lines; cannot reset the board", link_->path());
    return;
  }
  Pause(t.reset_pulse);
  link_->SetModemLines(false, true);
  Pause(t.select_hold);
  link_->SetModemLines(false, false);
}

void TockBootloaderBackend::WaitForPong() {
  for (int i = 0; i < settings_.timings.ping_attempts; ++i)
    if (client_->TryPing()) return;
  throw Error(ErrorCategory::kTransport,
              fmt::format("the Tock bootloader did not answer PING ({} attempts)",
                          settings_.timings.ping_attempts),
              DeviceContext(link_->path(), "enter bootloader"),
              "check that the board has the Tock bootloader and that this is its port; hold the "
              "bootloader button while resetting the board, then retry with \"entry\": \"none\"");
}

void TockBootloaderBackend::Erase(uint64_t address, uint64_t length, ProgressSink& progress) {
  if (address % kPage != 0 || length % kPage != 0 || address + length > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("cannot erase {} +{} with the Tock bootloader: it erases whole "
                            "512-byte pages below 4 GiB",
                            Hex32(address), length));
  for (uint64_t done = 0; done < length; done += kPage) {
    client().ErasePage(static_cast<uint32_t>(address + done));
    progress.Advance(done + kPage);
  }
}

std::vector<uint8_t> TockBootloaderBackend::PagesFor(const Segment& segment, uint32_t first,
                                                     uint32_t last) {
  std::vector<uint8_t> pages(last - first, 0xFF);
  auto start = static_cast<uint32_t>(segment.address);
  auto end = static_cast<uint32_t>(segment.end());
  // Keep what the device holds around an unaligned segment.
  if (start > first) {
    auto head = client().ReadRange(first, start - first);
    std::copy(head.begin(), head.end(), pages.begin());
  }
  if (end < last) {
    auto tail = client().ReadRange(end, last - end);
    std::copy(tail.begin(), tail.end(), pages.begin() + (end - first));
  }
  std::copy(segment.data.begin(), segment.data.end(), pages.begin() + (start - first));
  return pages;
}

void TockBootloaderBackend::CheckRun(uint32_t start, std::span<const uint8_t> data) {
  if (data.empty()) return;
  uint32_t want = Crc32(data);
  uint32_t got = client().CrcInternalFlash(start, static_cast<uint32_t>(data.size()));
  if (got == want) return;
  throw Error(ErrorCategory::kDeviceReported,
              fmt::format("flash at {}..{} does not hold what was written: the bootloader's "
                          "CRC-32 is 0x{:08x}, expected 0x{:08x}",
                          Hex32(start), Hex32(start + data.size()), got, want),
              DeviceContext(link_->path(), "write"),
              "run the command again; if it persists the flash may be protected or worn");
}

void TockBootloaderBackend::Write(const Segment& segment, ProgressSink& progress) {
  if (segment.data.empty()) return;
  if (segment.end() > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("segment {} at {} ends past 4 GiB, beyond the Tock bootloader's "
                            "32-bit addresses",
                            segment.name, Hex32(segment.address)));
  auto first = static_cast<uint32_t>(segment.address / kPage * kPage);
  auto last = static_cast<uint32_t>((segment.end() + kPage - 1) / kPage * kPage);
  auto pages = PagesFor(segment, first, last);
  uint32_t run_start = first;
  for (uint32_t at = first; at < last; at += kPage) {
    std::span<const uint8_t> page(pages.data() + (at - first), kPage);
    PageAction action = ClassifyPage(page, settings_.skip_zero_pages);
    if (action == PageAction::kSkip) {
      CheckRun(run_start, std::span(pages.data() + (run_start - first), at - run_start));
      run_start = at + kPage;
    } else if (action == PageAction::kErase) {
      client().ErasePage(at);
    } else {
      client().WritePage(at, page);
    }
    uint64_t covered = std::max<uint64_t>(at + kPage, segment.address) - segment.address;
    progress.Advance(std::min<uint64_t>(covered, segment.data.size()));
  }
  CheckRun(run_start, std::span(pages.data() + (run_start - first), last - run_start));
}

VerifyResult TockBootloaderBackend::Verify(const Segment& segment, ProgressSink& progress) {
  VerifyResult result;
  auto start = static_cast<uint32_t>(segment.address);
  uint32_t want = Crc32(segment.data);
  uint32_t got = client().CrcInternalFlash(start, static_cast<uint32_t>(segment.data.size()));
  result.detail = fmt::format("CRC-32 0x{:08x}", got);
  if (got != want) {
    result.match = false;
    result.detail += fmt::format(", expected 0x{:08x}", want);
    // Find the first differing byte page by page.
    for (size_t off = 0; off < segment.data.size(); off += kPage) {
      size_t n = std::min<size_t>(kPage, segment.data.size() - off);
      auto actual =
          client().ReadRange(start + static_cast<uint32_t>(off), static_cast<uint32_t>(n));
      auto mismatch = std::mismatch(actual.begin(), actual.end(),
                                    segment.data.begin() + static_cast<std::ptrdiff_t>(off));
      if (mismatch.first != actual.end()) {
        result.first_mismatch = start + off + (mismatch.first - actual.begin());
        break;
      }
    }
  }
  progress.Advance(segment.data.size());
  return result;
}

std::vector<uint8_t> TockBootloaderBackend::Read(uint64_t address, uint64_t length) {
  if (address + length > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("cannot read {} +{}: the Tock bootloader addresses 32 bits",
                            Hex32(address), length));
  return client().ReadRange(static_cast<uint32_t>(address), static_cast<uint32_t>(length));
}

void TockBootloaderBackend::Start(std::optional<uint64_t> entry) {
  if (entry)
    log_->debug(
        "tock-bootloader: entry {} not used; the bootloader jumps to its "
        "stored start address",
        Hex32(*entry));
  if (settings_.start_address) client().SetStartAddress(*settings_.start_address);
  client().Exit();
  Disconnect();
}

void TockBootloaderBackend::Disconnect() {
  client_.reset();
  link_.reset();
}

std::unique_ptr<FlashBackend> CreateTockBootloaderBackend(const BackendOptions& options) {
  TockBootloaderSettings s =
      ParseTockBootloaderSettings(options.method_settings ? options.method_settings->settings
                                                          : nlohmann::ordered_json::object());
  if (options.port) s.port = *options.port;
  return std::make_unique<TockBootloaderBackend>(
      std::move(s), [](const std::string& p, uint32_t b) { return TermiosSerialLink::Open(p, b); },
      std::make_shared<devices::SysfsDeviceScanner>(), options.log);
}

}  // namespace tockctl::flasher
