#include "tests/trace_encoding/sample_stream.h"

#include <string_view>

#include "tests/trace_encoding/record_encoder.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {
namespace {

constexpr uint8_t kEthMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr uint8_t kPeerMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
constexpr uint8_t kRadioAddr[8] = {0x00, 0x12, 0x4b, 0x00, 0x14, 0xb5, 0xd9, 0xc7};
// fe80::1 and fe80::fe
constexpr uint8_t kSrcIp[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
constexpr uint8_t kDstIp[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe};
constexpr uint16_t kServerPid = 0;
constexpr uint16_t kClientPid = 1;
constexpr uint16_t kNetService = 1;
constexpr uint16_t kKvService = 2;

void Be16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void Append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// UDP checksum over the IPv6 pseudo-header and the UDP header + payload at `udp`.
uint16_t UdpChecksum(std::span<const uint8_t> udp) {
  uint32_t sum = 0;
  auto add = [&sum](std::span<const uint8_t> b) {
    for (size_t i = 0; i < b.size(); i += 2) {
      sum += (uint32_t{b[i]} << 8) | (i + 1 < b.size() ? b[i + 1] : 0u);
    }
  };
  add(kSrcIp);
  add(kDstIp);
  sum += static_cast<uint32_t>(udp.size()) + 17u;
  add(udp);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  const auto folded = static_cast<uint16_t>(~sum);
  return folded == 0 ? 0xFFFF : folded;
}

}  // namespace

SampleStream::SampleStream(SampleStreamOptions options) : options_(options), rng_(options.seed) {
  body_.reserve(kMaxPayload);
}

void SampleStream::Put(std::vector<uint8_t>& wire, uint8_t type, const std::vector<uint8_t>& body,
                       uint16_t flags) {
  RecordHeader h;
  h.version = options_.version;
  h.type = static_cast<RecordType>(type);
  h.flags = flags;
  h.seq = seq_++;
  h.ticks = ticks_;
  AppendFrame(h, body, wire);
}

void SampleStream::PutHello(std::vector<uint8_t>& wire) {
  InterfaceInfo eth{0, 1, 1, 1500, 6, {}, "eth0"};
  std::copy(std::begin(kEthMac), std::end(kEthMac), eth.addr);
  InterfaceInfo wpan{1, 2, 230, 127, 8, {}, "wpan0"};
  std::copy(std::begin(kRadioAddr), std::end(kRadioAddr), wpan.addr);
  const InterfaceInfo ifaces[] = {eth, wpan};
  body_.clear();
  AppendBody(Hello{options_.tick_hz, 2048, "qemu_rv32_virt", "2.2.0-sample", ifaces}, body_);
  Put(wire, 0x01, body_);
  last_hello_ticks_ = ticks_;
}

void SampleStream::Advance(uint64_t min_ticks, uint64_t max_ticks) {
  ticks_ += min_ticks + rng_() % (max_ticks - min_ticks + 1);
}

void SampleStream::AppendPreamble(std::vector<uint8_t>& wire) {
  if (options_.version == kProtocolVersion1) wire.push_back(0);  // v1's resync byte
  PutHello(wire);
  RecordHeader h;
  h.version = options_.version;
  const std::pair<RecordType, RecordBody> setup[] = {
      {RecordType::kProcStart, ProcStart{kServerPid, 0, "net_server"}},
      {RecordType::kProcStart, ProcStart{kClientPid, 0, "sensor_app"}},
      {RecordType::kIpcRegister, IpcRegister{kServerPid, kNetService, "net.udp"}},
      {RecordType::kIpcRegister, IpcRegister{kServerPid, kKvService, "kv.store"}},
      {RecordType::kIpcDiscover, IpcDiscover{kClientPid, kNetService, 0, "net.udp"}},
      {RecordType::kIpcConnect, IpcConnect{kClientPid, kNetService, 1, 2, 1}},
      {RecordType::kNetUp, NetUp{0}},
      {RecordType::kNetUp, NetUp{1}},
  };
  for (const auto& [type, body] : setup) {
    Advance(10, 200);
    h.type = type;
    h.seq = seq_++;
    h.ticks = ticks_;
    AppendRecordFrame(h, body, wire);
  }
}

void SampleStream::AppendIpcExchange(std::vector<uint8_t>& wire) {
  const uint16_t service = (rng_() & 1) ? kNetService : kKvService;
  const bool shared = rng_() % 4 == 0;
  const auto len = static_cast<uint32_t>(shared ? 256 + rng_() % 4096 : 8 + rng_() % 120);
  const IpcMessage msg{
      kClientPid, kServerPid, service, 1, ++msg_id_, len, static_cast<uint8_t>(shared ? 1 : 0)};
  const RecordBody steps[] = {
      msg,
      msg,
      RpcCall{kClientPid, kServerPid, service, 3, ++call_id_, 16},
      RpcReturn{kClientPid, kServerPid, service, 3, call_id_, 8, 0},
      Upcall{kClientPid, 0x10000, 0, kServerPid, len, 0},
  };
  const uint8_t types[] = {0x24, 0x25, 0x26, 0x27, 0x2A};
  for (size_t i = 0; i < 5; ++i) {
    Advance(5, i == 3 ? 400 : 50);
    body_.clear();
    AppendBody(steps[i], body_);
    Put(wire, types[i], body_);
  }
}

std::vector<uint8_t> SampleStream::UdpFrame(size_t payload_len) {
  std::vector<uint8_t> f;
  f.reserve(14 + 40 + 8 + payload_len);
  Append(f, kPeerMac);
  Append(f, kEthMac);
  Be16(f, 0x86DD);
  const auto udp_len = static_cast<uint16_t>(8 + payload_len);
  f.insert(f.end(), {0x60, 0x00, 0x00, 0x00});
  Be16(f, udp_len);
  f.push_back(17);  // next header: UDP
  f.push_back(64);  // hop limit
  Append(f, kSrcIp);
  Append(f, kDstIp);
  const size_t udp_start = f.size();
  Be16(f, 49152);
  Be16(f, 5683);  // CoAP
  Be16(f, udp_len);
  Be16(f, 0);
  for (size_t i = 0; i < payload_len; ++i) f.push_back(static_cast<uint8_t>('a' + i % 26));
  const uint16_t sum = UdpChecksum(std::span<const uint8_t>(f).subspan(udp_start));
  f[udp_start + 6] = static_cast<uint8_t>(sum >> 8);
  f[udp_start + 7] = static_cast<uint8_t>(sum);
  return f;
}

std::vector<uint8_t> SampleStream::RadioFrame(size_t payload_len) {
  // Data frame, PAN id compression, short addresses: PAN 0xabcd, 0x0001 -> 0xffff.
  std::vector<uint8_t> f = {0x41, 0x88, radio_seq_++, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00};
  for (size_t i = 0; i < payload_len; ++i) f.push_back(static_cast<uint8_t>(rng_()));
  return f;
}

void SampleStream::AppendUdpTx(std::vector<uint8_t>& wire, size_t payload_len) {
  Advance(20, 300);
  const std::vector<uint8_t> frame = UdpFrame(payload_len);
  body_.clear();
  AppendBody(NetFrame{0, kClientPid, static_cast<uint32_t>(frame.size()), frame}, body_);
  Put(wire, 0x42, body_);
}

void SampleStream::AppendRadioRx(std::vector<uint8_t>& wire) {
  Advance(50, 900);
  const std::vector<uint8_t> frame = RadioFrame(10 + rng_() % 100);
  body_.clear();
  AppendBody(NetFrame{1, kKernelPid, static_cast<uint32_t>(frame.size()), frame}, body_);
  const uint32_t rx_seq = seq_;
  Put(wire, 0x43, body_);
  Advance(5, 40);
  const uint16_t pids[] = {kServerPid, kClientPid};
  body_.clear();
  AppendBody(NetDeliver{1, rx_seq, pids}, body_);
  Put(wire, 0x45, body_);
}

void SampleStream::AppendDrop(std::vector<uint8_t>& wire) {
  Advance(20, 200);
  const std::vector<uint8_t> frame = UdpFrame(20);
  body_.clear();
  AppendBody(NetDrop{0, 0, kKernelPid, 0, static_cast<uint32_t>(frame.size()), frame}, body_);
  Put(wire, 0x44, body_);
}

void SampleStream::AppendConsole(std::vector<uint8_t>& wire, size_t bytes) {
  static constexpr std::string_view kLines[] = {
      "Initialization complete. Entering main loop\r\n",
      "tock$ ",
      "list\r\n PID    ShortID    Name                Quanta  Syscalls  Restarts  Grants  "
      "State\r\n",
      "net_server: udp 2001:db8::1 port 5683 ready\r\n",
      "sensor_app: sample 42 sent\r\n",
  };
  const size_t target = wire.size() + bytes;
  while (wire.size() < target) {
    const std::string_view line = kLines[rng_() % std::size(kLines)];
    wire.insert(wire.end(), line.begin(), line.end());
  }
}

void SampleStream::AppendMix(std::vector<uint8_t>& wire, size_t bytes) {
  const size_t target = wire.size() + bytes;
  while (wire.size() < target) {
    if (ticks_ - last_hello_ticks_ >= 2ull * options_.tick_hz) PutHello(wire);
    const uint64_t pick = rng_() % 100;
    if (pick < 45) {
      AppendIpcExchange(wire);
    } else if (pick < 75) {
      AppendUdpTx(wire, 64 + rng_() % 1200);
    } else if (pick < 97) {
      AppendRadioRx(wire);
    } else {
      AppendDrop(wire);
    }
  }
}

}  // namespace tockctl::tracer
