#include "tracer/trace_record.h"

#include <array>

namespace tockctl::tracer {

const RecordType kAllRecordTypes[kRecordTypeCount] = {
    RecordType::kHello,         RecordType::kLog,         RecordType::kOverflow,
    RecordType::kProcStart,     RecordType::kProcFault,   RecordType::kProcRestart,
    RecordType::kIpcRegister,   RecordType::kIpcDiscover, RecordType::kIpcConnect,
    RecordType::kIpcDisconnect, RecordType::kIpcSend,     RecordType::kIpcRecv,
    RecordType::kRpcCall,       RecordType::kRpcReturn,   RecordType::kMemGrant,
    RecordType::kMemRevoke,     RecordType::kUpcall,      RecordType::kNetUp,
    RecordType::kNetDown,       RecordType::kNetTx,       RecordType::kNetRx,
    RecordType::kNetDrop,       RecordType::kNetDeliver,
};

namespace {

constexpr const char* kTypeNames[kRecordTypeCount] = {
    "hello",        "log",          "overflow",    "proc_start",     "proc_fault",  "proc_restart",
    "ipc_register", "ipc_discover", "ipc_connect", "ipc_disconnect", "ipc_send",    "ipc_recv",
    "rpc_call",     "rpc_return",   "mem_grant",   "mem_revoke",     "upcall",      "net_up",
    "net_down",     "net_tx",       "net_rx",      "net_drop",       "net_deliver",
};

constexpr std::array<int16_t, 256> MakeIndex() {
  std::array<int16_t, 256> index{};
  for (auto& i : index) i = -1;
  constexpr uint8_t kTypes[kRecordTypeCount] = {0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x20, 0x21,
                                                0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
                                                0x2A, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45};
  for (size_t i = 0; i < kRecordTypeCount; ++i) index[kTypes[i]] = static_cast<int16_t>(i);
  return index;
}

constexpr std::array<int16_t, 256> kTypeIndex = MakeIndex();

template <size_t N>
const char* Lookup(const char* const (&names)[N], uint8_t value) {
  return value < N ? names[value] : nullptr;
}

}  // namespace

int RecordTypeIndex(uint8_t type) { return kTypeIndex[type]; }

const char* RecordTypeName(uint8_t type) {
  int i = kTypeIndex[type];
  return i < 0 ? nullptr : kTypeNames[i];
}

const char* InterfaceKindName(uint8_t kind) {
  static const char* const kNames[] = {nullptr, "ethernet", "ieee802154", "wifi", "can", "ble"};
  return Lookup(kNames, kind);
}
const char* LogLevelName(uint8_t level) {
  static const char* const kNames[] = {"error", "warn", "info", "debug"};
  return Lookup(kNames, level);
}
const char* FaultReasonName(uint8_t reason) {
  static const char* const kNames[] = {"mpu_violation", "panic", "bad_syscall", "stack_overflow",
                                       "other"};
  return Lookup(kNames, reason);
}
const char* FaultActionName(uint8_t action) {
  static const char* const kNames[] = {"restart", "stop", "panic_kernel"};
  return Lookup(kNames, action);
}
const char* DiscoverResultName(uint8_t result) {
  static const char* const kNames[] = {"ok", "not_found", "denied"};
  return Lookup(kNames, result);
}
const char* DisconnectReasonName(uint8_t reason) {
  static const char* const kNames[] = {"closed", "client_fault", "server_fault", "server_restart"};
  return Lookup(kNames, reason);
}
const char* MessageModeName(uint8_t mode) {
  static const char* const kNames[] = {"copy", "shared"};
  return Lookup(kNames, mode);
}
const char* NetDownReasonName(uint8_t reason) {
  static const char* const kNames[] = {"admin", "link_lost", "error"};
  return Lookup(kNames, reason);
}
const char* DirectionName(uint8_t direction) {
  static const char* const kNames[] = {"rx", "tx"};
  return Lookup(kNames, direction);
}
const char* DropReasonName(uint8_t reason) {
  static const char* const kNames[] = {"queue_full", "no_receiver",  "filtered",      "bad_fcs",
                                       "too_big",    "rate_limited", "interface_down"};
  return Lookup(kNames, reason);
}

}  // namespace tockctl::tracer
