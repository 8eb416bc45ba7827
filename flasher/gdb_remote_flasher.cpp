#include "flasher/gdb_remote_flasher.h"

#include <algorithm>
#include <cstdio>

#include "common/error.h"
#include "flasher/device_context.h"
#include "flasher/progress.h"
#include "flasher/qemu_flasher.h"

namespace tockctl::flasher {
namespace {

constexpr uint64_t kCrcChunk = uint64_t{64} * 1024;
constexpr size_t kFramingBytes = 4;  // '$', '#', two checksum digits

// A number as the GDB remote protocol writes it: lowercase hex without "0x" (unlike
// tockctl::HexNumber, which is for messages).
std::string ProtocolHex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string ByteText(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// Little-endian hex of `value` in `bytes` bytes, as registers travel in the protocol.
std::string LittleEndianHex(uint64_t value, uint32_t bytes) {
  std::vector<uint8_t> raw(bytes);
  for (uint32_t i = 0; i < bytes; ++i) raw[i] = static_cast<uint8_t>(value >> (8 * i));
  return ToHex(raw);
}

Error Unexpected(const std::string& endpoint, const std::string& operation,
                 const std::string& reply) {
  ErrorContext ctx;
  ctx.device = endpoint;
  ctx.operation = operation;
  return Error(ErrorCategory::kDeviceReported,
               "the gdb server answered \"" + PrintableText(reply, 40) + "\" instead of OK", ctx);
}

uint64_t ParseHexNumber(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 16 ||
      text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw Error(ErrorCategory::kTransport,
                what + " is not a hex number: \"" + PrintableText(text) + "\"");
  return std::stoull(text, nullptr, 16);
}

}  // namespace

GdbRegisterLayout RegisterLayoutFor(const std::string& arch) {
  auto starts = [&](const char* prefix) { return arch.rfind(prefix, 0) == 0; };
  if (starts("rv64") || arch == "riscv:rv64") return {32, 8};
  if (starts("rv32") || starts("riscv") || arch == "ibex") return {32, 4};
  if (starts("armv") || starts("arm") || starts("cortex")) return {15, 4};
  if (arch == "i486" || arch == "i386") return {8, 4};
  return {};
}

GdbRemoteFlasher::GdbRemoteFlasher(LinkOpener open_link, GdbFlasherOptions options,
                                   std::shared_ptr<spdlog::logger> log)
    : open_link_(std::move(open_link)), options_(std::move(options)), log_(std::move(log)) {}

GdbRemoteFlasher::~GdbRemoteFlasher() = default;

Capabilities GdbRemoteFlasher::capabilities() const {
  Capabilities c;
  c.write = c.verify = c.read = c.start = true;
  return c;
}

GdbRspClient& GdbRemoteFlasher::Client() {
  if (!client_) throw Error(ErrorCategory::kInternal, "gdb back-end used before Connect");
  return *client_;
}

void GdbRemoteFlasher::Connect(ProgressSink& progress) {
  link_ = open_link_();
  client_ = std::make_unique<GdbRspClient>(*link_, options_.timeout, log_);
  Handshake(progress);
}

void GdbRemoteFlasher::Handshake(ProgressSink& progress) {
  std::string reply =
      Client().Request("qSupported:swbreak+;hwbreak+;vContSupported+", "qSupported");
  bool offers_no_ack = false;
  bool offers_xml = false;
  bool offers_memory_map = false;
  size_t start = 0;
  while (start <= reply.size()) {
    size_t end = std::min(reply.find(';', start), reply.size());
    std::string feature = reply.substr(start, end - start);
    if (feature.rfind("PacketSize=", 0) == 0)
      features_.packet_size =
          std::clamp<uint64_t>(ParseHexNumber(feature.substr(11), "PacketSize"), 64, 1 << 20);
    offers_no_ack |= feature == "QStartNoAckMode+";
    offers_xml |= feature == "qXfer:features:read+";
    offers_memory_map |= feature == "qXfer:memory-map:read+";
    start = end + 1;
  }
  if (offers_no_ack && Client().Request("QStartNoAckMode", "QStartNoAckMode") == "OK") {
    Client().DisableAcks();
    features_.no_ack_mode = true;
  }
  Client().Request("?", "halt reason");
  if (offers_xml) ReadTargetDescription();
  if (offers_memory_map) features_.flash_regions = ParseGdbMemoryMap(ReadXfer("memory-map", ""));
  vcont_c_ = Client().Request("vCont?", "vCont?").find(";c") != std::string::npos;
  log_->info("gdb server {}: packet size {}, {}", Client().endpoint(), features_.packet_size,
             features_.no_ack_mode ? "no-ack mode" : "acknowledged mode");
  (void)progress;
}

std::string GdbRemoteFlasher::ReadXfer(const std::string& object, const std::string& annex) {
  std::string data;
  constexpr size_t kMaxXferBytes = 1 << 20;
  while (data.size() < kMaxXferBytes) {
    std::string request = "qXfer:" + object;
    request += ":read:" + annex + ":" + ProtocolHex(data.size());
    request += "," + ProtocolHex(features_.packet_size - kFramingBytes - 1);
    std::string reply = Client().Request(request, "read " + object);
    if (reply.empty() || (reply[0] != 'm' && reply[0] != 'l')) break;
    auto bytes = UnescapeBinary(std::string_view(reply).substr(1));
    data.append(bytes.begin(), bytes.end());
    if (reply[0] == 'l' || bytes.empty()) break;
  }
  return data;
}

// Reads target.xml: it names the architecture, and QEMU only accepts P after it was read.
void GdbRemoteFlasher::ReadTargetDescription() {
  std::string xml = ReadXfer("features", "target.xml");
  size_t open = xml.find("<architecture>");
  size_t close = xml.find("</architecture>");
  if (open == std::string::npos || close == std::string::npos || close < open) return;
  features_.architecture = xml.substr(open + 14, close - open - 14);
  if (!options_.layout.pc_register) options_.layout = RegisterLayoutFor(features_.architecture);
}

void GdbRemoteFlasher::Erase(uint64_t, uint64_t, ProgressSink&) {
  throw Error(ErrorCategory::kInternal, "the gdb back-end writes in place and has no erase step");
}

bool GdbRemoteFlasher::ProbeBinaryWrites(uint64_t address) {
  if (!x_probed_) {
    std::string reply = Client().Request("X" + ProtocolHex(address) + ",0:", "probe X");
    features_.binary_writes = reply == "OK";
    x_probed_ = true;
    if (!features_.binary_writes)
      log_->info("gdb server {} has no X packet; writing with M (hex)", Client().endpoint());
  }
  return features_.binary_writes;
}

std::vector<std::string> GdbRemoteFlasher::WritePackets(const Segment& segment, bool flash,
                                                        std::vector<uint64_t>& sizes) {
  bool binary = flash || ProbeBinaryWrites(segment.address);
  size_t budget = features_.packet_size - kFramingBytes;
  std::vector<std::string> packets;
  size_t i = 0;
  while (i < segment.data.size()) {
    std::string head = flash ? "vFlashWrite:" + ProtocolHex(segment.address + i) + ":"
                             : (binary ? "X" : "M") + ProtocolHex(segment.address + i) + ",";
    size_t room = budget - head.size() - 9;  // up to 8 length digits and ':'
    size_t n = 0;
    std::string body;
    if (binary) {
      size_t used = 0;
      while (i + n < segment.data.size()) {
        uint8_t b = segment.data[i + n];
        size_t cost = (b == '#' || b == '$' || b == '}' || b == '*') ? 2 : 1;
        if (used + cost > room) break;
        used += cost;
        ++n;
      }
      body = EscapeBinary(std::span<const uint8_t>(segment.data).subspan(i, n));
    } else {
      n = std::min(room / 2, segment.data.size() - i);
      body = ToHex(std::span<const uint8_t>(segment.data).subspan(i, n));
    }
    std::string packet = head;
    if (!flash) packet += ProtocolHex(n) + ":";
    packets.push_back(packet + body);
    sizes.push_back(n);
    i += n;
  }
  return packets;
}

// The flash region holding all of `segment`, or null when it is outside flash; throws if it
// straddles flash and other memory.
const GdbFlashRegion* GdbRemoteFlasher::FlashRegionFor(const Segment& segment) const {
  for (const auto& r : features_.flash_regions) {
    bool inside = segment.address >= r.start && segment.end() <= r.end();
    bool overlaps = segment.address < r.end() && r.start < segment.end();
    if (inside) return &r;
    if (overlaps)
      throw Error(ErrorCategory::kInvalidInput,
                  "segment " + segment.name + " " + AddressRange(segment.address, segment.end()) +
                      " is partly inside the flash region " + AddressRange(r.start, r.end()) +
                      " of the gdb server's memory map",
                  ErrorContext{}, "split the image so each segment is all flash or all RAM");
  }
  return nullptr;
}

// Erases the blocks under `segment` that this session has not erased yet (vFlashErase).
void GdbRemoteFlasher::EraseFlashBlocks(const Segment& segment, const GdbFlashRegion& region) {
  uint64_t block = region.block_size;
  uint64_t first = region.start + (segment.address - region.start) / block * block;
  uint64_t last = std::min(
      region.end(), region.start + (segment.end() - region.start + block - 1) / block * block);
  uint64_t run_start = 0, run_length = 0;
  auto flush = [&] {
    if (run_length == 0) return;
    std::string op = "erase " + AddressRange(run_start, run_start + run_length);
    std::string reply = Client().Request(
        "vFlashErase:" + ProtocolHex(run_start) + "," + ProtocolHex(run_length), op);
    if (reply != "OK") throw Unexpected(Client().endpoint(), op, reply);
    run_length = 0;
  };
  for (uint64_t b = first; b < last; b += block) {
    if (!erased_blocks_.insert(b).second) {
      flush();
      continue;
    }
    if (run_length == 0) run_start = b;
    run_length += std::min(block, region.end() - b);
  }
  flush();
}

void GdbRemoteFlasher::FinishFlash() {
  if (!flash_pending_) return;
  flash_pending_ = false;
  std::string reply = Client().Request("vFlashDone", "finish flash writes");
  if (reply != "OK") throw Unexpected(Client().endpoint(), "finish flash writes", reply);
}

void GdbRemoteFlasher::Write(const Segment& segment, ProgressSink& progress) {
  const GdbFlashRegion* region = FlashRegionFor(segment);
  if (region) {
    EraseFlashBlocks(segment, *region);
    flash_pending_ = true;
  }
  std::vector<uint64_t> sizes;
  std::vector<std::string> packets = WritePackets(segment, region != nullptr, sizes);
  uint64_t done = 0;
  std::vector<uint64_t> offsets;
  for (uint64_t s : sizes) {
    offsets.push_back(done);
    done += s;
  }
  done = 0;
  auto operation = [&](size_t i) { return "write " + HexAddress(segment.address + offsets[i]); };
  Client().Pipeline(packets, options_.window, operation, [&](size_t i, const std::string& reply) {
    if (reply != "OK") throw Unexpected(Client().endpoint(), operation(i), reply);
    done += sizes[i];
    progress.Advance(done);
  });
}

void GdbRemoteFlasher::ReadRange(
    uint64_t address, uint64_t length,
    const std::function<void(uint64_t, const std::vector<uint8_t>&)>& on_chunk) {
  uint64_t chunk = (features_.packet_size - kFramingBytes) / 2 / 4 * 4;
  std::vector<std::string> packets;
  std::vector<uint64_t> offsets;
  for (uint64_t off = 0; off < length; off += chunk) {
    uint64_t n = std::min(chunk, length - off);
    packets.push_back("m" + ProtocolHex(address + off) + "," + ProtocolHex(n));
    offsets.push_back(off);
  }
  auto operation = [&](size_t i) { return "read " + HexAddress(address + offsets[i]); };
  Client().Pipeline(packets, options_.window, operation, [&](size_t i, const std::string& reply) {
    uint64_t want = std::min(chunk, length - offsets[i]);
    auto bytes = FromHex(reply, "reply to " + operation(i));
    if (bytes.size() != want)
      throw Error(ErrorCategory::kTransport,
                  "the gdb server returned " + std::to_string(bytes.size()) + " bytes for " +
                      operation(i) + ", expected " + std::to_string(want),
                  ErrorContext{{}, {}, {}, {}, {}, Client().endpoint(), operation(i)});
    on_chunk(offsets[i], bytes);
  });
}

std::vector<uint8_t> GdbRemoteFlasher::Read(uint64_t address, uint64_t length) {
  FinishFlash();
  std::vector<uint8_t> out(length);
  ReadRange(address, length, [&](uint64_t off, const std::vector<uint8_t>& bytes) {
    std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
  });
  return out;
}

VerifyResult GdbRemoteFlasher::VerifyByReadBack(const Segment& segment, ProgressSink& progress) {
  VerifyResult result;
  uint64_t done = 0;
  ReadRange(segment.address, segment.data.size(),
            [&](uint64_t off, const std::vector<uint8_t>& bytes) {
              for (size_t i = 0; i < bytes.size() && result.match; ++i) {
                uint8_t want = segment.data[off + i];
                if (bytes[i] == want) continue;
                result = {false, segment.address + off + i,
                          "read " + ByteText(bytes[i]) + ", expected " + ByteText(want)};
              }
              done += bytes.size();
              progress.Advance(done);
            });
  return result;
}

// qCRC piece by piece; nullopt when the server does not know qCRC.
std::optional<VerifyResult> GdbRemoteFlasher::VerifyByCrc(const Segment& segment,
                                                          ProgressSink& progress) {
  auto saved = options_.timeout;
  Client().set_timeout(options_.crc_timeout);
  for (uint64_t off = 0; off < segment.data.size(); off += kCrcChunk) {
    uint64_t n = std::min<uint64_t>(kCrcChunk, segment.data.size() - off);
    uint64_t address = segment.address + off;
    std::string reply = Client().Request("qCRC:" + ProtocolHex(address) + "," + ProtocolHex(n),
                                         "qCRC " + HexAddress(address));
    if (reply.empty() && !crc_probed_) {
      crc_probed_ = true;
      Client().set_timeout(saved);
      log_->info("gdb server {} has no qCRC; verifying by reading back", Client().endpoint());
      return std::nullopt;
    }
    crc_probed_ = features_.crc = true;
    if (reply.empty() || reply[0] != 'C') throw Unexpected(Client().endpoint(), "qCRC", reply);
    uint32_t device = static_cast<uint32_t>(ParseHexNumber(reply.substr(1), "qCRC reply"));
    uint32_t expected = GdbCrc32(std::span<const uint8_t>(segment.data).subspan(off, n));
    if (device != expected) {
      Client().set_timeout(saved);
      Segment piece{
          address,
          std::vector<uint8_t>(segment.data.begin() + static_cast<std::ptrdiff_t>(off),
                               segment.data.begin() + static_cast<std::ptrdiff_t>(off + n)),
          segment.name};
      NullProgress quiet;
      VerifyResult located = VerifyByReadBack(piece, quiet);
      char detail[96];
      std::snprintf(detail, sizeof detail, "CRC 0x%08x from the device, 0x%08x expected", device,
                    expected);
      if (located.match) return VerifyResult{false, address, detail};
      located.detail = std::string(detail) + "; " + located.detail;
      return located;
    }
    progress.Advance(off + n);
  }
  Client().set_timeout(saved);
  return VerifyResult{};
}

VerifyResult GdbRemoteFlasher::Verify(const Segment& segment, ProgressSink& progress) {
  FinishFlash();
  if (!crc_probed_ || features_.crc) {
    if (auto r = VerifyByCrc(segment, progress)) return *r;
  }
  return VerifyByReadBack(segment, progress);
}

void GdbRemoteFlasher::WritePc(uint64_t entry) {
  uint32_t reg = *options_.layout.pc_register;
  uint32_t width = options_.layout.register_bytes;
  std::string value = LittleEndianHex(entry, width);
  std::string reply = Client().Request("P" + ProtocolHex(reg) + "=" + value, "set pc");
  if (reply == "OK") return;
  if (!reply.empty()) throw Unexpected(Client().endpoint(), "set pc", reply);
  std::string regs = Client().Request("g", "read registers");
  size_t at = size_t{reg} * width * 2;
  if (regs.size() < at + value.size())
    throw Error(ErrorCategory::kDeviceReported,
                "the register block from the gdb server is too short to hold the PC (register " +
                    std::to_string(reg) + ")",
                ErrorContext{{}, {}, {}, {}, {}, Client().endpoint(), "set pc"});
  regs.replace(at, value.size(), value);
  reply = Client().Request("G" + regs, "write registers");
  if (reply != "OK") throw Unexpected(Client().endpoint(), "write registers", reply);
}

void GdbRemoteFlasher::Resume() { Client().Send(vcont_c_ ? "vCont;c" : "c"); }

void GdbRemoteFlasher::Start(std::optional<uint64_t> entry) {
  FinishFlash();
  if (entry && options_.layout.pc_register) {
    WritePc(*entry);
  } else if (entry) {
    log_->warn("do not know the PC register of this target; continuing from the current PC");
  }
  Resume();
  Disconnect();
}

std::optional<std::string> GdbRemoteFlasher::Restart() {
  Start(std::nullopt);
  return std::nullopt;
}

void GdbRemoteFlasher::Disconnect() {
  if (client_) FinishFlash();
  client_.reset();
  link_.reset();
}

namespace {

std::optional<std::string> Setting(const BackendOptions& options, const char* key) {
  if (!options.method_settings) return std::nullopt;
  const auto& s = options.method_settings->settings;
  if (!s.is_object() || !s.contains(key)) return std::nullopt;
  const auto& v = s.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  return std::nullopt;
}

}  // namespace

std::unique_ptr<FlashBackend> CreateGdbBackend(const BackendOptions& options) {
  GdbFlasherOptions gdb;
  gdb.layout = RegisterLayoutFor(options.board->arch);
  if (auto pc = Setting(options, "pc_register"))
    gdb.layout.pc_register = std::stoul(*pc, nullptr, 0);
  std::optional<std::string> remote = options.remote;
  std::optional<std::string> port = options.port;
  if (!remote && !port && options.board->default_flash_method == "qemu")
    remote = RunningQemuGdbEndpoint(options.qemu_name);
  if (!remote && !port) {
    remote = Setting(options, "remote");
    port = Setting(options, "port");
  }
  GdbRemoteFlasher::LinkOpener open;
  if (remote) {
    devices::ParseTcpEndpoint(*remote);  // a malformed --tcp is a usage error up front
    open = [endpoint = *remote, timeout = gdb.timeout] { return ConnectTcp(endpoint, timeout); };
  } else if (port) {
    uint32_t baud = static_cast<uint32_t>(std::stoul(Setting(options, "baud").value_or("115200")));
    open = [device = *port, baud] { return OpenSerialLink(device, baud); };
  } else {
    throw Error(ErrorCategory::kUsage, "no gdb server given for " + options.board->name,
                ErrorContext{},
                "pass --tcp HOST:PORT (gdb server) or --serial DEVICE (Black Magic Probe)");
  }
  return std::make_unique<GdbRemoteFlasher>(std::move(open), std::move(gdb), options.log);
}

}  // namespace tockctl::flasher
