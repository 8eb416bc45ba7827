#include "tracer/record_parser.h"

#include <array>
#include <string_view>

namespace tockctl::tracer {
namespace {

// The decoder's hot path reads millions of small bodies per second, so instead of
// tockctl::ByteReader (out-of-line calls, exceptions on short input) it uses this inline cursor
// with the same guarantee: it never reads past the end. A read that does not fit returns zeros or
// an empty span, moves to the end, and clears ok(); the caller then reports the record malformed.
class BodyCursor {
 public:
  explicit BodyCursor(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  bool Has(size_t n) const { return n <= data_.size() - pos_; }

  uint8_t U8() { return Load<uint8_t>(); }
  uint16_t U16Le() { return Load<uint16_t>(); }
  uint32_t U32Le() { return Load<uint32_t>(); }
  uint64_t U64Le() { return Load<uint64_t>(); }
  int32_t I32Le() { return static_cast<int32_t>(Load<uint32_t>()); }

  std::span<const uint8_t> Bytes(size_t n) {
    if (!Has(n)) return Fail<std::span<const uint8_t>>();
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::span<const uint8_t> Rest() { return Bytes(data_.size() - pos_); }

 private:
  template <typename T>
  T Fail() {
    ok_ = false;
    pos_ = data_.size();
    return T{};
  }
  template <typename T>
  T Load() {
    if (!Has(sizeof(T))) return Fail<T>();
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(T{data_[pos_ + i]} << (8 * i));
    pos_ += sizeof(T);
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string_view Str8(BodyCursor& r) {
  auto bytes = r.Bytes(r.U8());
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string_view Str16(BodyCursor& r) {
  auto bytes = r.Bytes(r.U16Le());
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

InterfaceInfo ReadInterface(BodyCursor& r) {
  InterfaceInfo i;
  i.iface_id = r.U8();
  i.kind = r.U8();
  i.linktype = r.U16Le();
  i.mtu = r.U16Le();
  i.addr_len = r.U8();
  auto addr = r.Bytes(8);  // empty when the body ends early
  for (size_t k = 0; k < addr.size(); ++k) i.addr[k] = addr[k];
  i.name = Str8(r);
  return i;
}

// One ReadBody per body type of the record table (tracer/record_types.h); a row whose body has
// none stops the build. Each returns false only for a body malformed beyond a short read (a
// short read clears the cursor's ok() instead).

bool ReadBody(BodyCursor& r, RecordScratch& scratch, Hello& h) {
  h.tick_hz = r.U32Le();
  h.max_payload = r.U16Le();
  h.board = Str8(r);
  h.kernel_version = Str8(r);
  const uint8_t n = r.U8();
  scratch.interfaces.clear();
  for (uint8_t k = 0; k < n && r.ok(); ++k) {
    scratch.interfaces.push_back(ReadInterface(r));
    if (scratch.interfaces.back().addr_len > 8) return false;
  }
  h.interfaces = scratch.interfaces;
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, Log& l) {
  l.level = r.U8();
  l.text = Str16(r);
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, Overflow& o) {
  o.dropped = r.U32Le();
  o.total_dropped = r.U32Le();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, ProcStart& p) {
  p.pid = r.U16Le();
  p.restart_count = r.U16Le();
  p.name = Str8(r);
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, ProcFault& f) {
  f.pid = r.U16Le();
  f.reason = r.U8();
  f.action = r.U8();
  f.fault_addr = r.U32Le();
  f.pc = r.U32Le();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, ProcRestart& p) {
  p.pid = r.U16Le();
  p.restart_count = r.U16Le();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, IpcRegister& g) {
  g.server_pid = r.U16Le();
  g.service_id = r.U16Le();
  g.service_name = Str8(r);
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, IpcDiscover& d) {
  d.client_pid = r.U16Le();
  d.service_id = r.U16Le();
  d.result = r.U8();
  d.service_name = Str8(r);
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, IpcConnect& c) {
  c.client_pid = r.U16Le();
  c.service_id = r.U16Le();
  c.conn_id = r.U16Le();
  c.buffers = r.U8();
  c.flags = r.U8();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, IpcDisconnect& d) {
  d.client_pid = r.U16Le();
  d.service_id = r.U16Le();
  d.conn_id = r.U16Le();
  d.reason = r.U8();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, IpcMessage& m) {
  m.src_pid = r.U16Le();
  m.dst_pid = r.U16Le();
  m.service_id = r.U16Le();
  m.conn_id = r.U16Le();
  m.msg_id = r.U32Le();
  m.len = r.U32Le();
  m.mode = r.U8();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, RpcCall& c) {
  c.client_pid = r.U16Le();
  c.server_pid = r.U16Le();
  c.service_id = r.U16Le();
  c.method = r.U16Le();
  c.call_id = r.U32Le();
  c.arg_len = r.U32Le();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, RpcReturn& c) {
  c.client_pid = r.U16Le();
  c.server_pid = r.U16Le();
  c.service_id = r.U16Le();
  c.method = r.U16Le();
  c.call_id = r.U32Le();
  c.ret_len = r.U32Le();
  c.status = r.I32Le();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, MemRegion& m) {
  m.owner_pid = r.U16Le();
  m.grantee_pid = r.U16Le();
  m.addr = r.U32Le();
  m.len = r.U32Le();
  m.access = r.U8();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, Upcall& u) {
  u.pid = r.U16Le();
  u.driver_num = r.U32Le();
  u.subscribe_num = r.U32Le();
  u.arg0 = r.U32Le();
  u.arg1 = r.U32Le();
  u.arg2 = r.U32Le();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, NetUp& u) {
  u.iface_id = r.U8();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, NetDown& d) {
  d.iface_id = r.U8();
  d.reason = r.U8();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, NetFrame& f) {
  f.iface_id = r.U8();
  f.pid = r.U16Le();
  f.orig_len = r.U32Le();
  f.data = r.Rest();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& /*scratch*/, NetDrop& d) {
  d.iface_id = r.U8();
  d.direction = r.U8();
  d.pid = r.U16Le();
  d.reason = r.U8();
  d.orig_len = r.U32Le();
  d.data = r.Rest();
  return true;
}

bool ReadBody(BodyCursor& r, RecordScratch& scratch, NetDeliver& d) {
  d.iface_id = r.U8();
  d.rx_seq = r.U32Le();
  const uint8_t n = r.U8();
  if (!r.Has(size_t{n} * 2)) {
    r.Bytes(size_t{n} * 2);  // fails: the pids run past the body
    return true;
  }
  scratch.pids.clear();
  for (uint8_t k = 0; k < n; ++k) scratch.pids.push_back(r.U16Le());
  d.pids = scratch.pids;
  return true;
}

using BodyReader = BodyStatus (*)(BodyCursor&, RecordScratch&, RecordBody&);

template <typename Body>
BodyStatus ReadAs(BodyCursor& r, RecordScratch& scratch, RecordBody& out) {
  Body body;
  if (!ReadBody(r, scratch, body)) return BodyStatus::kMalformed;
  out = body;
  return BodyStatus::kOk;
}

// The reader of each type byte, from the record table; null for a type v1 does not define.
constexpr std::array<BodyReader, 256> MakeReaders() {
  std::array<BodyReader, 256> readers{};
#define TOCKCTL_RECORD_READER(name, value, json, body) readers[value] = &ReadAs<body>;
  TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_READER)
#undef TOCKCTL_RECORD_READER
  return readers;
}

constexpr std::array<BodyReader, 256> kReaders = MakeReaders();

}  // namespace

RecordScratch::RecordScratch() {
  interfaces.reserve(256);
  pids.reserve(256);
}

RecordHeader ParseHeader(std::span<const uint8_t> payload) {
  BodyCursor r(payload.first(kHeaderSize));
  RecordHeader h;
  h.version = r.U8();
  h.type = static_cast<RecordType>(r.U8());
  h.flags = r.U16Le();
  h.seq = r.U32Le();
  h.ticks = r.U64Le();
  return h;
}

BodyStatus ParseBody(uint8_t type, std::span<const uint8_t> body, RecordScratch& scratch,
                     RecordBody& out) {
  const BodyReader read = kReaders[type];
  if (read == nullptr) return BodyStatus::kUnknownType;
  BodyCursor r(body);
  const BodyStatus status = read(r, scratch, out);
  return r.ok() ? status : BodyStatus::kMalformed;
}

}  // namespace tockctl::tracer
