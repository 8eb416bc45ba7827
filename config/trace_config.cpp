#include "config/trace_config.h"

#include <algorithm>
#include <array>

namespace tockctl::config {
namespace {

constexpr std::array<const char*, 5> kEventNames{"processes", "ipc", "network", "syscalls", "log"};
constexpr std::array<const char*, 3> kLinkNames{"console", "uart", "usb"};

// Share of the board's RAM the trace buffer and transmit buffer may take at most.
constexpr uint64_t kRamShareDivisor = 8;

void ReadEvents(ObjectReader& r, TraceConfig& t) {
  auto names = r.StringList("events", NameList(kEventNames));
  if (!names) return;
  t.events.clear();
  for (const auto& name : *names)
    if (auto e = EnumFromName<TraceEvent>(kEventNames, name)) t.events.push_back(*e);
}

void CheckDevice(ObjectReader& r, TraceConfig& t) {
  if (t.link == TraceLinkKind::kUart && t.device.empty())
    r.report().Error(r.PointerOf("link"), "link \"uart\" needs \"device\", the UART to trace on",
                     "\"device\": the UART's name in the board, e.g. \"uart1\"");
  if (t.link != TraceLinkKind::kUart && !t.device.empty())
    r.report().Error(
        r.PointerOf("device"),
        std::string("\"device\" is only for link \"uart\"; link is \"") + Name(t.link) + "\"",
        "remove \"device\", or set \"link\": \"uart\"");
}

bool BoardHasUsb(const HardwareBoard& board) {
  auto kind_is_usb = [](const OrderedJson& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key] == "usb";
  };
  return kind_is_usb(board.console, "kind") || kind_is_usb(board.trace, "link");
}

}  // namespace

bool TraceConfig::Has(TraceEvent event) const {
  return std::find(events.begin(), events.end(), event) != events.end();
}

uint32_t TraceTransmitBytes(const TraceConfig& trace) {
  return trace.Has(TraceEvent::kNetwork) ? 1600 : 256;
}

const char* Name(TraceEvent v) { return kEventNames[static_cast<size_t>(v)]; }
const char* Name(TraceLinkKind v) { return kLinkNames[static_cast<size_t>(v)]; }

std::vector<TraceEvent> AllTraceEvents() {
  return {TraceEvent::kProcesses, TraceEvent::kIpc, TraceEvent::kNetwork, TraceEvent::kSyscalls,
          TraceEvent::kLog};
}

TraceConfig ReadTraceConfig(const OrderedJson& json, const std::string& pointer,
                            ValidationReport& report) {
  TraceConfig t;
  t.events = AllTraceEvents();
  ObjectReader r(json, pointer, report);
  if (auto v = r.Bool("enabled")) t.enabled = *v;
  ReadEvents(r, t);
  ReadEnum(r, "link", kLinkNames, t.link);
  t.device = r.Name("device", "the UART's name in the board, e.g. \"uart1\"").value_or("");
  CheckDevice(r, t);
  if (auto v = r.Unsigned("buffer_bytes", kMinTraceBuffer, kMaxTraceBuffer))
    t.buffer_bytes = static_cast<uint32_t>(*v);
  if (auto v = r.Unsigned("process_slots", 1, 64)) t.process_slots = static_cast<uint32_t>(*v);
  if (auto v = r.String("kernel_version")) t.kernel_version = *v;
  r.WarnUnknownKeys();
  return t;
}

void CheckTraceRules(const TraceConfig& trace, const std::string& pointer,
                     const HardwareBoard* board, ValidationReport& report) {
  if (board == nullptr || !trace.enabled) return;
  if (trace.link == TraceLinkKind::kUsb && !BoardHasUsb(*board))
    report.Error(pointer + "/link", "board " + board->name + " has no USB CDC link",
                 "\"console\" (the console's UART) or \"uart\" with \"device\"");
  uint64_t used = uint64_t{trace.buffer_bytes} + TraceTransmitBytes(trace);
  uint64_t limit = board->memory.ram.length / kRamShareDivisor;
  if (board->memory.ram.length > 0 && used > limit)
    report.Error(pointer + "/buffer_bytes",
                 "the tracer would take " + std::to_string(used) + " bytes (buffer " +
                     std::to_string(trace.buffer_bytes) + " + transmit " +
                     std::to_string(TraceTransmitBytes(trace)) + "), more than 1/8 of the " +
                     std::to_string(board->memory.ram.length) + " bytes of RAM of board " +
                     board->name,
                 "at most " + std::to_string(limit - TraceTransmitBytes(trace)));
}

void to_json(OrderedJson& json, const TraceConfig& t) {
  OrderedJson events = OrderedJson::array();
  for (auto e : t.events) events.push_back(Name(e));
  json = OrderedJson{{"enabled", t.enabled}, {"events", events}, {"link", Name(t.link)}};
  if (!t.device.empty()) json["device"] = t.device;
  json["buffer_bytes"] = t.buffer_bytes;
  json["process_slots"] = t.process_slots;
  json["kernel_version"] = t.kernel_version;
}

}  // namespace tockctl::config
