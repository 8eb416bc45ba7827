// What a trace has told us so far: interface table and tick rate (HELLO), process names
// (PROC_START), service names (IPC_REGISTER), open RPC calls, and how device ticks map to host
// time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// A HELLO interface entry that outlives the record it came from.
struct InterfaceEntry {
  uint8_t iface_id = 0;
  uint8_t kind = 0;
  uint16_t linktype = 0;
  uint16_t mtu = 0;
  uint8_t addr_len = 0;
  std::array<uint8_t, 8> addr{};
  std::string name;

  bool operator==(const InterfaceEntry&) const = default;
  /// "02:00:00:00:00:01", "" when the interface has no address.
  std::string AddressText() const;
};

/// Times of one record.
struct RecordTime {
  std::optional<uint64_t> device_ns;  ///< ticks converted with HELLO's tick_hz; unset before HELLO.
  int64_t host_ns = 0;  ///< Host wall-clock time (ns since the Unix epoch) the record maps to.
};

/// Facts derived for one record beyond its own fields.
struct RecordInfo {
  RecordTime time;
  std::optional<uint64_t> rpc_latency_ticks;  ///< RPC_RETURN: ticks since the matching RPC_CALL.
  std::optional<uint64_t> rpc_latency_ns;     ///< The same in ns, once the tick rate is known.
};

/// Tracks names, interfaces, tick rate and open RPC calls across records. Bounded memory: at most
/// 65536 process and service names and kMaxOpenCalls open RPC calls.
class TraceContext {
 public:
  static constexpr size_t kMaxOpenCalls = 4096;

  /// Updates the context from `record` (received at host time `host_now_ns`) and returns its info.
  RecordInfo Observe(const Record& record, bool seq_reset, int64_t host_now_ns);

  /// Process name from PROC_START, "kernel" for 0xFFFF, "" if unknown.
  std::string_view ProcessName(uint16_t pid) const;
  /// Service name from IPC_REGISTER, "" if unknown.
  std::string_view ServiceName(uint16_t service_id) const;
  /// Interface from the latest HELLO, nullptr if unknown.
  const InterfaceEntry* Interface(uint8_t iface_id) const;
  /// The latest HELLO's interface table.
  const std::vector<InterfaceEntry>& interfaces() const { return interfaces_; }
  /// Incremented whenever a HELLO changes the interface table.
  uint64_t interface_generation() const { return interface_generation_; }
  /// Tick rate from the latest HELLO (0 = unknown).
  uint32_t tick_hz() const { return tick_hz_; }
  /// Board and kernel version from the latest HELLO.
  const std::string& board() const { return board_; }
  const std::string& kernel_version() const { return kernel_version_; }
  /// RPC_RETURNs with no matching RPC_CALL so far.
  uint64_t unmatched_returns() const { return unmatched_returns_; }

  /// ticks in nanoseconds at the current tick rate; nullopt while it is unknown.
  std::optional<uint64_t> TicksToNs(uint64_t ticks) const;

 private:
  void ObserveHello(const Hello& hello, uint64_t ticks, int64_t host_now_ns, bool seq_reset);
  std::optional<uint64_t> ObserveRpc(const Record& record);  ///< Latency in ticks.
  RecordTime MapTime(uint64_t ticks, int64_t host_now_ns) const;

  std::vector<InterfaceEntry> interfaces_;
  uint64_t interface_generation_ = 0;
  uint32_t tick_hz_ = 0;
  std::string board_;
  std::string kernel_version_;
  std::unordered_map<uint16_t, std::string> processes_;
  std::unordered_map<uint16_t, std::string> services_;
  std::unordered_map<uint64_t, uint64_t> open_calls_;  ///< key -> ticks of the RPC_CALL.
  uint64_t unmatched_returns_ = 0;
  bool anchored_ = false;
  int64_t anchor_host_ns_ = 0;
  uint64_t anchor_device_ns_ = 0;
};

}  // namespace tockctl::tracer
