// The one table of trace record types (docs/trace-protocol.md section 5). Everything the C++ side
// knows per type comes from this list: the RecordType enum, kRecordTypeCount, the JSON and
// filter names, the parser's dispatch and the body each type carries. Adding a record type is
// one row here, then whatever the compiler asks for (docs/development.md, "Add a trace record
// type"): a body type that RecordBody does not hold, a body without a ReadBody overload in
// record_parser.cpp, or a visitor without a case, each stops the build.
#pragma once

/// X(Enumerator, type byte, JSON name, body struct) for every record type, in specification order.
#define TOCKCTL_TRACE_RECORD_TYPES(X)                      \
  X(kHello, 0x01, "hello", Hello)                          \
  X(kLog, 0x02, "log", Log)                                \
  X(kOverflow, 0x03, "overflow", Overflow)                 \
  X(kProcStart, 0x10, "proc_start", ProcStart)             \
  X(kProcFault, 0x11, "proc_fault", ProcFault)             \
  X(kProcRestart, 0x12, "proc_restart", ProcRestart)       \
  X(kIpcRegister, 0x20, "ipc_register", IpcRegister)       \
  X(kIpcDiscover, 0x21, "ipc_discover", IpcDiscover)       \
  X(kIpcConnect, 0x22, "ipc_connect", IpcConnect)          \
  X(kIpcDisconnect, 0x23, "ipc_disconnect", IpcDisconnect) \
  X(kIpcSend, 0x24, "ipc_send", IpcMessage)                \
  X(kIpcRecv, 0x25, "ipc_recv", IpcMessage)                \
  X(kRpcCall, 0x26, "rpc_call", RpcCall)                   \
  X(kRpcReturn, 0x27, "rpc_return", RpcReturn)             \
  X(kMemGrant, 0x28, "mem_grant", MemRegion)               \
  X(kMemRevoke, 0x29, "mem_revoke", MemRegion)             \
  X(kUpcall, 0x2A, "upcall", Upcall)                       \
  X(kNetUp, 0x40, "net_up", NetUp)                         \
  X(kNetDown, 0x41, "net_down", NetDown)                   \
  X(kNetTx, 0x42, "net_tx", NetFrame)                      \
  X(kNetRx, 0x43, "net_rx", NetFrame)                      \
  X(kNetDrop, 0x44, "net_drop", NetDrop)                   \
  X(kNetDeliver, 0x45, "net_deliver", NetDeliver)
