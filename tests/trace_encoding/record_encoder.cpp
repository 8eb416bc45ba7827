#include "tests/trace_encoding/record_encoder.h"

#include <algorithm>
#include <string_view>

#include "common/byte_reader.h"
#include "tracer/cobs.h"
#include "tracer/crc32c.h"

namespace tockctl::tracer {
namespace {

class BodyWriter {
 public:
  explicit BodyWriter(std::vector<uint8_t>& out) : out_(out) {}
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { Store(v, 2); }
  void U32(uint32_t v) { Store(v, 4); }
  void U64(uint64_t v) { Store(v, 8); }
  void Bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void Str8(std::string_view s) {
    const size_t n = std::min<size_t>(s.size(), 0xFF);
    U8(static_cast<uint8_t>(n));
    out_.insert(out_.end(), s.begin(), s.begin() + static_cast<ptrdiff_t>(n));
  }
  void Str16(std::string_view s) {
    const size_t n = std::min<size_t>(s.size(), 0xFFFF);
    U16(static_cast<uint16_t>(n));
    out_.insert(out_.end(), s.begin(), s.begin() + static_cast<ptrdiff_t>(n));
  }

 private:
  void Store(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

struct BodyVisitor {
  BodyWriter& w;

  void operator()(const Hello& h) const {
    w.U32(h.tick_hz);
    w.U16(h.max_payload);
    w.Str8(h.board);
    w.Str8(h.kernel_version);
    w.U8(static_cast<uint8_t>(h.interfaces.size()));
    for (const InterfaceInfo& i : h.interfaces) {
      w.U8(i.iface_id);
      w.U8(i.kind);
      w.U16(i.linktype);
      w.U16(i.mtu);
      w.U8(i.addr_len);
      w.Bytes(i.addr);
      w.Str8(i.name);
    }
  }
  void operator()(const Log& l) const {
    w.U8(l.level);
    w.Str16(l.text);
  }
  void operator()(const Overflow& o) const {
    w.U32(o.dropped);
    w.U32(o.total_dropped);
  }
  void operator()(const ProcStart& p) const {
    w.U16(p.pid);
    w.U16(p.restart_count);
    w.Str8(p.name);
  }
  void operator()(const ProcFault& f) const {
    w.U16(f.pid);
    w.U8(f.reason);
    w.U8(f.action);
    w.U32(f.fault_addr);
    w.U32(f.pc);
  }
  void operator()(const ProcRestart& p) const {
    w.U16(p.pid);
    w.U16(p.restart_count);
  }
  void operator()(const IpcRegister& r) const {
    w.U16(r.server_pid);
    w.U16(r.service_id);
    w.Str8(r.service_name);
  }
  void operator()(const IpcDiscover& d) const {
    w.U16(d.client_pid);
    w.U16(d.service_id);
    w.U8(d.result);
    w.Str8(d.service_name);
  }
  void operator()(const IpcConnect& c) const {
    w.U16(c.client_pid);
    w.U16(c.service_id);
    w.U16(c.conn_id);
    w.U8(c.buffers);
    w.U8(c.flags);
  }
  void operator()(const IpcDisconnect& d) const {
    w.U16(d.client_pid);
    w.U16(d.service_id);
    w.U16(d.conn_id);
    w.U8(d.reason);
  }
  void operator()(const IpcMessage& m) const {
    w.U16(m.src_pid);
    w.U16(m.dst_pid);
    w.U16(m.service_id);
    w.U16(m.conn_id);
    w.U32(m.msg_id);
    w.U32(m.len);
    w.U8(m.mode);
  }
  void operator()(const RpcCall& c) const {
    w.U16(c.client_pid);
    w.U16(c.server_pid);
    w.U16(c.service_id);
    w.U16(c.method);
    w.U32(c.call_id);
    w.U32(c.arg_len);
  }
  void operator()(const RpcReturn& c) const {
    w.U16(c.client_pid);
    w.U16(c.server_pid);
    w.U16(c.service_id);
    w.U16(c.method);
    w.U32(c.call_id);
    w.U32(c.ret_len);
    w.U32(static_cast<uint32_t>(c.status));
  }
  void operator()(const MemRegion& m) const {
    w.U16(m.owner_pid);
    w.U16(m.grantee_pid);
    w.U32(m.addr);
    w.U32(m.len);
    w.U8(m.access);
  }
  void operator()(const Upcall& u) const {
    w.U16(u.pid);
    w.U32(u.driver_num);
    w.U32(u.subscribe_num);
    w.U32(u.arg0);
    w.U32(u.arg1);
    w.U32(u.arg2);
  }
  void operator()(const NetUp& u) const { w.U8(u.iface_id); }
  void operator()(const NetDown& d) const {
    w.U8(d.iface_id);
    w.U8(d.reason);
  }
  void operator()(const NetFrame& f) const {
    w.U8(f.iface_id);
    w.U16(f.pid);
    w.U32(f.orig_len);
    w.Bytes(f.data);
  }
  void operator()(const NetDrop& d) const {
    w.U8(d.iface_id);
    w.U8(d.direction);
    w.U16(d.pid);
    w.U8(d.reason);
    w.U32(d.orig_len);
    w.Bytes(d.data);
  }
  void operator()(const NetDeliver& d) const {
    w.U8(d.iface_id);
    w.U32(d.rx_seq);
    w.U8(static_cast<uint8_t>(d.pids.size()));
    for (uint16_t pid : d.pids) w.U16(pid);
  }
};

}  // namespace

void AppendBody(const RecordBody& body, std::vector<uint8_t>& out) {
  BodyWriter writer(out);
  std::visit(BodyVisitor{writer}, body);
}

void AppendFrame(const RecordHeader& header, std::span<const uint8_t> body,
                 std::vector<uint8_t>& wire) {
  std::vector<uint8_t> payload(kHeaderSize);
  payload[0] = header.version;
  payload[1] = static_cast<uint8_t>(header.type);
  StoreU16Le(&payload[2], header.flags);
  StoreU32Le(&payload[4], header.seq);
  StoreU64Le(&payload[8], header.ticks);
  payload.insert(payload.end(), body.begin(), body.end());
  const uint32_t crc = Crc32c(payload);
  payload.resize(payload.size() + kCrcSize);
  StoreU32Le(&payload[payload.size() - kCrcSize], crc);
  if (header.version == kProtocolVersion1) {
    CobsEncode(payload, wire);
    wire.push_back(0);
    return;
  }
  payload.insert(payload.begin(), std::begin(kFrameMarker), std::end(kFrameMarker));
  wire.push_back(0);
  CobsEncode(payload, wire);
  wire.push_back(0);
}

void AppendRecordFrame(const RecordHeader& header, const RecordBody& body,
                       std::vector<uint8_t>& wire) {
  std::vector<uint8_t> bytes;
  AppendBody(body, bytes);
  AppendFrame(header, bytes, wire);
}

}  // namespace tockctl::tracer
