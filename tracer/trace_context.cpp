#include "tracer/trace_context.h"

#include <limits>

namespace tockctl::tracer {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// `base` moved by (to - from), saturating at the ends of int64_t: device ticks are arbitrary, so
// the distance from the anchor may not fit.
int64_t Shifted(int64_t base, uint64_t from, uint64_t to) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const bool ahead = to >= from;
  const uint64_t distance = ahead ? to - from : from - to;
  const int64_t step = distance > uint64_t{kMax} ? kMax : static_cast<int64_t>(distance);
  int64_t out = 0;
  if (ahead ? __builtin_add_overflow(base, step, &out) : __builtin_sub_overflow(base, step, &out))
    return ahead ? kMax : std::numeric_limits<int64_t>::min();
  return out;
}

uint64_t CallKey(uint16_t client_pid, uint16_t service_id, uint32_t call_id) {
  return (uint64_t{client_pid} << 48) | (uint64_t{service_id} << 32) | call_id;
}

InterfaceEntry Own(const InterfaceInfo& i) {
  InterfaceEntry e;
  e.iface_id = i.iface_id;
  e.kind = i.kind;
  e.linktype = i.linktype;
  e.mtu = i.mtu;
  e.addr_len = i.addr_len;
  for (size_t k = 0; k < e.addr.size(); ++k) e.addr[k] = i.addr[k];
  e.name = std::string(i.name);
  return e;
}

}  // namespace

std::string InterfaceEntry::AddressText() const {
  std::string out;
  for (size_t k = 0; k < addr_len && k < addr.size(); ++k) {
    if (k > 0) out += ':';
    out += kHexDigits[addr[k] >> 4];
    out += kHexDigits[addr[k] & 0xF];
  }
  return out;
}

RecordInfo TraceContext::Observe(const Record& record, bool seq_reset, int64_t host_now_ns) {
  RecordInfo info;
  if (seq_reset) {
    open_calls_.clear();
    anchored_ = false;
  }
  switch (record.header.type) {
    case RecordType::kHello:
      ObserveHello(std::get<Hello>(record.body), record.header.ticks, host_now_ns, seq_reset);
      break;
    case RecordType::kProcStart: {
      const auto& p = std::get<ProcStart>(record.body);
      processes_[p.pid] = std::string(p.name);
      break;
    }
    case RecordType::kIpcRegister: {
      const auto& r = std::get<IpcRegister>(record.body);
      services_[r.service_id] = std::string(r.service_name);
      break;
    }
    case RecordType::kRpcCall:
    case RecordType::kRpcReturn:
      info.rpc_latency_ticks = ObserveRpc(record);
      if (info.rpc_latency_ticks) info.rpc_latency_ns = TicksToNs(*info.rpc_latency_ticks);
      break;
    default:
      break;
  }
  info.time = MapTime(record.header.ticks, host_now_ns);
  return info;
}

void TraceContext::ObserveHello(const Hello& hello, uint64_t ticks, int64_t host_now_ns,
                                bool seq_reset) {
  std::vector<InterfaceEntry> table;
  table.reserve(hello.interfaces.size());
  for (const InterfaceInfo& i : hello.interfaces) table.push_back(Own(i));
  if (table != interfaces_) {
    interfaces_ = std::move(table);
    ++interface_generation_;
  }
  board_ = std::string(hello.board);
  kernel_version_ = std::string(hello.kernel_version);
  if (hello.tick_hz != tick_hz_) anchored_ = false;
  tick_hz_ = hello.tick_hz;
  if (seq_reset) anchored_ = false;
  const auto device_ns = TicksToNs(ticks);
  if (!anchored_ && device_ns) {
    anchored_ = true;
    anchor_host_ns_ = host_now_ns;
    anchor_device_ns_ = *device_ns;
  }
}

std::optional<uint64_t> TraceContext::ObserveRpc(const Record& record) {
  if (record.header.type == RecordType::kRpcCall) {
    const auto& c = std::get<RpcCall>(record.body);
    if (open_calls_.size() >= kMaxOpenCalls) open_calls_.clear();
    open_calls_[CallKey(c.client_pid, c.service_id, c.call_id)] = record.header.ticks;
    return std::nullopt;
  }
  const auto& r = std::get<RpcReturn>(record.body);
  auto it = open_calls_.find(CallKey(r.client_pid, r.service_id, r.call_id));
  if (it == open_calls_.end()) {
    ++unmatched_returns_;
    return std::nullopt;
  }
  const uint64_t call_ticks = it->second;
  open_calls_.erase(it);
  if (record.header.ticks < call_ticks) return std::nullopt;
  return record.header.ticks - call_ticks;
}

std::optional<uint64_t> TraceContext::TicksToNs(uint64_t ticks) const {
  if (tick_hz_ == 0) return std::nullopt;
  // Exact floor(ticks * 1e9 / tick_hz) without a 128-bit intermediate.
  return ticks / tick_hz_ * 1000000000u + ticks % tick_hz_ * 1000000000u / tick_hz_;
}

RecordTime TraceContext::MapTime(uint64_t ticks, int64_t host_now_ns) const {
  RecordTime t;
  t.device_ns = TicksToNs(ticks);
  t.host_ns = host_now_ns;
  if (anchored_ && t.device_ns)
    t.host_ns = Shifted(anchor_host_ns_, anchor_device_ns_, *t.device_ns);
  return t;
}

std::string_view TraceContext::ProcessName(uint16_t pid) const {
  if (pid == kKernelPid) return "kernel";
  auto it = processes_.find(pid);
  return it == processes_.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view TraceContext::ServiceName(uint16_t service_id) const {
  auto it = services_.find(service_id);
  return it == services_.end() ? std::string_view() : std::string_view(it->second);
}

const InterfaceEntry* TraceContext::Interface(uint8_t iface_id) const {
  for (const InterfaceEntry& e : interfaces_) {
    if (e.iface_id == iface_id) return &e;
  }
  return nullptr;
}

}  // namespace tockctl::tracer
