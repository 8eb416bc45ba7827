#include "tracer/record_filter.h"

#include <initializer_list>

namespace tockctl::tracer {
namespace {

// True if `fn` holds for any pid field of `record`.
template <typename Fn>
bool AnyPid(const Record& record, Fn&& fn) {
  auto any = [&](std::initializer_list<uint16_t> pids) {
    for (uint16_t p : pids) {
      if (fn(p)) return true;
    }
    return false;
  };
  return std::visit(
      [&](const auto& b) -> bool {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ProcStart> || std::is_same_v<T, ProcFault> ||
                      std::is_same_v<T, ProcRestart> || std::is_same_v<T, Upcall> ||
                      std::is_same_v<T, NetFrame> || std::is_same_v<T, NetDrop>) {
          return any({b.pid});
        } else if constexpr (std::is_same_v<T, IpcRegister>) {
          return any({b.server_pid});
        } else if constexpr (std::is_same_v<T, IpcDiscover> || std::is_same_v<T, IpcConnect> ||
                             std::is_same_v<T, IpcDisconnect>) {
          return any({b.client_pid});
        } else if constexpr (std::is_same_v<T, IpcMessage>) {
          return any({b.src_pid, b.dst_pid});
        } else if constexpr (std::is_same_v<T, RpcCall> || std::is_same_v<T, RpcReturn>) {
          return any({b.client_pid, b.server_pid});
        } else if constexpr (std::is_same_v<T, MemRegion>) {
          return any({b.owner_pid, b.grantee_pid});
        } else if constexpr (std::is_same_v<T, NetDeliver>) {
          for (uint16_t p : b.pids) {
            if (fn(p)) return true;
          }
          return false;
        } else {
          static_assert(std::is_same_v<T, Hello> || std::is_same_v<T, Log> ||
                            std::is_same_v<T, Overflow> || std::is_same_v<T, NetUp> ||
                            std::is_same_v<T, NetDown>,
                        "a new record body: say which of its fields are pids");
          return false;
        }
      },
      record.body);
}

std::optional<uint16_t> ServiceId(const Record& record) {
  return std::visit(
      [](const auto& b) -> std::optional<uint16_t> {
        if constexpr (requires { b.service_id; }) {
          return b.service_id;
        } else {
          return std::nullopt;
        }
      },
      record.body);
}

std::optional<uint8_t> InterfaceId(const Record& record) {
  return std::visit(
      [](const auto& b) -> std::optional<uint8_t> {
        if constexpr (requires { b.iface_id; }) {
          return b.iface_id;
        } else {
          return std::nullopt;
        }
      },
      record.body);
}

}  // namespace

bool IsIpcRecord(RecordType type) {
  const auto t = static_cast<uint8_t>(type);
  return t >= 0x20 && t <= 0x2A;
}

bool IsNetRecord(RecordType type) {
  const auto t = static_cast<uint8_t>(type);
  return t >= 0x40 && t <= 0x45;
}

bool RecordFilter::PassesEverything() const {
  return !options_.ipc && !options_.net && !options_.process && !options_.service &&
         !options_.iface && !options_.console_only;
}

bool RecordFilter::Matches(const Record& record, const TraceContext& context) const {
  return !options_.console_only && MatchesCategory(record.header.type) &&
         MatchesProcess(record, context) && MatchesService(record, context) &&
         MatchesInterface(record, context);
}

bool RecordFilter::MatchesCategory(RecordType type) const {
  if (!options_.ipc && !options_.net) return true;
  return (options_.ipc && IsIpcRecord(type)) || (options_.net && IsNetRecord(type));
}

bool RecordFilter::MatchesProcess(const Record& record, const TraceContext& context) const {
  if (!options_.process) return true;
  return AnyPid(record,
                [&](uint16_t pid) { return context.ProcessName(pid) == *options_.process; });
}

bool RecordFilter::MatchesService(const Record& record, const TraceContext& context) const {
  if (!options_.service) return true;
  if (const auto* d = std::get_if<IpcDiscover>(&record.body)) {
    if (d->service_name == *options_.service) return true;
  }
  const auto id = ServiceId(record);
  return id && context.ServiceName(*id) == *options_.service;
}

bool RecordFilter::MatchesInterface(const Record& record, const TraceContext& context) const {
  if (!options_.iface) return true;
  const auto id = InterfaceId(record);
  if (!id) return false;
  const InterfaceEntry* entry = context.Interface(*id);
  return entry != nullptr && entry->name == *options_.iface;
}

}  // namespace tockctl::tracer
