// Typed records of the trace protocol v1 (docs/trace-protocol.md section 5). Records point into the
// decoder's frame buffer: they are valid only during the callback that receives them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>

#include "tracer/record_types.h"

namespace tockctl::tracer {

/// Record type byte of the frame header (rows of tracer/record_types.h).
enum class RecordType : uint8_t {
// NOLINTNEXTLINE(bugprone-macro-parentheses): an enumerator name cannot be parenthesised.
#define TOCKCTL_RECORD_ENUMERATOR(name, value, json, body) name = value,
  TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_ENUMERATOR)
#undef TOCKCTL_RECORD_ENUMERATOR
};

/// Version byte of protocol v1 frames (console text cannot share the link).
inline constexpr uint8_t kProtocolVersion1 = 1;
/// Version byte of protocol v2 frames (console text and frames share the link).
inline constexpr uint8_t kProtocolVersion = 2;
/// The two bytes a v2 frame's payload starts with, before the header (spec section 2.4). Neither
/// byte ever occurs in UTF-8 text.
inline constexpr uint8_t kFrameMarker[2] = {0xC0, 0xC1};
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kCrcSize = 4;
inline constexpr size_t kMaxPayload = 2048;
inline constexpr size_t kMinPayload = kHeaderSize + kCrcSize;
/// Largest run of encoded bytes a v1 frame may take before its delimiter.
inline constexpr size_t kMaxEncodedFrame = kMaxPayload + 9 + 1;
/// Largest run of encoded bytes between a v2 frame's two delimiters (marker, payload, COBS).
inline constexpr size_t kMaxEncodedFrameV2 = sizeof(kFrameMarker) + kMaxPayload + 9;
inline constexpr uint16_t kFlagTruncated = 0x0001;
inline constexpr uint16_t kKernelPid = 0xFFFF;
/// Every v1 record type in specification order.
inline constexpr RecordType kAllRecordTypes[] = {
#define TOCKCTL_RECORD_TYPE(name, value, json, body) RecordType::name,
    TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_TYPE)
#undef TOCKCTL_RECORD_TYPE
};
/// Number of record types defined by protocol v1.
inline constexpr size_t kRecordTypeCount = std::size(kAllRecordTypes);

/// JSON name of a record type ("ipc_send"), or nullptr for a type v1 does not define.
const char* RecordTypeName(uint8_t type);
/// Position of `type` in kAllRecordTypes, or -1 for an undefined type.
int RecordTypeIndex(uint8_t type);

/// The 16-byte frame header.
struct RecordHeader {
  uint8_t version = kProtocolVersion;
  RecordType type = RecordType::kHello;
  uint16_t flags = 0;
  uint32_t seq = 0;
  uint64_t ticks = 0;

  bool truncated() const { return (flags & kFlagTruncated) != 0; }
};

/// One entry of HELLO's interface table.
struct InterfaceInfo {
  uint8_t iface_id = 0;
  uint8_t kind = 0;  ///< 1 ethernet, 2 ieee802154, 3 wifi, 4 can, 5 ble.
  uint16_t linktype = 0;
  uint16_t mtu = 0;
  uint8_t addr_len = 0;
  uint8_t addr[8] = {};
  std::string_view name;
};

struct Hello {
  uint32_t tick_hz = 0;
  uint16_t max_payload = 0;
  std::string_view board;
  std::string_view kernel_version;
  std::span<const InterfaceInfo> interfaces;
};
struct Log {
  uint8_t level = 0;
  std::string_view text;
};
struct Overflow {
  uint32_t dropped = 0;
  uint32_t total_dropped = 0;
};
struct ProcStart {
  uint16_t pid = 0;
  uint16_t restart_count = 0;
  std::string_view name;
};
struct ProcFault {
  uint16_t pid = 0;
  uint8_t reason = 0;
  uint8_t action = 0;
  uint32_t fault_addr = 0;
  uint32_t pc = 0;
};
struct ProcRestart {
  uint16_t pid = 0;
  uint16_t restart_count = 0;
};
struct IpcRegister {
  uint16_t server_pid = 0;
  uint16_t service_id = 0;
  std::string_view service_name;
};
struct IpcDiscover {
  uint16_t client_pid = 0;
  uint16_t service_id = 0;
  uint8_t result = 0;
  std::string_view service_name;
};
struct IpcConnect {
  uint16_t client_pid = 0;
  uint16_t service_id = 0;
  uint16_t conn_id = 0;
  uint8_t buffers = 0;
  uint8_t flags = 0;  ///< bit0 reliable, bit1 authenticated.
};
struct IpcDisconnect {
  uint16_t client_pid = 0;
  uint16_t service_id = 0;
  uint16_t conn_id = 0;
  uint8_t reason = 0;
};
/// IPC_SEND and IPC_RECV.
struct IpcMessage {
  uint16_t src_pid = 0;
  uint16_t dst_pid = 0;
  uint16_t service_id = 0;
  uint16_t conn_id = 0;
  uint32_t msg_id = 0;
  uint32_t len = 0;
  uint8_t mode = 0;  ///< 0 copy, 1 shared.
};
struct RpcCall {
  uint16_t client_pid = 0;
  uint16_t server_pid = 0;
  uint16_t service_id = 0;
  uint16_t method = 0;
  uint32_t call_id = 0;
  uint32_t arg_len = 0;
};
struct RpcReturn {
  uint16_t client_pid = 0;
  uint16_t server_pid = 0;
  uint16_t service_id = 0;
  uint16_t method = 0;
  uint32_t call_id = 0;
  uint32_t ret_len = 0;
  int32_t status = 0;
};
/// MEM_GRANT and MEM_REVOKE.
struct MemRegion {
  uint16_t owner_pid = 0;
  uint16_t grantee_pid = 0;
  uint32_t addr = 0;
  uint32_t len = 0;
  uint8_t access = 0;  ///< bit0 read, bit1 write.
};
struct Upcall {
  uint16_t pid = 0;
  uint32_t driver_num = 0;
  uint32_t subscribe_num = 0;
  uint32_t arg0 = 0;
  uint32_t arg1 = 0;
  uint32_t arg2 = 0;
};
struct NetUp {
  uint8_t iface_id = 0;
};
struct NetDown {
  uint8_t iface_id = 0;
  uint8_t reason = 0;
};
/// NET_TX and NET_RX.
struct NetFrame {
  uint8_t iface_id = 0;
  uint16_t pid = 0;
  uint32_t orig_len = 0;
  std::span<const uint8_t> data;
};
struct NetDrop {
  uint8_t iface_id = 0;
  uint8_t direction = 0;  ///< 0 rx, 1 tx.
  uint16_t pid = 0;
  uint8_t reason = 0;
  uint32_t orig_len = 0;
  std::span<const uint8_t> data;
};
struct NetDeliver {
  uint8_t iface_id = 0;
  uint32_t rx_seq = 0;
  std::span<const uint16_t> pids;
};

using RecordBody =
    std::variant<Hello, Log, Overflow, ProcStart, ProcFault, ProcRestart, IpcRegister, IpcDiscover,
                 IpcConnect, IpcDisconnect, IpcMessage, RpcCall, RpcReturn, MemRegion, Upcall,
                 NetUp, NetDown, NetFrame, NetDrop, NetDeliver>;

template <typename Body, typename Variant>
inline constexpr bool kVariantHolds = false;
template <typename Body, typename... Alternatives>
inline constexpr bool kVariantHolds<Body, std::variant<Alternatives...>> =
    (std::is_same_v<Body, Alternatives> || ...);

// Every row of the record table names a body that RecordBody holds.
#define TOCKCTL_RECORD_BODY_HELD(name, value, json, body) \
  static_assert(kVariantHolds<body, RecordBody>,          \
                #name "'s body " #body " is missing from RecordBody");
TOCKCTL_TRACE_RECORD_TYPES(TOCKCTL_RECORD_BODY_HELD)
#undef TOCKCTL_RECORD_BODY_HELD

/// One decoded record: header, typed body, and the raw header+body bytes (no CRC).
struct Record {
  RecordHeader header;
  RecordBody body;
  std::span<const uint8_t> raw;
};

/// Enum value names of section 6 of the spec; nullptr for a value the spec does not list.
const char* InterfaceKindName(uint8_t kind);
const char* LogLevelName(uint8_t level);
const char* FaultReasonName(uint8_t reason);
const char* FaultActionName(uint8_t action);
const char* DiscoverResultName(uint8_t result);
const char* DisconnectReasonName(uint8_t reason);
const char* MessageModeName(uint8_t mode);
const char* NetDownReasonName(uint8_t reason);
const char* DirectionName(uint8_t direction);
const char* DropReasonName(uint8_t reason);

}  // namespace tockctl::tracer
