#include "tracer/json_lines.h"

#include <charconv>
#include <cstdint>

#include "common/utf8.h"

namespace tockctl::tracer {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendEscapedAscii(uint8_t c, std::string& out) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  if (c < 0x20) {
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
    return;
  }
  out += static_cast<char>(c);
}

template <typename T>
void AppendNumber(T v, std::string& out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// Appends `,"key":` (or `{"key":` for the first key, handled by the caller).
void Key(const char* key, std::string& out) {
  out += ",\"";
  out += key;
  out += "\":";
}

template <typename T>
void Num(const char* key, T v, std::string& out) {
  Key(key, out);
  AppendNumber(v, out);
}

void Str(const char* key, std::string_view v, std::string& out) {
  Key(key, out);
  AppendJsonString(v, out);
}

void Bool(const char* key, bool v, std::string& out) {
  Key(key, out);
  out += v ? "true" : "false";
}

// An enum as its name, or as a number for a value the spec does not list.
void Enum(const char* key, uint8_t v, const char* (*name)(uint8_t), std::string& out) {
  Key(key, out);
  const char* n = name(v);
  if (n == nullptr) {
    AppendNumber(v, out);
    return;
  }
  out += '"';
  out += n;
  out += '"';
}

void Hex(const char* key, std::span<const uint8_t> data, std::string& out) {
  Key(key, out);
  out += '"';
  const size_t start = out.size();
  out.resize(start + data.size() * 2);
  char* dst = out.data() + start;
  for (uint8_t b : data) {
    *dst++ = kHex[b >> 4];
    *dst++ = kHex[b & 0xF];
  }
  out += '"';
}

void AppendInterface(const InterfaceInfo& i, std::string& out) {
  out += "{\"iface_id\":";
  AppendNumber(i.iface_id, out);
  Enum("kind", i.kind, &InterfaceKindName, out);
  Num("linktype", i.linktype, out);
  Num("mtu", i.mtu, out);
  Key("addr", out);
  out += '"';
  for (size_t k = 0; k < i.addr_len; ++k) {
    if (k > 0) out += ':';
    out += kHex[i.addr[k] >> 4];
    out += kHex[i.addr[k] & 0xF];
  }
  out += '"';
  Str("name", i.name, out);
  out += '}';
}

struct JsonBody {
  const RecordHeader& h;
  std::string& out;

  void operator()(const Hello& v) const {
    Num("tick_hz", v.tick_hz, out);
    Num("max_payload", v.max_payload, out);
    Str("board", v.board, out);
    Str("kernel_version", v.kernel_version, out);
    Key("interfaces", out);
    out += '[';
    for (size_t k = 0; k < v.interfaces.size(); ++k) {
      if (k > 0) out += ',';
      AppendInterface(v.interfaces[k], out);
    }
    out += ']';
  }
  void operator()(const Log& v) const {
    Enum("level", v.level, &LogLevelName, out);
    Str("text", v.text, out);
  }
  void operator()(const Overflow& v) const {
    Num("dropped", v.dropped, out);
    Num("total_dropped", v.total_dropped, out);
  }
  void operator()(const ProcStart& v) const {
    Num("pid", v.pid, out);
    Num("restart_count", v.restart_count, out);
    Str("name", v.name, out);
  }
  void operator()(const ProcFault& v) const {
    Num("pid", v.pid, out);
    Enum("reason", v.reason, &FaultReasonName, out);
    Enum("action", v.action, &FaultActionName, out);
    Num("fault_addr", v.fault_addr, out);
    Num("pc", v.pc, out);
  }
  void operator()(const ProcRestart& v) const {
    Num("pid", v.pid, out);
    Num("restart_count", v.restart_count, out);
  }
  void operator()(const IpcRegister& v) const {
    Num("server_pid", v.server_pid, out);
    Num("service_id", v.service_id, out);
    Str("service_name", v.service_name, out);
  }
  void operator()(const IpcDiscover& v) const {
    Num("client_pid", v.client_pid, out);
    Num("service_id", v.service_id, out);
    Enum("result", v.result, &DiscoverResultName, out);
    Str("service_name", v.service_name, out);
  }
  void operator()(const IpcConnect& v) const {
    Num("client_pid", v.client_pid, out);
    Num("service_id", v.service_id, out);
    Num("conn_id", v.conn_id, out);
    Num("buffers", v.buffers, out);
    Bool("reliable", (v.flags & 1) != 0, out);
    Bool("authenticated", (v.flags & 2) != 0, out);
  }
  void operator()(const IpcDisconnect& v) const {
    Num("client_pid", v.client_pid, out);
    Num("service_id", v.service_id, out);
    Num("conn_id", v.conn_id, out);
    Enum("reason", v.reason, &DisconnectReasonName, out);
  }
  void operator()(const IpcMessage& v) const {
    Num("src_pid", v.src_pid, out);
    Num("dst_pid", v.dst_pid, out);
    Num("service_id", v.service_id, out);
    Num("conn_id", v.conn_id, out);
    Num("msg_id", v.msg_id, out);
    Num("len", v.len, out);
    Enum("mode", v.mode, &MessageModeName, out);
  }
  void operator()(const RpcCall& v) const {
    Num("client_pid", v.client_pid, out);
    Num("server_pid", v.server_pid, out);
    Num("service_id", v.service_id, out);
    Num("method", v.method, out);
    Num("call_id", v.call_id, out);
    Num("arg_len", v.arg_len, out);
  }
  void operator()(const RpcReturn& v) const {
    Num("client_pid", v.client_pid, out);
    Num("server_pid", v.server_pid, out);
    Num("service_id", v.service_id, out);
    Num("method", v.method, out);
    Num("call_id", v.call_id, out);
    Num("ret_len", v.ret_len, out);
    Num("status", v.status, out);
  }
  void operator()(const MemRegion& v) const {
    Num("owner_pid", v.owner_pid, out);
    Num("grantee_pid", v.grantee_pid, out);
    Num("addr", v.addr, out);
    Num("len", v.len, out);
    Bool("read", (v.access & 1) != 0, out);
    Bool("write", (v.access & 2) != 0, out);
  }
  void operator()(const Upcall& v) const {
    Num("pid", v.pid, out);
    Num("driver_num", v.driver_num, out);
    Num("subscribe_num", v.subscribe_num, out);
    Num("arg0", v.arg0, out);
    Num("arg1", v.arg1, out);
    Num("arg2", v.arg2, out);
  }
  void operator()(const NetUp& v) const { Num("iface_id", v.iface_id, out); }
  void operator()(const NetDown& v) const {
    Num("iface_id", v.iface_id, out);
    Enum("reason", v.reason, &NetDownReasonName, out);
  }
  void operator()(const NetFrame& v) const {
    Num("iface_id", v.iface_id, out);
    Num("pid", v.pid, out);
    Num("orig_len", v.orig_len, out);
    Bool("truncated", h.truncated(), out);
    Hex("data", v.data, out);
  }
  void operator()(const NetDrop& v) const {
    Num("iface_id", v.iface_id, out);
    Enum("direction", v.direction, &DirectionName, out);
    Num("pid", v.pid, out);
    Enum("reason", v.reason, &DropReasonName, out);
    Num("orig_len", v.orig_len, out);
    Bool("truncated", h.truncated(), out);
    Hex("data", v.data, out);
  }
  void operator()(const NetDeliver& v) const {
    Num("iface_id", v.iface_id, out);
    Num("rx_seq", v.rx_seq, out);
    Key("pids", out);
    out += '[';
    for (size_t k = 0; k < v.pids.size(); ++k) {
      if (k > 0) out += ',';
      AppendNumber(v.pids[k], out);
    }
    out += ']';
  }
};

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  out += '"';
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t n = text.size();
  while (n > 0) {
    if (*p < 0x80) {
      AppendEscapedAscii(*p, out);
      ++p;
      --n;
      continue;
    }
    size_t bad = 0;
    const size_t len = Utf8Sequence(p, n, &bad);
    if (len == 0) {
      out += kReplacementCharacter;
      p += bad;
      n -= bad;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
  }
  out += '"';
}

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t n = text.size();
  while (n > 0) {
    size_t bad = 0;
    const size_t len = *p < 0x80 ? 1 : Utf8Sequence(p, n, &bad);
    if (len == 0) return false;
    p += len;
    n -= len;
  }
  return true;
}

void AppendConsoleJson(std::span<const uint8_t> text, std::string& out) {
  const std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
  out += "{\"type\":\"console\",\"text\":";
  AppendJsonString(view, out);
  if (!IsValidUtf8(view)) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += ",\"data\":\"";
    for (const uint8_t b : text) {
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    }
    out += '"';
  }
  out += "}\n";
}

void AppendRecordJson(const Record& record, std::string& out) {
  const RecordHeader& h = record.header;
  out += "{\"seq\":";
  AppendNumber(h.seq, out);
  Num("ticks", h.ticks, out);
  Key("type", out);
  out += '"';
  out += RecordTypeName(static_cast<uint8_t>(h.type));
  out += '"';
  std::visit(JsonBody{h, out}, record.body);
  out += "}\n";
}

}  // namespace tockctl::tracer
