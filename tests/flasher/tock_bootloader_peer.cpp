#include "tests/flasher/tock_bootloader_peer.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "flasher/crc32.h"

namespace tockctl::flasher::testing {
namespace {

using Steady = std::chrono::steady_clock;

constexpr uint8_t kEsc = 0xFC;
constexpr uint32_t kPage = 512;
constexpr uint32_t kFlagsAddress = 0x400;
constexpr uint32_t kStartAddressAt = kFlagsAddress + 32;
constexpr uint32_t kAttributesAddress = 0x600;
// tock-bootloader 1.1.x receives a command into a 600-byte buffer (bootloader.rs `BUF`).
constexpr size_t kRust11ReceiveBuffer = 600;

// Reply codes.
constexpr uint8_t kPong = 0x11, kBadAddr = 0x12, kBadArgs = 0x14, kOk = 0x15, kUnknown = 0x16,
                  kReadRangeRsp = 0x20, kGetAttrRsp = 0x22, kCrcRsp = 0x23, kInfoRsp = 0x25,
                  kBaudFail = 0x26;

uint32_t U32(const std::vector<uint8_t>& p, size_t at) {
  return p[at] | (p[at + 1] << 8) | (p[at + 2] << 16) | (static_cast<uint32_t>(p[at + 3]) << 24);
}

std::vector<uint8_t> Code(uint8_t code) { return {kEsc, code}; }

// The device's serial port. The peer holds the slave too, so that its master stays usable while
// the host closes and re-opens the port (and SlaveBaud() reads what the host set).
std::unique_ptr<::tockctl::testing::PtyPair> NewPort() {
  return std::make_unique<::tockctl::testing::PtyPair>(
      ::tockctl::testing::PtyOptions{.hold_slave = true, .nonblocking_master = true});
}

std::vector<uint8_t> WithData(uint8_t code, const std::vector<uint8_t>& data, bool escape) {
  std::vector<uint8_t> out = Code(code);
  for (uint8_t b : data) {
    out.push_back(b);
    if (escape && b == kEsc) out.push_back(b);
  }
  return out;
}

void PutAttribute(std::vector<uint8_t>& flash, size_t index, const std::string& key,
                  const std::string& value) {
  size_t at = kAttributesAddress + index * 64;
  std::fill(flash.begin() + at, flash.begin() + at + 64, 0);
  std::copy(key.begin(), key.end(), flash.begin() + at);
  flash[at + 8] = static_cast<uint8_t>(value.size());
  std::copy(value.begin(), value.end(), flash.begin() + at + 9);
}

}  // namespace

PeerOptions Hail101Peer() {
  PeerOptions o;
  o.bootloader = PeerBootloader::kRust101;
  o.version = "1.0.1";
  o.attributes = {{"board", "hail"}, {"arch", "cortex-m4"}, {"jldevice", "ATSAM4LC8C"}};
  return o;
}

PeerOptions ImixLegacyCPeer() {
  PeerOptions o;
  o.bootloader = PeerBootloader::kLegacyC;
  o.version = "0.6.0";
  o.attributes = {{"board", "imix"}, {"arch", "cortex-m4"}, {"jldevice", "ATSAM4LC8C"}};
  return o;
}

PeerOptions Nrf52Peer(const std::string& board, const std::string& appaddr) {
  PeerOptions o;
  o.attributes = {{"board", board}, {"arch", "cortex-m4"}, {"appaddr", appaddr}};
  return o;
}

struct TockBootloaderPeer::State {
  std::unique_ptr<::tockctl::testing::PtyPair> pty;
  std::vector<uint8_t> flash;
  std::vector<uint8_t> rx;
  bool escape_pending = false;
  bool in_bootloader = true;
  bool kernel_started = false;
  bool deaf = false;
  size_t frame_bytes = 0;  // bytes received since the bootloader last armed its receive buffer
  std::optional<Steady::time_point> reappear_at;
  uint32_t device_baud = 115200;
  std::optional<uint32_t> pending_baud;
  std::vector<uint8_t> commands;
  std::vector<PeerFault> faults;
  std::vector<int> fault_seen;
  int reenumerations = 0;
  size_t garbled = 0;
  Steady::time_point rx_free{}, tx_free{};
};

class TockBootloaderPeer::Lister : public SerialPortLister {
 public:
  explicit Lister(TockBootloaderPeer& peer) : peer_(peer) {}
  std::vector<SerialPortInfo> ListSerialPorts() override {
    std::string path = peer_.port_path();
    if (path.empty()) return {};
    SerialPortInfo info;
    info.path = path;
    info.vid = 0x6667;  // Tock's USB vendor id
    info.pid = 0xabcd;
    info.serial_number = peer_.options_.serial_number;
    info.product = "Tock bootloader peer";
    info.driver = "pty";
    return {info};
  }

 private:
  TockBootloaderPeer& peer_;
};

TockBootloaderPeer::TockBootloaderPeer(PeerOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  lister_ = std::make_unique<Lister>(*this);
  State& s = *state_;
  s.pty = NewPort();
  s.flash.assign(options_.flash_size, 0xFF);
  std::string magic = "TOCKBOOTLOADER";
  std::copy(magic.begin(), magic.end(), s.flash.begin() + kFlagsAddress);
  std::fill(s.flash.begin() + kFlagsAddress + 14, s.flash.begin() + kFlagsAddress + 22, 0);
  std::copy(options_.version.begin(), options_.version.end(), s.flash.begin() + kFlagsAddress + 14);
  for (int i = 0; i < 4; ++i)
    s.flash[kStartAddressAt + i] = static_cast<uint8_t>(options_.start_address >> (8 * i));
  // Unused slots of the Rust bootloaders are erased flash; the C bootloader zero-fills them.
  uint8_t unused = options_.bootloader == PeerBootloader::kLegacyC ? 0x00 : 0xFF;
  std::fill(s.flash.begin() + kAttributesAddress, s.flash.begin() + kAttributesAddress + 16 * 64,
            unused);
  for (size_t i = 0; i < options_.attributes.size(); ++i)
    PutAttribute(s.flash, i, options_.attributes[i].first, options_.attributes[i].second);
  s.in_bootloader = options_.in_bootloader;
  s.device_baud = options_.baud;
  thread_ = std::thread([this] { Run(); });
}

TockBootloaderPeer::~TockBootloaderPeer() {
  stop_ = true;
  thread_.join();
}

SerialPortLister& TockBootloaderPeer::lister() { return *lister_; }

std::string TockBootloaderPeer::port_path() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->pty ? state_->pty->slave_path() : std::string();
}

void TockBootloaderPeer::AddFault(PeerFault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  state_->faults.push_back(fault);
  state_->fault_seen.push_back(0);
}

void TockBootloaderPeer::EnterBootloader() { ReleaseReset(true); }

void TockBootloaderPeer::ReleaseReset(bool select_held) {
  std::lock_guard<std::mutex> lock(mu_);
  State& s = *state_;
  s.in_bootloader = select_held;
  s.kernel_started = !select_held;
  s.deaf = false;
  s.frame_bytes = 0;
  s.rx.clear();
  s.escape_pending = false;
}

void TockBootloaderPeer::KernelPrints(const std::string& text) {
  if (in_bootloader()) return;
  SendReply(std::vector<uint8_t>(text.begin(), text.end()));
}

std::vector<uint8_t> TockBootloaderPeer::ReadFlash(uint32_t address, size_t length) const {
  std::lock_guard<std::mutex> lock(mu_);
  return {state_->flash.begin() + address, state_->flash.begin() + address + length};
}

void TockBootloaderPeer::WriteFlash(uint32_t address, const std::vector<uint8_t>& data) {
  std::lock_guard<std::mutex> lock(mu_);
  std::copy(data.begin(), data.end(), state_->flash.begin() + address);
}

std::vector<uint8_t> TockBootloaderPeer::commands() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->commands;
}
uint32_t TockBootloaderPeer::device_baud() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->device_baud;
}
bool TockBootloaderPeer::in_bootloader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->in_bootloader;
}
bool TockBootloaderPeer::kernel_started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->kernel_started;
}
bool TockBootloaderPeer::deaf() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->deaf;
}
int TockBootloaderPeer::reenumerations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->reenumerations;
}
uint32_t TockBootloaderPeer::stored_start_address() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint8_t> f(state_->flash.begin() + kStartAddressAt,
                         state_->flash.begin() + kStartAddressAt + 4);
  return U32(f, 0);
}
size_t TockBootloaderPeer::garbled_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_->garbled;
}

void TockBootloaderPeer::Run() {
  while (!stop_) Step();
}

void TockBootloaderPeer::Step() {
  int fd = -1;
  uint32_t host_baud = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    State& s = *state_;
    if (s.reappear_at && Steady::now() >= *s.reappear_at) {
      s.pty = NewPort();
      s.reappear_at.reset();
      s.reenumerations++;
      s.in_bootloader = true;
      s.rx.clear();
      s.escape_pending = false;
      s.device_baud = options_.baud;
    }
    if (s.pty) {
      host_baud = s.pty->SlaveBaud();
      if (!s.in_bootloader && options_.touch_resets && host_baud == 1200) {
        s.pty.reset();  // the USB device resets: its port goes away, then comes back
        s.reappear_at = Steady::now() + options_.reenumerate_delay;
      } else {
        fd = s.pty->master();
      }
    }
  }
  if (fd < 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return;
  }
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 2) <= 0 || !(p.revents & POLLIN)) return;
  uint8_t buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n <= 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The host's rate when these bytes were sent, read after they arrived.
    host_baud = state_->pty ? state_->pty->SlaveBaud() : 0;
    if (host_baud != state_->device_baud) {
      state_->garbled += static_cast<size_t>(n);  // a real UART would see noise
      return;
    }
  }
  PaceReceive(static_cast<size_t>(n));
  Feed(buf, static_cast<size_t>(n));
}

void TockBootloaderPeer::PaceReceive(size_t n) {
  if (!options_.pace) return;
  Steady::time_point until;
  {
    std::lock_guard<std::mutex> lock(mu_);
    State& s = *state_;
    auto byte_time = std::chrono::duration<double>(10.0 / s.device_baud);
    s.rx_free = std::max(Steady::now(), s.rx_free) +
                std::chrono::duration_cast<Steady::duration>(byte_time * static_cast<double>(n));
    until = s.rx_free;
  }
  std::this_thread::sleep_until(until);
}

void TockBootloaderPeer::Feed(const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> reply;
    {
      std::lock_guard<std::mutex> lock(mu_);
      State& s = *state_;
      uint8_t b = data[i];
      if (s.deaf || !s.in_bootloader) continue;
      if (options_.bootloader == PeerBootloader::kRust11 &&
          ++s.frame_bytes > kRust11ReceiveBuffer) {
        // The buffer filled before a command ended: the bootloader drops it and never re-arms
        // its receive.
        s.deaf = true;
        s.rx.clear();
        continue;
      }
      if (!s.escape_pending) {
        if (b == kEsc)
          s.escape_pending = true;
        else
          s.rx.push_back(b);
        continue;
      }
      s.escape_pending = false;
      if (b == kEsc) {
        s.rx.push_back(b);
        continue;
      }
      s.commands.push_back(b);
      std::vector<uint8_t> payload;
      payload.swap(s.rx);
      if (b != 0x05) s.frame_bytes = 0;  // RESET goes on in the same buffer
      reply = Handle(b, payload);
      if (ApplyFaults(b, payload, reply)) {
        s.pty.reset();  // closes the master mid-transfer: the host's port hangs up
        return;
      }
    }
    if (!reply.empty()) SendReply(reply);
    std::lock_guard<std::mutex> lock(mu_);
    if (state_->pending_baud) {
      state_->device_baud = *state_->pending_baud;
      state_->pending_baud.reset();
    }
  }
}

std::vector<uint8_t> TockBootloaderPeer::Handle(uint8_t command,
                                                const std::vector<uint8_t>& payload) {
  switch (command) {
    case 0x01:
      return Code(kPong);
    case 0x05:
      return {};
    case 0x03:
      return HandleInfo();
    case 0x06:
    case 0x07:
    case 0x11:
    case 0x15:
      return HandleFlash(command, payload);
    case 0x13:
    case 0x14:
      return HandleAttribute(command, payload);
    case 0x21:
    case 0x22:
    case 0x23:
      return HandleControl(command, payload);
    default:
      return Code(kUnknown);
  }
}

std::vector<uint8_t> TockBootloaderPeer::HandleInfo() {
  State& s = *state_;
  uint32_t start = U32(std::vector<uint8_t>(s.flash.begin() + kStartAddressAt,
                                            s.flash.begin() + kStartAddressAt + 4),
                       0);
  std::string version(reinterpret_cast<const char*>(&s.flash[kFlagsAddress + 14]));
  version = version.substr(0, 8);
  char json[192];
  // 1.1.x reports the stored start address; 1.0.1 and the C bootloader only the version.
  int len =
      options_.bootloader == PeerBootloader::kRust11
          ? std::snprintf(json, sizeof json,
                          "{\"version\":\"%s\", \"start_address\":\"0x%08x\", "
                          "\"name\":\"Tock Bootloader\"}",
                          version.c_str(), start)
          : std::snprintf(json, sizeof json, "{\"version\":\"%s\", \"name\":\"Tock Bootloader\"}",
                          version.c_str());
  std::vector<uint8_t> data(193, 0);
  data[0] = static_cast<uint8_t>(len);
  std::copy(json, json + len, data.begin() + 1);
  return WithData(kInfoRsp, data, options_.bootloader == PeerBootloader::kLegacyC);
}

std::vector<uint8_t> TockBootloaderPeer::HandleFlash(uint8_t command,
                                                     const std::vector<uint8_t>& payload) {
  State& s = *state_;
  auto in_flash = [&](uint64_t address, uint64_t length) {
    return address + length <= s.flash.size();
  };
  auto writable = [&](uint64_t address) {
    return address % kPage == 0 && in_flash(address, kPage) && address >= options_.bootloader_end;
  };
  switch (command) {
    case 0x06: {
      if (payload.size() != 4) return Code(kBadArgs);
      uint32_t a = U32(payload, 0);
      if (!writable(a)) return Code(kBadAddr);
      // On 1.1.x the nRF52's 4 KiB page is read, the 512 bytes set to 1, and written back.
      uint8_t fill = options_.bootloader == PeerBootloader::kRust11 ? 0x01 : 0xFF;
      std::fill(s.flash.begin() + a, s.flash.begin() + a + kPage, fill);
      return Code(kOk);
    }
    case 0x07: {
      if (payload.size() != 4 + kPage) return Code(kBadArgs);
      uint32_t a = U32(payload, 0);
      if (!writable(a)) return Code(kBadAddr);
      std::copy(payload.begin() + 4, payload.end(), s.flash.begin() + a);
      return Code(kOk);
    }
    case 0x11: {
      if (payload.size() != 6) return Code(kBadArgs);
      uint32_t a = U32(payload, 0);
      uint32_t len = payload[4] | (payload[5] << 8);
      if (!in_flash(a, len)) return Code(kBadAddr);
      return WithData(kReadRangeRsp, {s.flash.begin() + a, s.flash.begin() + a + len}, true);
    }
    case 0x15: {
      if (payload.size() != 8) return Code(kBadArgs);
      uint32_t a = U32(payload, 0), len = U32(payload, 4);
      if (!in_flash(a, len)) return Code(kBadAddr);
      uint32_t crc = Crc32(std::span<const uint8_t>(s.flash.data() + a, len));
      // The Rust bootloaders send the CRC unescaped; the C bootloader escapes it.
      return WithData(kCrcRsp,
                      {static_cast<uint8_t>(crc), static_cast<uint8_t>(crc >> 8),
                       static_cast<uint8_t>(crc >> 16), static_cast<uint8_t>(crc >> 24)},
                      options_.bootloader == PeerBootloader::kLegacyC);
    }
    default:
      return Code(kUnknown);
  }
}

std::vector<uint8_t> TockBootloaderPeer::HandleAttribute(uint8_t command,
                                                         const std::vector<uint8_t>& payload) {
  State& s = *state_;
  switch (command) {
    case 0x13: {
      if (payload.size() < 10 || payload.size() != 10u + payload[9] || payload[9] > 55)
        return Code(kBadArgs);
      if (payload[0] >= 16) return Code(kBadAddr);
      size_t at = kAttributesAddress + payload[0] * 64u;
      std::fill(s.flash.begin() + at, s.flash.begin() + at + 64, 0);
      std::copy(payload.begin() + 1, payload.end(), s.flash.begin() + at);
      return Code(kOk);
    }
    case 0x14: {
      if (payload.size() != 1) return Code(kBadArgs);
      if (payload[0] >= 16) return Code(kBadAddr);
      size_t at = kAttributesAddress + payload[0] * 64u;
      return WithData(kGetAttrRsp, {s.flash.begin() + at, s.flash.begin() + at + 64}, true);
    }
    default:
      return Code(kUnknown);
  }
}

std::vector<uint8_t> TockBootloaderPeer::HandleControl(uint8_t command,
                                                       const std::vector<uint8_t>& payload) {
  State& s = *state_;
  switch (command) {
    case 0x21: {
      // Only the C bootloader knows CHANGE_BAUD_RATE; the Rust ones answer UNKNOWN.
      if (!options_.supports_baud_change || options_.bootloader != PeerBootloader::kLegacyC)
        return Code(kUnknown);
      if (payload.size() != 5) return Code(kBadArgs);
      uint32_t baud = U32(payload, 1);
      if (!IsSupportedBaudRate(baud)) return Code(kBaudFail);
      if (payload[0] == 1) s.pending_baud = baud;  // switch once the OK is out
      return Code(kOk);
    }
    case 0x22:
      if (options_.bootloader == PeerBootloader::kLegacyC) return Code(kUnknown);
      if (options_.bootloader == PeerBootloader::kRust101) {
        s.deaf = true;  // not a command it knows: no reply, and it stops listening
        return {};
      }
      s.kernel_started = true;  // 1.1.x resets the chip; the kernel starts
      s.in_bootloader = false;
      return {};
    case 0x23: {
      if (options_.bootloader == PeerBootloader::kLegacyC) return Code(kUnknown);
      if (options_.bootloader == PeerBootloader::kRust101) {
        s.deaf = true;
        return {};
      }
      if (payload.size() != 4) return Code(kBadArgs);
      std::copy(payload.begin(), payload.end(), s.flash.begin() + kStartAddressAt);
      return Code(kOk);
    }
    default:
      return Code(kUnknown);
  }
}

bool TockBootloaderPeer::ApplyFaults(uint8_t command, const std::vector<uint8_t>& payload,
                                     std::vector<uint8_t>& reply) {
  State& s = *state_;
  for (size_t i = 0; i < s.faults.size(); ++i) {
    const PeerFault& f = s.faults[i];
    bool matches = f.command == 0 ? command != 0x05 : f.command == command;
    if (!matches) continue;
    int seen = ++s.fault_seen[i];
    if (seen <= f.skip || (f.times >= 0 && seen > f.skip + f.times)) continue;
    using K = PeerFault::Kind;
    switch (f.kind) {
      case K::kNoReply:
        reply.clear();
        break;
      case K::kCorruptHeader:
        if (!reply.empty()) reply[0] = 0x00;
        break;
      case K::kStrayEscape:
        reply.insert(reply.begin() + 2, {kEsc, 0x01});
        break;
      case K::kWrongCode:
        reply = Code(kPong);
        break;
      case K::kTruncate:
        reply.resize(2 + (reply.size() - 2) / 2);
        break;
      case K::kRefuse:
        reply = Code(f.refuse_code);
        break;
      case K::kVanish:
        return true;
      case K::kCorruptFlash:
        if (command == 0x07 && payload.size() >= 4) s.flash[U32(payload, 0) + 7] ^= 0x01;
        break;
      case K::kWrongCrc:
        if (command == 0x15 && reply.size() >= 6) reply[2] ^= 0x01;
        break;
      case K::kExtraBytes:
        reply.push_back(0x00);
        reply.push_back(0x00);
        break;
    }
    return false;
  }
  return false;
}

void TockBootloaderPeer::SendReply(const std::vector<uint8_t>& reply) {
  int fd;
  Steady::time_point until{};
  {
    std::lock_guard<std::mutex> lock(mu_);
    State& s = *state_;
    if (!s.pty) return;
    fd = s.pty->master();
    if (options_.pace) {
      auto bit = std::chrono::duration<double>(1.0 / s.device_baud);
      auto gap = std::chrono::duration_cast<Steady::duration>(bit * options_.idle_gap_bits);
      auto wire = std::chrono::duration_cast<Steady::duration>(bit * 10.0 *
                                                               static_cast<double>(reply.size()));
      auto start = std::max(Steady::now() + gap, s.tx_free);
      s.tx_free = start + wire;
      until = s.tx_free;
    }
  }
  if (options_.pace) std::this_thread::sleep_until(until);
  size_t done = 0;
  while (done < reply.size() && !stop_) {
    ssize_t n = ::write(fd, reply.data() + done, reply.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 10);
    } else {
      return;
    }
  }
}

}  // namespace tockctl::flasher::testing
