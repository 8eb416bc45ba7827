#include "config/config_summary.h"

#include <algorithm>

#include "common/hex.h"
#include "common/text_table.h"
#include "config/hardware_address.h"
#include "config/ipc_rules.h"

namespace tockctl::config {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string Count(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string Apps(const AppSelection& s) { return s.all ? "*" : JoinWords(s.apps, ","); }

std::string BoardPart(const HardwareBoard& b) {
  const Protection& p = b.protection;
  Rows rows{{"board", b.name + ": " + b.description},
            {"chip", b.chip + ", " + b.core + ", " + b.target},
            {"protection", std::string(ProtectionKindName(p.kind)) + ": " +
                               std::to_string(p.app_regions) + " regions per process, " +
                               std::to_string(FreeProcessRegions(p)) + " free for IPC"},
            {"ram", HexNumber(b.memory.ram.origin) + " + " + HexNumber(b.memory.ram.length)}};
  return RenderTextTable(rows);
}

std::string IpcPart(const IpcConfig& ipc, const HardwareBoard* board) {
  std::vector<std::string> interfaces;
  for (auto i : ipc.interfaces) interfaces.emplace_back(Name(i));
  std::string backend = Name(ipc.backend);
  if (board != nullptr && ipc.backend == IpcBackend::kAuto)
    backend += std::string(" (") + Name(EffectiveBackend(ipc.backend, board->protection)) +
               " on this board)";
  std::string out = "ipc: backend " + backend + "; interfaces " +
                    (interfaces.empty() ? "none" : JoinWords(interfaces)) + "; " +
                    Count(ipc.services.size(), "service") + ", " +
                    Count(ipc.clients.size(), "client") + "\n";
  if (ipc.services.empty()) return out;
  Rows rows{{"SERVICE", "SERVER", "INTERFACE", "CLIENTS", "BUFFERS", "MAX MESSAGE", "MAX CLIENTS"}};
  for (const auto& s : ipc.services)
    rows.push_back({s.name, s.server, Name(s.interface), Apps(s.allowed_clients),
                    std::to_string(s.buffers_per_connection), std::to_string(s.max_message_size),
                    std::to_string(s.max_clients)});
  return out + RenderTextTable(rows, "  ");
}

std::string Address(const NetworkInterface& n) {
  if (n.mac) return FormatHardwareAddress(*n.mac);
  if (n.eui64) return FormatHardwareAddress(*n.eui64);
  return "-";
}

std::string NetworkPart(const NetworkConfig& net) {
  std::string out = "network: " + Count(net.interfaces.size(), "interface") + "\n";
  if (net.interfaces.empty()) return out;
  Rows rows{{"NAME", "KIND", "ADDRESS", "MTU", "STACK", "PLACEMENT", "MUX", "APPS"}};
  for (const auto& n : net.interfaces)
    rows.push_back({n.name, Name(n.kind), Address(n), std::to_string(n.mtu), Name(n.stack),
                    Name(n.placement), Name(n.multiplexing), Apps(n.apps)});
  return out + RenderTextTable(rows, "  ");
}

std::string TracePart(const TraceConfig& t) {
  if (!t.enabled) return "trace: off\n";
  std::vector<std::string> events;
  for (auto e : t.events) events.emplace_back(Name(e));
  std::string link = Name(t.link);
  if (!t.device.empty()) link += " " + t.device;
  return "trace: on; link " + link + "; events " + (events.empty() ? "none" : JoinWords(events)) +
         "; buffer " + std::to_string(t.buffer_bytes) + " + transmit " +
         std::to_string(TraceTransmitBytes(t)) + " bytes; " +
         Count(t.process_slots, "process slot") + "\n";
}

}  // namespace

std::string DescribeBoardConfig(const CheckedBoardConfig& config) {
  const HardwareBoard* board = config.board ? &*config.board : nullptr;
  std::string out = board ? BoardPart(*board) : "board: unreadable (run tockctl config validate)\n";
  out += config.ipc ? IpcPart(*config.ipc, board) : "ipc: absent\n";
  out += config.network ? NetworkPart(*config.network) : "network: absent\n";
  out += config.trace ? TracePart(*config.trace) : "trace: absent (off)\n";
  return out;
}

}  // namespace tockctl::config
