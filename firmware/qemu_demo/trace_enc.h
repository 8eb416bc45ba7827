/* Encoder for the tockctl trace protocol v1 (docs/trace-protocol.md).
 *
 * Plain C99 with no hardware access and no libc calls, so the same file
 * builds for the demo firmware (rv32imac, freestanding) and for the host
 * tests. A record is built in a trace_rec (header, then body fields), then
 * trace_rec_frame() stamps the sequence number, appends the CRC-32C and
 * COBS-encodes it into a wire frame ending in the 0x00 delimiter.
 *
 * Field puts never write past the record: a put that does not fit sets
 * `overrun`, and trace_rec_frame() refuses such a record. */
#ifndef TOCKCTL_TRACE_ENC_H
#define TOCKCTL_TRACE_ENC_H

#include <stddef.h>
#include <stdint.h>

enum {
  TRACE_VERSION_MAJOR = 2,
  TRACE_MARKER_0 = 0xC0, /* every v2 frame's payload starts with C0 C1 */
  TRACE_MARKER_1 = 0xC1,
  TRACE_HEADER_LEN = 16,
  TRACE_CRC_LEN = 4,
  TRACE_MAX_PAYLOAD = 2048, /* header + body + CRC, before COBS */
  TRACE_MAX_BODY = TRACE_MAX_PAYLOAD - TRACE_HEADER_LEN - TRACE_CRC_LEN,
  /* Marker and payload; COBS adds one byte per 254 (and one at the start);
   * plus the two delimiters. */
  TRACE_MAX_FRAME = TRACE_MAX_PAYLOAD + 2 + (TRACE_MAX_PAYLOAD + 2) / 254 + 3,
  TRACE_MAX_STR = 64,
  TRACE_MAX_SERVICE_NAME = 20,
  TRACE_MAX_LOG_TEXT = 512,
};

enum trace_type {
  TRACE_HELLO = 0x01,
  TRACE_LOG = 0x02,
  TRACE_OVERFLOW = 0x03,
  TRACE_PROC_START = 0x10,
  TRACE_PROC_FAULT = 0x11,
  TRACE_PROC_RESTART = 0x12,
  TRACE_IPC_REGISTER = 0x20,
  TRACE_IPC_DISCOVER = 0x21,
  TRACE_IPC_CONNECT = 0x22,
  TRACE_IPC_DISCONNECT = 0x23,
  TRACE_IPC_SEND = 0x24,
  TRACE_IPC_RECV = 0x25,
  TRACE_RPC_CALL = 0x26,
  TRACE_RPC_RETURN = 0x27,
  TRACE_MEM_GRANT = 0x28,
  TRACE_MEM_REVOKE = 0x29,
  TRACE_UPCALL = 0x2A,
  TRACE_NET_UP = 0x40,
  TRACE_NET_DOWN = 0x41,
  TRACE_NET_TX = 0x42,
  TRACE_NET_RX = 0x43,
  TRACE_NET_DROP = 0x44,
  TRACE_NET_DELIVER = 0x45,
};

enum { TRACE_FLAG_TRUNCATED = 0x0001 };
enum { TRACE_PID_KERNEL = 0xFFFF, TRACE_SERVICE_NONE = 0xFFFF };

enum trace_log_level { TRACE_LOG_ERROR, TRACE_LOG_WARN, TRACE_LOG_INFO, TRACE_LOG_DEBUG };
enum trace_iface_kind {
  TRACE_KIND_ETHERNET = 1,
  TRACE_KIND_IEEE802154 = 2,
  TRACE_KIND_WIFI = 3,
  TRACE_KIND_CAN = 4,
  TRACE_KIND_BLE = 5,
};
enum trace_linktype {
  TRACE_LINKTYPE_ETHERNET = 1,
  TRACE_LINKTYPE_IEEE802_11 = 105,
  TRACE_LINKTYPE_CAN_SOCKETCAN = 227,
  TRACE_LINKTYPE_IEEE802_15_4_NOFCS = 230,
  TRACE_LINKTYPE_BLUETOOTH_LE_LL = 251,
};
enum trace_fault_reason {
  TRACE_FAULT_MPU = 0,
  TRACE_FAULT_PANIC = 1,
  TRACE_FAULT_BAD_SYSCALL = 2,
  TRACE_FAULT_STACK_OVERFLOW = 3,
  TRACE_FAULT_OTHER = 4,
};
enum trace_fault_action { TRACE_ACTION_RESTART, TRACE_ACTION_STOP, TRACE_ACTION_PANIC };
enum trace_discover_result { TRACE_DISCOVER_OK, TRACE_DISCOVER_NOT_FOUND, TRACE_DISCOVER_DENIED };
enum { TRACE_CONN_RELIABLE = 0x01, TRACE_CONN_AUTHENTICATED = 0x02 };
enum trace_disconnect_reason {
  TRACE_DISC_CLOSED = 0,
  TRACE_DISC_CLIENT_FAULT = 1,
  TRACE_DISC_SERVER_FAULT = 2,
  TRACE_DISC_SERVER_RESTART = 3,
};
enum trace_ipc_mode { TRACE_MODE_COPY = 0, TRACE_MODE_SHARED = 1 };
enum { TRACE_ACCESS_READ = 0x01, TRACE_ACCESS_WRITE = 0x02 };
enum trace_net_down_reason { TRACE_DOWN_ADMIN, TRACE_DOWN_LINK_LOST, TRACE_DOWN_ERROR };
enum trace_direction { TRACE_DIR_RX = 0, TRACE_DIR_TX = 1 };
enum trace_drop_reason {
  TRACE_DROP_QUEUE_FULL = 0,
  TRACE_DROP_NO_RECEIVER = 1,
  TRACE_DROP_FILTERED = 2,
  TRACE_DROP_BAD_FCS = 3,
  TRACE_DROP_TOO_BIG = 4,
  TRACE_DROP_RATE_LIMITED = 5,
  TRACE_DROP_IFACE_DOWN = 6,
};

/** CRC-32C (Castagnoli, reflected, init and final xor 0xFFFFFFFF). */
uint32_t trace_crc32c(const uint8_t* data, size_t len);

/** COBS-encodes `len` bytes into `out` (no delimiter). Returns the encoded
 *  length, or 0 if `cap` is too small. */
size_t trace_cobs_encode(const uint8_t* in, size_t len, uint8_t* out, size_t cap);

/** A record under construction: header (seq filled in at framing) + body. */
typedef struct trace_rec {
  uint8_t bytes[TRACE_MAX_PAYLOAD];
  size_t len;         /* header + body bytes written so far */
  int overrun;        /* non-zero once a put did not fit */
  size_t max_payload; /* payload limit (as announced in HELLO); 0 = TRACE_MAX_PAYLOAD */
} trace_rec;

/** Starts a record of `type` stamped with `ticks` (flags 0, seq 0). Keeps
 *  `max_payload`. */
void trace_rec_begin(trace_rec* r, uint8_t type, uint64_t ticks);
/** ORs `flags` into the header flags field. */
void trace_rec_add_flags(trace_rec* r, uint16_t flags);
/** Reads back the timestamp written by trace_rec_begin(). */
uint64_t trace_rec_ticks(const trace_rec* r);
/** Sets the payload limit for records built in `r` from now on (clamped to
 *  TRACE_HEADER_LEN + TRACE_CRC_LEN .. TRACE_MAX_PAYLOAD). */
void trace_rec_set_max_payload(trace_rec* r, size_t max_payload);
/** Bytes of body space left. */
size_t trace_rec_room(const trace_rec* r);

void trace_put_u8(trace_rec* r, uint8_t v);
void trace_put_u16(trace_rec* r, uint16_t v);
void trace_put_u32(trace_rec* r, uint32_t v);
void trace_put_u64(trace_rec* r, uint64_t v);
void trace_put_i32(trace_rec* r, int32_t v);
void trace_put_bytes(trace_rec* r, const uint8_t* p, size_t n);
/** u8 length + UTF-8 bytes of the NUL-terminated `s`, cut to at most `max`
 *  bytes (TRACE_MAX_STR or TRACE_MAX_SERVICE_NAME) at a character boundary. */
void trace_put_str(trace_rec* r, const char* s, size_t max);
/** u16 length + bytes of `s` (LOG text), cut like trace_put_str() at
 *  TRACE_MAX_LOG_TEXT. */
void trace_put_text(trace_rec* r, const char* s);

/** Stamps `seq`, appends the CRC and writes COBS(payload) + 0x00 to `out`.
 *  Returns the frame length, or 0 if the record overran or `cap` is short. */
size_t trace_rec_frame(trace_rec* r, uint32_t seq, uint8_t* out, size_t cap);

/* ---- Typed record builders: each starts `r` and fills the whole body. ---- */

typedef struct trace_iface {
  uint8_t id;
  uint8_t kind;      /* enum trace_iface_kind */
  uint16_t linktype; /* enum trace_linktype */
  uint16_t mtu;
  uint8_t addr_len; /* 0, 6 or 8 */
  uint8_t addr[8];  /* MAC or EUI-64 in transmission order, zero padded */
  const char* name;
} trace_iface;

typedef struct trace_hello {
  uint32_t tick_hz;
  uint16_t max_payload; /* largest payload this device sends, <= TRACE_MAX_PAYLOAD */
  const char* board;
  const char* kernel_version;
  const trace_iface* ifaces;
  uint8_t n_ifaces;
} trace_hello;

typedef struct trace_proc_fault {
  uint16_t pid;
  uint8_t reason; /* enum trace_fault_reason */
  uint8_t action; /* enum trace_fault_action */
  uint32_t fault_addr;
  uint32_t pc;
} trace_proc_fault;

typedef struct trace_ipc_conn {
  uint16_t client_pid;
  uint16_t service_id;
  uint16_t conn_id;
  uint8_t buffers;
  uint8_t flags; /* TRACE_CONN_* */
} trace_ipc_conn;

typedef struct trace_ipc_msg {
  uint16_t src_pid;
  uint16_t dst_pid;
  uint16_t service_id;
  uint16_t conn_id;
  uint32_t msg_id;
  uint32_t len;
  uint8_t mode; /* enum trace_ipc_mode */
} trace_ipc_msg;

typedef struct trace_rpc {
  uint16_t client_pid;
  uint16_t server_pid;
  uint16_t service_id;
  uint16_t method;
  uint32_t call_id;
  uint32_t len;   /* arg_len for RPC_CALL, ret_len for RPC_RETURN */
  int32_t status; /* RPC_RETURN only */
} trace_rpc;

typedef struct trace_mem {
  uint16_t owner_pid;
  uint16_t grantee_pid;
  uint32_t addr;
  uint32_t len;
  uint8_t access; /* TRACE_ACCESS_* */
} trace_mem;

typedef struct trace_upcall {
  uint16_t pid;
  uint32_t driver_num;
  uint32_t subscribe_num;
  uint32_t arg[3];
} trace_upcall;

typedef struct trace_net_frame {
  uint8_t iface_id;
  uint16_t pid;      /* TRACE_PID_KERNEL for NET_RX */
  uint32_t orig_len; /* length on the wire; bytes beyond `len` are cut */
  const uint8_t* bytes;
  size_t len;
} trace_net_frame;

void trace_build_hello(trace_rec* r, uint64_t ticks, const trace_hello* h);
void trace_build_log(trace_rec* r, uint64_t ticks, uint8_t level, const char* text);
void trace_build_overflow(trace_rec* r, uint64_t ticks, uint32_t dropped, uint32_t total_dropped);
void trace_build_proc_start(trace_rec* r, uint64_t ticks, uint16_t pid, uint16_t restart_count,
                            const char* name);
void trace_build_proc_fault(trace_rec* r, uint64_t ticks, const trace_proc_fault* f);
void trace_build_proc_restart(trace_rec* r, uint64_t ticks, uint16_t pid, uint16_t restart_count);
void trace_build_ipc_register(trace_rec* r, uint64_t ticks, uint16_t server_pid,
                              uint16_t service_id, const char* service_name);
void trace_build_ipc_discover(trace_rec* r, uint64_t ticks, uint16_t client_pid,
                              uint16_t service_id, uint8_t result, const char* service_name);
void trace_build_ipc_connect(trace_rec* r, uint64_t ticks, const trace_ipc_conn* c);
void trace_build_ipc_disconnect(trace_rec* r, uint64_t ticks, const trace_ipc_conn* c,
                                uint8_t reason);
/** `type` is TRACE_IPC_SEND or TRACE_IPC_RECV (same layout). */
void trace_build_ipc_msg(trace_rec* r, uint8_t type, uint64_t ticks, const trace_ipc_msg* m);
void trace_build_rpc_call(trace_rec* r, uint64_t ticks, const trace_rpc* c);
void trace_build_rpc_return(trace_rec* r, uint64_t ticks, const trace_rpc* c);
/** `type` is TRACE_MEM_GRANT or TRACE_MEM_REVOKE (same layout). */
void trace_build_mem(trace_rec* r, uint8_t type, uint64_t ticks, const trace_mem* m);
void trace_build_upcall(trace_rec* r, uint64_t ticks, const trace_upcall* u);
void trace_build_net_up(trace_rec* r, uint64_t ticks, uint8_t iface_id);
void trace_build_net_down(trace_rec* r, uint64_t ticks, uint8_t iface_id, uint8_t reason);
/** `type` is TRACE_NET_TX or TRACE_NET_RX. Frame bytes that do not fit the
 *  record, or `len` < `orig_len`, set the TRUNCATED flag. */
void trace_build_net_frame(trace_rec* r, uint8_t type, uint64_t ticks, const trace_net_frame* f);
void trace_build_net_drop(trace_rec* r, uint64_t ticks, const trace_net_frame* f, uint8_t direction,
                          uint8_t reason);
void trace_build_net_deliver(trace_rec* r, uint64_t ticks, uint8_t iface_id, uint32_t rx_seq,
                             const uint16_t* pids, uint8_t n);

#endif
