#include "tracer/text_view.h"

#include <cinttypes>
#include <cstdio>

namespace tockctl::tracer {
namespace {

constexpr size_t kTimeWidth = 14;
constexpr size_t kKindWidth = 15;
constexpr size_t kWhoWidth = 46;
constexpr size_t kSizeWidth = 8;
// The layout for a terminal of `width` columns (80 fits time, kind, who, bytes and 22 columns of
// details).
constexpr size_t kNarrowTimeWidth = 10;
constexpr size_t kNarrowKindWidth = 15;
constexpr size_t kNarrowWhoWidth = 27;
constexpr size_t kNarrowSizeWidth = 6;

struct Columns {
  size_t time, kind, who, size;
  const char* gap;
};

Columns ColumnsFor(size_t width) {
  if (width == 0) return {kTimeWidth, kKindWidth, kWhoWidth, kSizeWidth, "  "};
  return {kNarrowTimeWidth, kNarrowKindWidth, kNarrowWhoWidth, kNarrowSizeWidth, " "};
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32, v);
  return buf;
}

std::string EnumText(uint8_t v, const char* (*name)(uint8_t)) {
  const char* n = name(v);
  return n != nullptr ? std::string(n) : std::to_string(v);
}

// Device strings may hold control characters; keep the view one line per record.
std::string Printable(std::string s) {
  for (char& c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '.';
  }
  return s;
}

std::string Pad(std::string s, size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// Renders the "who" and detail columns of each record type.
class LineBuilder {
 public:
  LineBuilder(const Record& r, const RecordInfo& info, const TraceContext& ctx)
      : record_(r), info_(info), ctx_(ctx) {}

  std::string Proc(uint16_t pid) const {
    const std::string_view name = ctx_.ProcessName(pid);
    if (pid == kKernelPid) return "kernel";
    if (name.empty()) return "pid " + std::to_string(pid);
    return std::string(name) + "(" + std::to_string(pid) + ")";
  }
  std::string Service(uint16_t id) const {
    const std::string_view name = ctx_.ServiceName(id);
    if (name.empty()) return "svc#" + std::to_string(id);
    return std::string(name) + "#" + std::to_string(id);
  }
  std::string Iface(uint8_t id) const {
    const InterfaceEntry* e = ctx_.Interface(id);
    return e != nullptr ? e->name : "if#" + std::to_string(id);
  }

  std::string who;
  std::string size;
  std::string details;

  void operator()(const Hello& v) {
    who = std::string(v.board);
    details = "kernel " + std::string(v.kernel_version) + ", " + std::to_string(v.tick_hz) +
              " Hz, max payload " + std::to_string(v.max_payload);
    for (const InterfaceInfo& i : v.interfaces) {
      details += ", " + std::string(i.name) + "=" + EnumText(i.kind, &InterfaceKindName) +
                 "/linktype " + std::to_string(i.linktype) + "/mtu " + std::to_string(i.mtu);
    }
  }
  void operator()(const Log& v) {
    who = EnumText(v.level, &LogLevelName);
    details = std::string(v.text);
  }
  void operator()(const Overflow& v) {
    details = "device dropped " + std::to_string(v.dropped) + " records (total " +
              std::to_string(v.total_dropped) + ")";
  }
  void operator()(const ProcStart& v) {
    who = Proc(v.pid);
    details = "restart_count " + std::to_string(v.restart_count);
  }
  void operator()(const ProcFault& v) {
    who = Proc(v.pid);
    details = EnumText(v.reason, &FaultReasonName) + ", action " +
              EnumText(v.action, &FaultActionName) + ", addr " + Hex32(v.fault_addr) + ", pc " +
              Hex32(v.pc);
  }
  void operator()(const ProcRestart& v) {
    who = Proc(v.pid);
    details = "restart_count " + std::to_string(v.restart_count);
  }
  void operator()(const IpcRegister& v) {
    who = Proc(v.server_pid) + " serves " + std::string(v.service_name) + "#" +
          std::to_string(v.service_id);
  }
  void operator()(const IpcDiscover& v) {
    who = Proc(v.client_pid) + " -> " + std::string(v.service_name);
    details = EnumText(v.result, &DiscoverResultName);
    if (v.service_id != 0xFFFF) details += ", " + Service(v.service_id);
  }
  void operator()(const IpcConnect& v) {
    who = Proc(v.client_pid) + " -> " + Service(v.service_id);
    details = "conn " + std::to_string(v.conn_id) + ", " + std::to_string(v.buffers) + " buffers";
    if (v.flags & 1) details += ", reliable";
    if (v.flags & 2) details += ", authenticated";
  }
  void operator()(const IpcDisconnect& v) {
    who = Proc(v.client_pid) + " -> " + Service(v.service_id);
    details =
        "conn " + std::to_string(v.conn_id) + ", " + EnumText(v.reason, &DisconnectReasonName);
  }
  void operator()(const IpcMessage& v) {
    who = Proc(v.src_pid) + " -> " + Proc(v.dst_pid) + " " + Service(v.service_id);
    size = std::to_string(v.len);
    details = EnumText(v.mode, &MessageModeName) + ", conn " + std::to_string(v.conn_id) +
              ", msg " + std::to_string(v.msg_id);
  }
  void operator()(const RpcCall& v) {
    who = Proc(v.client_pid) + " -> " + Proc(v.server_pid) + " " + Service(v.service_id);
    size = std::to_string(v.arg_len);
    details = "method " + std::to_string(v.method) + ", call " + std::to_string(v.call_id);
  }
  void operator()(const RpcReturn& v) {
    who = Proc(v.server_pid) + " -> " + Proc(v.client_pid) + " " + Service(v.service_id);
    size = std::to_string(v.ret_len);
    details = "method " + std::to_string(v.method) + ", call " + std::to_string(v.call_id) +
              ", status " + std::to_string(v.status);
    if (info_.rpc_latency_ns) {
      details += ", latency " + FormatDuration(*info_.rpc_latency_ns);
    } else if (info_.rpc_latency_ticks) {
      details += ", latency " + std::to_string(*info_.rpc_latency_ticks) + " ticks";
    } else {
      details += ", no matching call";
    }
  }
  void operator()(const MemRegion& v) {
    who = Proc(v.owner_pid) + " -> " + Proc(v.grantee_pid);
    size = std::to_string(v.len);
    details = "addr " + Hex32(v.addr) + ", " + ((v.access & 1) ? "r" : "-") +
              ((v.access & 2) ? "w" : "-");
  }
  void operator()(const Upcall& v) {
    who = Proc(v.pid);
    details = "driver " + Hex32(v.driver_num) + ", subscribe " + std::to_string(v.subscribe_num) +
              ", args " + Hex32(v.arg0) + " " + Hex32(v.arg1) + " " + Hex32(v.arg2);
  }
  void operator()(const NetUp& v) { who = Iface(v.iface_id); }
  void operator()(const NetDown& v) {
    who = Iface(v.iface_id);
    details = EnumText(v.reason, &NetDownReasonName);
  }
  void operator()(const NetFrame& v) {
    const bool tx = record_.header.type == RecordType::kNetTx;
    who = Iface(v.iface_id) + (tx ? " tx " + Proc(v.pid) : " rx");
    size = std::to_string(v.orig_len);
    details = "captured " + std::to_string(v.data.size());
    if (record_.header.truncated()) details += " (truncated)";
  }
  void operator()(const NetDrop& v) {
    who = Iface(v.iface_id) + " " + EnumText(v.direction, &DirectionName);
    if (v.pid != kKernelPid) who += " " + Proc(v.pid);
    size = std::to_string(v.orig_len);
    details = "reason " + EnumText(v.reason, &DropReasonName);
  }
  void operator()(const NetDeliver& v) {
    who = Iface(v.iface_id);
    details = "rx seq " + std::to_string(v.rx_seq) + " -> ";
    if (v.pids.empty()) details += "nobody";
    for (size_t k = 0; k < v.pids.size(); ++k) details += (k ? ", " : "") + Proc(v.pids[k]);
  }

 private:
  const Record& record_;
  const RecordInfo& info_;
  const TraceContext& ctx_;
};

}  // namespace

std::string FormatSeconds(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64, ns / 1000000000u,
                ns % 1000000000u / 1000u);
  return buf;
}

std::string FormatDuration(uint64_t ns) {
  char buf[32];
  if (ns < 1000) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 " ns", ns);
  } else if (ns < 1000000) {
    std::snprintf(buf, sizeof buf, "%.1f us", static_cast<double>(ns) / 1e3);
  } else if (ns < 1000000000) {
    std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(ns) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(ns) / 1e9);
  }
  return buf;
}

std::string TextHeader(size_t width) {
  const Columns c = ColumnsFor(width);
  std::string header = Pad("TIME(s)", c.time, true) + c.gap + Pad("KIND", c.kind, false) +
                       Pad("WHO", c.who, false) + Pad("BYTES", c.size, true) + c.gap + "DETAILS";
  if (width > 0) FitWidth(header, width);
  return header + "\n";
}

void FitWidth(std::string& line, size_t width) {
  size_t columns = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (++columns == width) {
      size_t end = i + 1;
      while (end < line.size() && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) ++end;
      if (end == line.size()) return;
      line.resize(i);
      line += "\u2026";
      return;
    }
  }
}

void AppendRecordText(const Record& record, const RecordInfo& info, const TraceContext& context,
                      std::string& out, size_t width) {
  const Columns c = ColumnsFor(width);
  LineBuilder line(record, info, context);
  std::visit(line, record.body);
  const std::string time = info.time.device_ns ? FormatSeconds(*info.time.device_ns)
                                               : std::to_string(record.header.ticks) + "t";
  std::string text = Pad(time, c.time, true);
  text += c.gap;
  text += Pad(RecordTypeName(static_cast<uint8_t>(record.header.type)), c.kind, false);
  std::string who = Printable(std::move(line.who));
  if (width > 0) FitWidth(who, c.who - 1);
  text += Pad(std::move(who), c.who - 1, false);
  text += ' ';
  text += Pad(line.size, c.size, true);
  if (!line.details.empty()) {
    text += c.gap;
    text += Printable(std::move(line.details));
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (width > 0) FitWidth(text, width);
  out += text;
  out += '\n';
}

}  // namespace tockctl::tracer
