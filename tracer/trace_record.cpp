#include "tracer/trace_record.h"

#include <array>

namespace tockctl::tracer {

namespace {

constexpr const char* kTypeNames[kRecordTypeCount] = {
#define TOCKCTL_RECORD_NAME(name, value, json, body) json,
    TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_NAME)
#undef TOCKCTL_RECORD_NAME
};

constexpr std::array<int16_t, 256> MakeIndex() {
  std::array<int16_t, 256> index{};
  for (auto& i : index) i = -1;
  for (size_t i = 0; i < kRecordTypeCount; ++i) {
    index[static_cast<uint8_t>(kAllRecordTypes[i])] = static_cast<int16_t>(i);
  }
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
