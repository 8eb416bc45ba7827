// Running statistics of a trace: per service, per interface, link events, plus the decoder's own
// counters, rendered as a text table or as JSON.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tracer/latency_recorder.h"
#include "tracer/trace_context.h"
#include "tracer/trace_decoder.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Traffic of one IPC service.
struct ServiceStats {
  uint64_t messages = 0;  ///< IPC_SEND records.
  uint64_t bytes = 0;     ///< Sum of IPC_SEND len.
  uint64_t copy_messages = 0;
  uint64_t copy_bytes = 0;
  uint64_t shared_messages = 0;
  uint64_t shared_bytes = 0;
  uint64_t received = 0;  ///< IPC_RECV records.
  uint64_t rpc_calls = 0;
  uint64_t rpc_returns = 0;
  uint64_t rpc_errors = 0;  ///< RPC_RETURN with a negative status.
  LatencyRecorder rpc_latency_ns;
};

/// Traffic of one network interface.
struct InterfaceStats {
  uint64_t tx_frames = 0;
  uint64_t tx_bytes = 0;  ///< Sum of orig_len.
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t drops = 0;
  uint64_t drop_bytes = 0;
  std::map<uint8_t, uint64_t> drops_by_reason;
};

/// Accumulates statistics from the records that pass the filters and from link events. Memory is
/// bounded: at most kMaxServices services get their own row; traffic of further services is
/// summed in other_services().
class TraceStatistics {
 public:
  static constexpr size_t kMaxServices = 1024;

  /// Counts one record.
  void Add(const Record& record, const RecordInfo& info);
  /// Counts a link going away / coming back.
  void AddDisconnect() { ++disconnects_; }
  void AddReconnect() { ++reconnects_; }
  /// Counts console text that reached the outputs.
  void AddConsole(std::span<const uint8_t> text) { console_.Add(text); }

  const std::map<uint16_t, ServiceStats>& services() const { return services_; }
  const std::map<uint8_t, InterfaceStats>& interfaces() const { return interfaces_; }
  const ServiceStats& other_services() const { return other_services_; }
  uint64_t disconnects() const { return disconnects_; }
  uint64_t reconnects() const { return reconnects_; }
  const ConsoleTally& console() const { return console_; }

  /// Human-readable report (several lines, each ending in '\n').
  std::string RenderText(const DecoderStats& decoder, const TraceContext& context) const;
  /// {"type":"stats","decoder":{...},"link":{...},"services":[...],"interfaces":[...]}.
  nlohmann::ordered_json RenderJson(const DecoderStats& decoder, const TraceContext& context) const;

 private:
  ServiceStats& Service(uint16_t service_id);
  void AddIpc(const Record& record, const RecordInfo& info);
  void AddNet(const Record& record);

  std::map<uint16_t, ServiceStats> services_;
  ServiceStats other_services_;
  std::map<uint8_t, InterfaceStats> interfaces_;
  uint64_t disconnects_ = 0;
  uint64_t reconnects_ = 0;
  ConsoleTally console_;
};

/// The counters of spec section 4.2 in the exact key order of the golden `*.expect.json` files.
nlohmann::ordered_json DecoderCountersJson(const DecoderStats& stats);

}  // namespace tockctl::tracer
