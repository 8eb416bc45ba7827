#include "flasher/tock_bootloader_backend.h"

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <thread>

#include "common/error.h"
#include "common/hex.h"
#include "devices/device_discovery.h"
#include "devices/tty_usb_identity.h"
#include "flasher/crc32.h"
#include "flasher/device_context.h"
#include "flasher/method_settings.h"

namespace tockctl::flasher {
namespace {

constexpr uint32_t kPage = kBootloaderPageSize;

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

// Catalog boards whose bootloader's build.rs writes another "board" attribute.
struct BoardAlias {
  const char* board;
  const char* attribute;
};
constexpr BoardAlias kBoardAliases[] = {
    {"wm1110dev", "wm1110_dev"},
    {"nano33ble_rev2", "nano33ble"},
};

std::string Printable(const std::vector<uint8_t>& value) {
  return PrintableText(std::string(value.begin(), value.end()));
}

}  // namespace

std::string BootloaderBoardAttributeFor(const std::string& board) {
  for (const auto& a : kBoardAliases)
    if (board == a.board) return a.attribute;
  return board;
}

std::vector<std::string> BoardsWithBootloaderAttribute(const std::string& attribute,
                                                       const std::vector<std::string>& catalog) {
  std::vector<std::string> out;
  if (std::find(catalog.begin(), catalog.end(), attribute) != catalog.end())
    out.push_back(attribute);
  for (const auto& name : catalog)
    if (name != attribute && BootloaderBoardAttributeFor(name) == attribute) out.push_back(name);
  return out;
}

TockBootloaderSettings ParseTockBootloaderSettings(const nlohmann::ordered_json& method) {
  MethodSettingsReader r(method, "tock-bootloader");
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

PageAction ClassifyPage(std::span<const uint8_t> page, bool skip_zero_pages, bool erase_reads_ff) {
  if (erase_reads_ff && std::all_of(page.begin(), page.end(), [](uint8_t b) { return b == 0xFF; }))
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
  c.write_unit = kBootloaderPageSize;
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
  else if (devices::PortAsUsbSelector(settings_.port))  // --serial VID:PID[:SERIAL]
    settings_.port = SelectSerialPort(lister_->ListSerialPorts(), settings_.port);
  link_ = opener_(settings_.port, settings_.baud);
  client_ = std::make_unique<TockBootloaderClient>(*link_, settings_.timeouts, log_);
  EnterBootloader(progress);
  info_ = client_->Info();
  ReadAttributes();
  std::string board = attribute("board");
  progress.Message(fmt::format("Tock bootloader {} on {}{}", GenerationName(), link_->path(),
                               board.empty() ? "" : " (board " + board + ")"));
  CheckBoard(progress);
  CheckStartAddressSupported();
  if (settings_.fast_baud && *settings_.fast_baud != baud_) {
    if (client_->ChangeBaudRate(baud_, *settings_.fast_baud)) {
      baud_ = *settings_.fast_baud;
      progress.Message(fmt::format("switched to {} baud", baud_));
    } else {
      progress.Message(fmt::format("bootloader stays at {} baud", baud_));
    }
  }
}

std::string TockBootloaderBackend::GenerationName() const {
  return info_.version.empty() ? "(no version)" : PrintableText(info_.version);
}

std::string TockBootloaderBackend::attribute(const std::string& key) const {
  for (const auto& [k, v] : attributes_)
    if (k == key) return v;
  return {};
}

void TockBootloaderBackend::ReadAttributes() {
  attributes_.clear();
  for (int i = 0; i < kBootloaderAttributeCount; ++i) {
    BootloaderAttribute a = client_->GetAttribute(i);
    if (a.present) attributes_.emplace_back(PrintableText(a.key), Printable(a.value));
  }
}

void TockBootloaderBackend::CheckBoard(ProgressSink& progress) {
  std::string found = attribute("board");
  if (settings_.board.empty() || found.empty()) return;
  if (found == BootloaderBoardAttributeFor(settings_.board)) return;
  std::string what = fmt::format("the bootloader on {} belongs to board \"{}\", not {}",
                                 link_->path(), found, settings_.board);
  if (settings_.force) {
    progress.Message("warning: " + what + "; writing anyway (--force)");
    return;
  }
  throw Error(ErrorCategory::kUsage, what, ErrorContext{},
              fmt::format("pass --board {}, or --force to write the {} image anyway", found,
                          settings_.board));
}

void TockBootloaderBackend::CheckStartAddressSupported() {
  if (!settings_.start_address || info_.generation == BootloaderGeneration::kRust11) return;
  throw Error(ErrorCategory::kInvalidInput,
              fmt::format("start_address {} in the tock-bootloader flash method needs bootloader "
                          "1.1.0 or later, but {} runs {}, which cannot store a start address",
                          HexWord(*settings_.start_address), link_->path(), GenerationName()),
              PointerContext("/start_address"),
              "nothing was written; remove start_address (this bootloader starts the kernel at "
              "0x10000) or update the bootloader");
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
      "check `tockctl devices`; if the bootloader has a new port, pass it with --serial");
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
                            HexWord(address), length));
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
                          HexWord(start), HexWord(start + data.size()), got, want),
              DeviceContext(link_->path(), "write"),
              "run the command again; if it persists the flash may be protected or worn");
}

void TockBootloaderBackend::CheckPagesFit(std::span<const uint8_t> pages, uint32_t first) {
  if (info_.generation != BootloaderGeneration::kRust11) return;
  for (size_t off = 0; off < pages.size(); off += kPage) {
    auto address = static_cast<uint32_t>(first + off);
    uint8_t le[4] = {static_cast<uint8_t>(address), static_cast<uint8_t>(address >> 8),
                     static_cast<uint8_t>(address >> 16), static_cast<uint8_t>(address >> 24)};
    size_t escapes = CountEscapeBytes(pages.subspan(off, kPage)) + CountEscapeBytes(le);
    if (escapes <= kBootloader11MaxEscapes) continue;
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("the page at {} holds {} bytes 0xFC; bootloader {} on {} receives at "
                            "most {} per page (each is sent twice and its 600-byte receive buffer "
                            "overflows)",
                            HexWord(address), escapes, GenerationName(), link_->path(),
                            kBootloader11MaxEscapes),
                ErrorContext{},
                "nothing of this segment was written; flash this image with another method "
                "(e.g. --method jlink, openocd or probe-rs)");
  }
}

void TockBootloaderBackend::Write(const Segment& segment, ProgressSink& progress) {
  if (segment.data.empty()) return;
  if (segment.end() > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("segment {} at {} ends past 4 GiB, beyond the Tock bootloader's "
                            "32-bit addresses",
                            segment.name, HexWord(segment.address)));
  auto first = static_cast<uint32_t>(segment.address / kPage * kPage);
  auto last = static_cast<uint32_t>((segment.end() + kPage - 1) / kPage * kPage);
  auto pages = PagesFor(segment, first, last);
  CheckPagesFit(pages, first);
  bool erase_reads_ff = ErasedPageReadsFF(info_.generation);
  uint32_t run_start = first;
  for (uint32_t at = first; at < last; at += kPage) {
    std::span<const uint8_t> page(pages.data() + (at - first), kPage);
    PageAction action = ClassifyPage(page, settings_.skip_zero_pages, erase_reads_ff);
    if (action == PageAction::kSkip) {
      CheckRun(run_start, std::span(pages.data() + (run_start - first), at - run_start));
      run_start = at + kPage;
      skipped_.emplace_back(at, at + kPage);
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

std::vector<std::pair<uint64_t, uint64_t>> TockBootloaderBackend::WrittenRuns(
    const Segment& segment) const {
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  uint64_t at = segment.address;
  for (const auto& [skip_start, skip_end] : skipped_) {
    if (skip_end <= at || skip_start >= segment.end()) continue;
    if (skip_start > at) runs.emplace_back(at, skip_start);
    at = std::max<uint64_t>(at, skip_end);
  }
  if (at < segment.end()) runs.emplace_back(at, segment.end());
  return runs;
}

uint64_t TockBootloaderBackend::FirstDifference(const Segment& segment, uint64_t start,
                                                uint64_t end) {
  for (uint64_t at = start; at < end; at += kPage) {
    uint64_t n = std::min<uint64_t>(kPage, end - at);
    auto actual = client().ReadRange(static_cast<uint32_t>(at), static_cast<uint32_t>(n));
    auto expected = segment.data.begin() + static_cast<std::ptrdiff_t>(at - segment.address);
    auto mismatch = std::mismatch(actual.begin(), actual.end(), expected);
    if (mismatch.first != actual.end()) return at + (mismatch.first - actual.begin());
  }
  return end;
}

bool TockBootloaderBackend::Holds(const Segment& segment) {
  if (segment.data.empty()) return true;
  return client().CrcInternalFlash(static_cast<uint32_t>(segment.address),
                                   static_cast<uint32_t>(segment.data.size())) ==
         Crc32(segment.data);
}

VerifyResult TockBootloaderBackend::Verify(const Segment& segment, ProgressSink& progress) {
  VerifyResult result;
  auto runs = WrittenRuns(segment);
  for (const auto& [start, end] : runs) {
    std::span<const uint8_t> data(segment.data.data() + (start - segment.address), end - start);
    uint32_t want = Crc32(data);
    uint32_t got =
        client().CrcInternalFlash(static_cast<uint32_t>(start), static_cast<uint32_t>(end - start));
    result.detail = fmt::format("CRC-32 0x{:08x}", got);
    if (got == want) continue;
    result.match = false;
    result.detail += fmt::format(", expected 0x{:08x}", want);
    uint64_t differs = FirstDifference(segment, start, end);
    result.first_mismatch = differs < end ? differs : start;
    if (differs == end) result.detail += ", but a read-back matches byte for byte";
    break;
  }
  uint64_t skipped = segment.data.size();
  for (const auto& [start, end] : runs) skipped -= end - start;
  if (skipped > 0)
    result.detail += fmt::format(
        "{}{} bytes of zero pages left unwritten (skip_zero_pages) not "
        "compared",
        result.detail.empty() ? "" : "; ", skipped);
  progress.Advance(segment.data.size());
  return result;
}

std::vector<uint8_t> TockBootloaderBackend::Read(uint64_t address, uint64_t length) {
  if (address + length > (1ull << 32))
    throw Error(ErrorCategory::kInvalidInput,
                fmt::format("cannot read {} +{}: the Tock bootloader addresses 32 bits",
                            HexWord(address), length));
  return client().ReadRange(static_cast<uint32_t>(address), static_cast<uint32_t>(length));
}

void TockBootloaderBackend::Start(std::optional<uint64_t> entry) {
  if (entry)
    log_->debug(
        "tock-bootloader: entry {} not used; the bootloader jumps to its "
        "stored start address",
        HexWord(*entry));
  if (settings_.start_address) client().SetStartAddress(*settings_.start_address);
  start_report_ = StartKernel();
  Disconnect();
}

std::optional<std::string> TockBootloaderBackend::Restart() {
  Start(std::nullopt);
  return start_report_;
}

std::string TockBootloaderBackend::StartKernel() {
  if (info_.generation == BootloaderGeneration::kRust11) {
    client().Exit();
    return PulseResetLine() ? "EXIT sent and DTR pulsed" : "EXIT sent";
  }
  // 1.0.x and the C bootloader have no EXIT: only a reset without the select line starts the
  // kernel.
  if (PulseResetLine())
    return fmt::format("DTR pulsed to reset into the kernel (bootloader {} has no EXIT)",
                       GenerationName());
  return fmt::format(
      "kernel not started: bootloader {} has no EXIT and {} has no DTR line; "
      "press the board's reset button",
      GenerationName(), link_->path());
}

bool TockBootloaderBackend::PulseResetLine() {
  // As tockloader does after EXIT: DTR (reset) asserted with RTS (bootloader select) released,
  // then DTR released. The port may already be gone if EXIT reset a USB bootloader.
  try {
    if (!link_->SetModemLines(true, false)) return false;
    Pause(settings_.timings.reset_pulse);
    return link_->SetModemLines(false, false);
  } catch (const Error& e) {
    log_->debug("{}: no DTR pulse: {}", settings_.port, e.message());
    return false;
  }
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
  if (options.board) s.board = options.board->name;
  s.force = options.force;
  return std::make_unique<TockBootloaderBackend>(
      std::move(s), [](const std::string& p, uint32_t b) { return TermiosSerialLink::Open(p, b); },
      std::make_shared<devices::SysfsDeviceScanner>(), options.log);
}

}  // namespace tockctl::flasher

namespace tockctl::flasher {
namespace {

class SilentProgress : public ProgressSink {
 public:
  void Begin(Phase, uint64_t) override {}
  void Advance(uint64_t) override {}
  void End(Phase) override {}
  void Message(const std::string&) override {}
};

}  // namespace

std::string ReadBootloaderBoardAttribute(const std::string& port,
                                         std::shared_ptr<spdlog::logger> log) {
  TockBootloaderSettings s;
  s.port = port;
  TockBootloaderBackend backend(
      s, [](const std::string& p, uint32_t b) { return TermiosSerialLink::Open(p, b); },
      std::make_shared<devices::SysfsDeviceScanner>(), std::move(log));
  SilentProgress progress;
  backend.Connect(progress);
  std::string board = backend.attribute("board");
  backend.Disconnect();
  if (board.empty())
    throw Error(ErrorCategory::kDeviceReported,
                "the Tock bootloader carries no \"board\" attribute to pick the board by",
                ErrorContext{}, "pass --board NAME (`tockctl boards list` shows the names)");
  return board;
}

}  // namespace tockctl::flasher
