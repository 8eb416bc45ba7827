// The "trace" section of a board JSON file: whether the kernel carries tockctl's tracer, which
// kinds of records it writes, over which link, and how much RAM its buffer takes
// (docs/board-config.md, "trace").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/board.h"
#include "config/object_reader.h"

namespace tockctl::config {

/// A kind of record the Tock tracer can write (the tracer's EventSet).
enum class TraceEvent { kProcesses, kIpc, kNetwork, kSyscalls, kLog };
/// Where the trace frames go: the console's MuxUart, a UART of its own, or USB CDC.
enum class TraceLinkKind { kConsole, kUart, kUsb };

/// The whole "trace" object.
struct TraceConfig {
  bool enabled = true;
  std::vector<TraceEvent> events;  ///< In the file's order; every kind when absent.
  TraceLinkKind link = TraceLinkKind::kConsole;
  std::string device;            ///< link "uart": the UART's name in the board (e.g. "uart1").
  uint32_t buffer_bytes = 4096;  ///< The tracer's ring.
  uint32_t process_slots = 8;    ///< Processes whose names the tracer keeps.
  std::string kernel_version = "tock";  ///< Text of the HELLO record.
  /// True if `event` is selected.
  bool Has(TraceEvent event) const;
};

/// Smallest and largest trace buffer, bytes.
inline constexpr uint32_t kMinTraceBuffer = 256;
inline constexpr uint32_t kMaxTraceBuffer = 65536;

/// Bytes of one UART transmit: room for an Ethernet frame when network events are traced.
uint32_t TraceTransmitBytes(const TraceConfig& trace);

/// The JSON spelling of each value ("processes", "console", ...); never fails.
const char* Name(TraceEvent v);
const char* Name(TraceLinkKind v);

/// Every event kind, in the order the docs list them.
std::vector<TraceEvent> AllTraceEvents();

/// Reads the "trace" object at `pointer`, adding a finding for every structural problem.
TraceConfig ReadTraceConfig(const OrderedJson& json, const std::string& pointer,
                            ValidationReport& report);

/// The rules tying "trace" to the board: a USB link needs a board with USB, the buffer must
/// leave most of the RAM to the kernel and apps.
void CheckTraceRules(const TraceConfig& trace, const std::string& pointer,
                     const HardwareBoard* board, ValidationReport& report);

/// Writes every field explicitly.
void to_json(OrderedJson& json, const TraceConfig& config);

}  // namespace tockctl::config
