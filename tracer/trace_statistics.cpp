#include "tracer/trace_statistics.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "tracer/text_view.h"

namespace tockctl::tracer {
namespace {

using Json = nlohmann::ordered_json;
using Rows = std::vector<std::vector<std::string>>;

// Columns after the first are right-aligned numbers, except a last text column if `text_last`.
std::string RenderRows(const Rows& rows, const std::string& indent, bool text_last = false) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      const bool last = c + 1 == row.size();
      const bool numeric = c > 0 && !(text_last && last);
      std::string pad(width[c] - row[c].size(), ' ');
      line += numeric ? pad + row[c] : row[c] + (last ? "" : pad);
      if (!last) line += "  ";
    }
    out += line + "\n";
  }
  return out;
}

std::string ServiceLabel(uint16_t id, const TraceContext& context) {
  const std::string_view name = context.ServiceName(id);
  return (name.empty() ? std::string("svc") : std::string(name)) + "#" + std::to_string(id);
}

std::string InterfaceLabel(uint8_t id, const TraceContext& context) {
  const InterfaceEntry* e = context.Interface(id);
  return e != nullptr ? e->name : "if#" + std::to_string(id);
}

std::string ReasonName(uint8_t reason) {
  const char* n = DropReasonName(reason);
  return n != nullptr ? n : std::to_string(reason);
}

std::string DropReasons(const InterfaceStats& s) {
  std::string out;
  for (const auto& [reason, count] : s.drops_by_reason) {
    if (!out.empty()) out += ", ";
    const char* name = DropReasonName(reason);
    out += (name != nullptr ? std::string(name) : "reason " + std::to_string(reason)) + " x" +
           std::to_string(count);
  }
  return out.empty() ? "-" : out;
}

std::string Latency(const LatencySummary& l, uint64_t LatencySummary::*field) {
  return l.count == 0 ? "-" : FormatDuration(l.*field);
}

std::string DecoderLine(const DecoderStats& d, const TraceStatistics& s) {
  std::string out =
      "  records " + std::to_string(d.records) + ", lost (gap) " + std::to_string(d.gap) +
      ", corrupt " + std::to_string(d.corrupt) + ", oversize " + std::to_string(d.oversize) +
      ", device dropped " + std::to_string(d.device_dropped) + ", malformed " +
      std::to_string(d.malformed) + ", unknown type " + std::to_string(d.unknown_type) +
      ", other version " + std::to_string(d.other_version) + ", seq resets " +
      std::to_string(d.seq_reset) + ", disconnects " + std::to_string(s.disconnects()) + "\n";
  std::string unknown;
  for (size_t t = 0; t < d.unknown_by_type.size(); ++t) {
    if (d.unknown_by_type[t] == 0) continue;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s0x%02zx x%llu", unknown.empty() ? "" : ", ", t,
                  static_cast<unsigned long long>(d.unknown_by_type[t]));
    unknown += buf;
  }
  if (!unknown.empty()) out += "  unknown record types: " + unknown + "\n";
  if (s.console().bytes() > 0) {
    out += "  console " + std::to_string(s.console().bytes()) + " bytes, " +
           std::to_string(s.console().lines()) + " lines\n";
  }
  return out;
}

bool HasTraffic(const ServiceStats& s) {
  return s.messages + s.received + s.rpc_calls + s.rpc_returns > 0;
}

std::vector<std::string> ServiceRow(const std::string& label, const ServiceStats& s) {
  const LatencySummary l = s.rpc_latency_ns.Summarize();
  return {label,
          std::to_string(s.messages),
          std::to_string(s.bytes),
          std::to_string(s.copy_messages),
          std::to_string(s.copy_bytes),
          std::to_string(s.shared_messages),
          std::to_string(s.shared_bytes),
          std::to_string(s.received),
          std::to_string(s.rpc_calls),
          std::to_string(s.rpc_errors),
          Latency(l, &LatencySummary::min),
          Latency(l, &LatencySummary::p50),
          Latency(l, &LatencySummary::p99),
          Latency(l, &LatencySummary::max)};
}

Json LatencyJson(const LatencySummary& l) {
  Json j;
  j["count"] = l.count;
  j["min"] = l.min;
  j["p50"] = l.p50;
  j["p99"] = l.p99;
  j["max"] = l.max;
  return j;
}

Json ServiceJson(uint16_t id, const ServiceStats& s, const TraceContext& context) {
  Json j;
  j["service_id"] = id;
  j["name"] = std::string(context.ServiceName(id));
  j["messages"] = s.messages;
  j["bytes"] = s.bytes;
  j["copy_messages"] = s.copy_messages;
  j["copy_bytes"] = s.copy_bytes;
  j["shared_messages"] = s.shared_messages;
  j["shared_bytes"] = s.shared_bytes;
  j["received"] = s.received;
  j["rpc_calls"] = s.rpc_calls;
  j["rpc_returns"] = s.rpc_returns;
  j["rpc_errors"] = s.rpc_errors;
  j["rpc_latency_ns"] = LatencyJson(s.rpc_latency_ns.Summarize());
  return j;
}

Json InterfaceJson(uint8_t id, const InterfaceStats& s, const TraceContext& context) {
  Json j;
  j["iface_id"] = id;
  const InterfaceEntry* e = context.Interface(id);
  j["name"] = e != nullptr ? e->name : std::string();
  j["tx_frames"] = s.tx_frames;
  j["tx_bytes"] = s.tx_bytes;
  j["rx_frames"] = s.rx_frames;
  j["rx_bytes"] = s.rx_bytes;
  j["drops"] = s.drops;
  j["drop_bytes"] = s.drop_bytes;
  Json reasons = Json::object();
  for (const auto& [reason, count] : s.drops_by_reason) reasons[ReasonName(reason)] = count;
  j["drops_by_reason"] = reasons;
  return j;
}

}  // namespace

void TraceStatistics::Add(const Record& record, const RecordInfo& info) {
  const auto t = static_cast<uint8_t>(record.header.type);
  if (t >= 0x24 && t <= 0x27) AddIpc(record, info);
  if (t >= 0x42 && t <= 0x44) AddNet(record);
}

ServiceStats& TraceStatistics::Service(uint16_t service_id) {
  auto it = services_.find(service_id);
  if (it != services_.end()) return it->second;
  if (services_.size() >= kMaxServices) return other_services_;
  return services_[service_id];
}

void TraceStatistics::AddIpc(const Record& record, const RecordInfo& info) {
  if (const auto* m = std::get_if<IpcMessage>(&record.body)) {
    ServiceStats& s = Service(m->service_id);
    if (record.header.type == RecordType::kIpcRecv) {
      ++s.received;
      return;
    }
    ++s.messages;
    s.bytes += m->len;
    const bool shared = m->mode == 1;
    ++(shared ? s.shared_messages : s.copy_messages);
    (shared ? s.shared_bytes : s.copy_bytes) += m->len;
  } else if (const auto* c = std::get_if<RpcCall>(&record.body)) {
    ++Service(c->service_id).rpc_calls;
  } else if (const auto* r = std::get_if<RpcReturn>(&record.body)) {
    ServiceStats& s = Service(r->service_id);
    ++s.rpc_returns;
    if (r->status < 0) ++s.rpc_errors;
    if (info.rpc_latency_ns) s.rpc_latency_ns.Add(*info.rpc_latency_ns);
  }
}

void TraceStatistics::AddNet(const Record& record) {
  if (const auto* f = std::get_if<NetFrame>(&record.body)) {
    InterfaceStats& s = interfaces_[f->iface_id];
    const bool tx = record.header.type == RecordType::kNetTx;
    ++(tx ? s.tx_frames : s.rx_frames);
    (tx ? s.tx_bytes : s.rx_bytes) += f->orig_len;
  } else if (const auto* d = std::get_if<NetDrop>(&record.body)) {
    InterfaceStats& s = interfaces_[d->iface_id];
    ++s.drops;
    s.drop_bytes += d->orig_len;
    ++s.drops_by_reason[d->reason];
  }
}

std::string TraceStatistics::RenderText(const DecoderStats& decoder,
                                        const TraceContext& context) const {
  std::string out = "trace statistics: " + std::to_string(decoder.bytes) + " bytes read\n";
  out += DecoderLine(decoder, *this);
  if (!services_.empty()) {
    Rows rows = {{"SERVICE", "MSGS", "BYTES", "COPY", "COPY B", "SHARED", "SHARED B", "RECV", "RPC",
                  "ERR", "RPC MIN", "RPC P50", "RPC P99", "RPC MAX"}};
    for (const auto& [id, s] : services_) rows.push_back(ServiceRow(ServiceLabel(id, context), s));
    if (HasTraffic(other_services_))
      rows.push_back(ServiceRow("(other services)", other_services_));
    out += RenderRows(rows, "  ");
  }
  if (!interfaces_.empty()) {
    Rows rows = {{"INTERFACE", "TX", "TX BYTES", "RX", "RX BYTES", "DROPS", "DROP REASONS"}};
    for (const auto& [id, s] : interfaces_) {
      rows.push_back({InterfaceLabel(id, context), std::to_string(s.tx_frames),
                      std::to_string(s.tx_bytes), std::to_string(s.rx_frames),
                      std::to_string(s.rx_bytes), std::to_string(s.drops), DropReasons(s)});
    }
    out += RenderRows(rows, "  ", true);
  }
  return out;
}

Json TraceStatistics::RenderJson(const DecoderStats& decoder, const TraceContext& context) const {
  Json j;
  j["type"] = "stats";
  j["bytes"] = decoder.bytes;
  j["decoder"] = DecoderCountersJson(decoder);
  Json unknown = Json::object();
  for (size_t t = 0; t < decoder.unknown_by_type.size(); ++t) {
    if (decoder.unknown_by_type[t] != 0) unknown[std::to_string(t)] = decoder.unknown_by_type[t];
  }
  j["unknown_by_type"] = unknown;
  j["console"] = Json{{"bytes", console_.bytes()}, {"lines", console_.lines()}};
  j["link"] = Json{{"disconnects", disconnects_}, {"reconnects", reconnects_}};
  j["services"] = Json::array();
  for (const auto& [id, s] : services_) j["services"].push_back(ServiceJson(id, s, context));
  if (HasTraffic(other_services_)) {
    j["other_services"] = ServiceJson(0xFFFF, other_services_, context);
    j["other_services"].erase("service_id");
    j["other_services"].erase("name");
  }
  j["interfaces"] = Json::array();
  for (const auto& [id, s] : interfaces_) j["interfaces"].push_back(InterfaceJson(id, s, context));
  return j;
}

Json DecoderCountersJson(const DecoderStats& stats) {
  Json j;
  j["records"] = stats.records;
  Json by_type = Json::object();
  for (size_t i = 0; i < kRecordTypeCount; ++i) {
    by_type[RecordTypeName(static_cast<uint8_t>(kAllRecordTypes[i]))] = stats.by_type[i];
  }
  j["by_type"] = by_type;
  j["gap"] = stats.gap;
  j["corrupt"] = stats.corrupt;
  j["oversize"] = stats.oversize;
  j["malformed"] = stats.malformed;
  j["unknown_type"] = stats.unknown_type;
  j["other_version"] = stats.other_version;
  j["device_dropped"] = stats.device_dropped;
  j["seq_reset"] = stats.seq_reset;
  if (stats.version >= kProtocolVersion) {
    j["console_bytes"] = stats.console_bytes;
    j["console_lines"] = stats.console_lines;
  }
  return j;
}

}  // namespace tockctl::tracer
