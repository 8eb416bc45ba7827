#include "tests/flasher/fake_gdb_stub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace tockctl::flasher::testing {
namespace {

std::string Hex(const uint8_t* p, size_t n) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    out += buf;
  }
  return out;
}

std::vector<uint8_t> Unhex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return out;
}

// "addr,len" -> numbers; `rest` receives what follows the length (":data" or "").
void AddrLen(const std::string& text, uint64_t& addr, uint64_t& len, std::string* rest) {
  size_t comma = text.find(',');
  size_t colon = text.find(':', comma);
  addr = std::stoull(text.substr(0, comma), nullptr, 16);
  len = std::stoull(text.substr(comma + 1, colon - comma - 1), nullptr, 16);
  if (rest) *rest = colon == std::string::npos ? "" : text.substr(colon + 1);
}

std::string Frame(const std::string& payload, bool corrupt) {
  uint8_t sum = 0;
  for (char c : payload) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  if (corrupt) sum ^= 0x55;
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum);
  return "$" + payload + tail;
}

}  // namespace

uint32_t ReferenceCrc(const uint8_t* data, size_t n) {
  uint32_t crc = 0xffffffff;
  for (size_t i = 0; i < n; ++i) {
    crc ^= static_cast<uint32_t>(data[i]) << 24;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
  }
  return crc;
}

FakeGdbStub::FakeGdbStub(FakeStubConfig c, uint64_t b, size_t size)
    : config(std::move(c)), base(b), memory(size, 0) {}

void FakeGdbStub::Write(std::span<const uint8_t> data) {
  for (uint8_t b : data) Feed(b);
}

size_t FakeGdbStub::Read(std::span<uint8_t> buffer, std::chrono::milliseconds) {
  size_t n = std::min(buffer.size(), out_.size());
  std::memcpy(buffer.data(), out_.data(), n);
  out_.erase(0, n);
  return n;
}

void FakeGdbStub::Feed(uint8_t b) {
  switch (state_) {
    case State::kIdle:
      if (b == '-') {
        ++naks_received;
        out_ += last_reply_;
      } else if (b == '$') {
        payload_.clear();
        state_ = State::kPayload;
      }
      return;
    case State::kPayload:
      if (b == '#') {
        state_ = State::kCheck1;
        check_.clear();
      } else {
        payload_.push_back(static_cast<char>(b));
      }
      return;
    case State::kCheck1:
      check_.push_back(static_cast<char>(b));
      state_ = State::kCheck2;
      return;
    case State::kCheck2: {
      check_.push_back(static_cast<char>(b));
      state_ = State::kIdle;
      uint8_t sum = 0;
      for (char c : payload_) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
      if (std::stoul(check_, nullptr, 16) != sum) {
        if (!no_ack) out_ += "-";
        return;
      }
      if (payload_.size() + 4 > config.packet_size) ++oversized_packets;
      if (!no_ack) out_ += "+";
      HandlePacket(payload_);
      return;
    }
  }
}

void FakeGdbStub::Reply(const std::string& payload) {
  bool corrupt = corrupt_next_replies > 0;
  if (corrupt) --corrupt_next_replies;
  out_ += Frame(payload, corrupt);
  last_reply_ = Frame(payload, false);
}

void FakeGdbStub::HandlePacket(const std::string& payload) {
  packets.push_back(payload);
  if (payload == "c" || payload == "vCont;c") {
    running = true;
    return;
  }
  std::string reply = Handle(payload);
  Reply(reply);
  if (payload == "QStartNoAckMode" && reply == "OK") no_ack = true;
}

bool FakeGdbStub::InRange(uint64_t address, uint64_t length) const {
  return address >= base && length <= memory.size() && address - base <= memory.size() - length;
}

std::string FakeGdbStub::HandleWrite(const std::string& payload, bool binary) {
  uint64_t addr, len;
  std::string data;
  AddrLen(payload.substr(1), addr, len, &data);
  std::vector<uint8_t> bytes;
  if (binary) {
    for (size_t i = 0; i < data.size(); ++i)
      bytes.push_back(data[i] == '}' ? static_cast<uint8_t>(data[++i] ^ 0x20)
                                     : static_cast<uint8_t>(data[i]));
  } else {
    bytes = Unhex(data);
  }
  if (bytes.size() != len) return "E01";
  if (len > 0 && InFlash(addr, len)) return "E03";
  for (const auto& [at, reply] : error_at)
    if (at >= addr && at < addr + std::max<uint64_t>(len, 1)) return reply;
  if (len == 0) return "OK";
  if (!InRange(addr, len)) return "E0e";
  std::copy(bytes.begin(), bytes.end(), memory.begin() + static_cast<std::ptrdiff_t>(addr - base));
  return "OK";
}

bool FakeGdbStub::InFlash(uint64_t address, uint64_t length) const {
  for (const auto& f : config.flash)
    if (address < f.start + f.length && f.start < address + length) return true;
  return false;
}

std::string FakeGdbStub::MemoryMap() const {
  std::string xml = "<?xml version=\"1.0\"?>\n<memory-map>\n";
  char buf[200];
  for (const auto& f : config.flash) {
    std::snprintf(buf, sizeof buf,
                  "<memory type=\"flash\" start=\"0x%llx\" length=\"0x%llx\">\n"
                  "  <property name=\"blocksize\">0x%llx</property>\n</memory>\n",
                  static_cast<unsigned long long>(f.start),
                  static_cast<unsigned long long>(f.length),
                  static_cast<unsigned long long>(f.block));
    xml += buf;
  }
  return xml + "<memory type=\"ram\" start=\"0x20000000\" length=\"0x10000\"/>\n</memory-map>\n";
}

// vFlashErase:addr,len (block aligned), vFlashWrite:addr:data (into erased bytes), vFlashDone.
std::string FakeGdbStub::HandleFlash(const std::string& p) {
  if (p == "vFlashDone") {
    ++flash_done;
    return "OK";
  }
  if (p.rfind("vFlashErase:", 0) == 0) {
    uint64_t addr, len;
    AddrLen(p.substr(12), addr, len, nullptr);
    for (const auto& f : config.flash) {
      if (addr < f.start || addr + len > f.start + f.length) continue;
      if ((addr - f.start) % f.block || len % f.block) return "E01";
      std::fill_n(memory.begin() + static_cast<std::ptrdiff_t>(addr - base), len, 0xff);
      ++flash_erases;
      return "OK";
    }
    return "E02";
  }
  size_t colon = p.find(':', 12);
  uint64_t addr = std::stoull(p.substr(12, colon - 12), nullptr, 16);
  std::vector<uint8_t> bytes;
  for (size_t i = colon + 1; i < p.size(); ++i)
    bytes.push_back(p[i] == '}' ? static_cast<uint8_t>(p[++i] ^ 0x20) : static_cast<uint8_t>(p[i]));
  if (!InRange(addr, bytes.size()) || !InFlash(addr, bytes.size())) return "E04";
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint8_t& cell = memory[addr - base + i];
    if (cell != 0xff) return "E05";  // not erased
    cell = bytes[i];
  }
  return "OK";
}

std::string FakeGdbStub::HandleRead(const std::string& payload) {
  uint64_t addr, len;
  AddrLen(payload.substr(1), addr, len, nullptr);
  if (!InRange(addr, len)) return "E14";
  return Hex(memory.data() + (addr - base), len);
}

std::string FakeGdbStub::HandleCrc(const std::string& payload) {
  if (!config.crc) return "";
  uint64_t addr, len;
  AddrLen(payload.substr(5), addr, len, nullptr);
  if (!InRange(addr, len)) return "E03";
  char buf[16];
  std::snprintf(buf, sizeof buf, "C%08x", ReferenceCrc(memory.data() + (addr - base), len));
  return buf;
}

std::string FakeGdbStub::HandleRegisters(const std::string& payload) {
  if (payload == "g") {
    std::string out;
    for (uint32_t r : regs) {
      uint8_t le[4] = {static_cast<uint8_t>(r), static_cast<uint8_t>(r >> 8),
                       static_cast<uint8_t>(r >> 16), static_cast<uint8_t>(r >> 24)};
      out += Hex(le, 4);
    }
    return out;
  }
  if (payload[0] == 'G') {
    auto bytes = Unhex(payload.substr(1));
    for (size_t i = 0; i < regs.size() && 4 * i + 3 < bytes.size(); ++i)
      regs[i] = bytes[4 * i] | bytes[4 * i + 1] << 8 | bytes[4 * i + 2] << 16 |
                static_cast<uint32_t>(bytes[4 * i + 3]) << 24;
    return "OK";
  }
  if (!config.p_packet) return "";
  size_t eq = payload.find('=');
  size_t reg = std::stoul(payload.substr(1, eq - 1), nullptr, 16);
  auto bytes = Unhex(payload.substr(eq + 1));
  if (reg >= regs.size() || bytes.size() != 4) return "E02";
  regs[reg] = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | static_cast<uint32_t>(bytes[3]) << 24;
  return "OK";
}

std::string FakeGdbStub::Handle(const std::string& p) {
  if (p.rfind("qSupported", 0) == 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "PacketSize=%zx", config.packet_size);
    std::string out = buf;
    if (config.offer_no_ack) out += ";QStartNoAckMode+";
    if (!config.architecture.empty()) out += ";qXfer:features:read+";
    if (!config.flash.empty()) out += ";qXfer:memory-map:read+";
    return out + ";vContSupported+";
  }
  if (p == "QStartNoAckMode") return config.offer_no_ack ? "OK" : "";
  if (p == "?") return "S05";
  if (p == "vCont?") return config.vcont ? "vCont;c;C;s;S" : "";
  if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
    if (config.architecture.empty()) return "";
    return "l<?xml version=\"1.0\"?><target><architecture>" + config.architecture +
           "</architecture></target>";
  }
  if (p.rfind("qXfer:memory-map:read::", 0) == 0) {
    uint64_t off, len;
    AddrLen(p.substr(23), off, len, nullptr);
    std::string xml = MemoryMap();
    if (off >= xml.size()) return "l";
    std::string part = xml.substr(off, len);
    return (off + part.size() < xml.size() ? "m" : "l") + part;
  }
  if (p.rfind("vFlash", 0) == 0) return HandleFlash(p);
  if (p[0] == 'X') return config.binary_writes ? HandleWrite(p, true) : "";
  if (p[0] == 'M') return HandleWrite(p, false);
  if (p[0] == 'm') return HandleRead(p);
  if (p.rfind("qCRC:", 0) == 0) return HandleCrc(p);
  if (p[0] == 'g' || p[0] == 'G' || p[0] == 'P') return HandleRegisters(p);
  return "";
}

uint16_t FakeStubServer::ListenTcp(FakeStubServer& server) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 1);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  server.listen_fd_ = fd;
  server.thread_ = std::thread([&server, fd] {
    pollfd p{fd, POLLIN, 0};
    while (!server.stop_ && ::poll(&p, 1, 50) == 0) {
    }
    if (server.stop_) return;
    int conn = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn >= 0) server.Loop(conn);
  });
  return ntohs(addr.sin_port);
}

void FakeStubServer::ServeFd(int fd) {
  thread_ = std::thread([this, fd] { Loop(fd); });
}

void FakeStubServer::Loop(int fd) {
  uint8_t buf[8192];
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    stub_.Write(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    uint8_t out[65536];
    for (size_t m; (m = stub_.Read(out, std::chrono::milliseconds(0))) > 0;) {
      size_t off = 0;
      while (off < m) {
        ssize_t w = ::write(fd, out + off, m - off);
        if (w <= 0) break;
        off += static_cast<size_t>(w);
      }
    }
  }
  ::close(fd);
}

void FakeStubServer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

FakeStubServer::~FakeStubServer() { Stop(); }

}  // namespace tockctl::flasher::testing
