/* Encoder for the tockctl trace protocol v1; see trace_enc.h. */
#include "trace_enc.h"

/* CRC-32C remainders of the 16 nibble values, reflected poly 0x82F63B78. */
static const uint32_t kCrc32cNibble[16] = {
    0x00000000u, 0x105EC76Fu, 0x20BD8EDEu, 0x30E349B1u, 0x417B1DBCu, 0x5125DAD3u,
    0x61C69362u, 0x7198540Du, 0x82F63B78u, 0x92A8FC17u, 0xA24BB5A6u, 0xB21572C9u,
    0xC38D26C4u, 0xD3D3E1ABu, 0xE330A81Au, 0xF36E6F75u,
};

uint32_t trace_crc32c(const uint8_t* data, size_t len) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) {
    crc ^= data[i];
    crc = (crc >> 4) ^ kCrc32cNibble[crc & 0x0Fu];
    crc = (crc >> 4) ^ kCrc32cNibble[crc & 0x0Fu];
  }
  return crc ^ 0xFFFFFFFFu;
}

size_t trace_cobs_encode(const uint8_t* in, size_t len, uint8_t* out, size_t cap) {
  size_t code_at = 0; /* where the current block's code byte goes */
  size_t o = 1;
  uint8_t code = 1;
  if (cap == 0) return 0;
  for (size_t i = 0; i < len; i++) {
    if (in[i] != 0) {
      if (o >= cap) return 0;
      out[o++] = in[i];
      code++;
    }
    if (in[i] == 0 || code == 0xFF) {
      out[code_at] = code;
      code = 1;
      code_at = o;
      if (in[i] == 0 || i + 1 < len) { /* a full block at the very end needs no new block */
        if (o >= cap) return 0;
        o++;
      }
    }
  }
  if (code_at < o) out[code_at] = code;
  return o;
}

static void store_le(uint8_t* p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t load_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

void trace_rec_begin(trace_rec* r, uint8_t type, uint64_t ticks) {
  for (int i = 0; i < TRACE_HEADER_LEN; i++) r->bytes[i] = 0;
  r->bytes[0] = TRACE_VERSION_MAJOR;
  r->bytes[1] = type;
  store_le(&r->bytes[8], ticks, 8);
  r->len = TRACE_HEADER_LEN;
  r->overrun = 0;
}

void trace_rec_add_flags(trace_rec* r, uint16_t flags) {
  uint16_t now = (uint16_t)load_le(&r->bytes[2], 2);
  store_le(&r->bytes[2], (uint16_t)(now | flags), 2);
}

uint64_t trace_rec_ticks(const trace_rec* r) { return load_le(&r->bytes[8], 8); }

void trace_rec_set_max_payload(trace_rec* r, size_t max_payload) {
  if (max_payload < TRACE_HEADER_LEN + TRACE_CRC_LEN)
    max_payload = TRACE_HEADER_LEN + TRACE_CRC_LEN;
  if (max_payload > TRACE_MAX_PAYLOAD) max_payload = TRACE_MAX_PAYLOAD;
  r->max_payload = max_payload;
}

size_t trace_rec_room(const trace_rec* r) {
  size_t limit = r->max_payload ? r->max_payload : TRACE_MAX_PAYLOAD;
  return limit - TRACE_CRC_LEN - r->len;
}

static uint8_t* reserve(trace_rec* r, size_t n) {
  if (r->overrun || n > trace_rec_room(r)) {
    r->overrun = 1;
    return 0;
  }
  uint8_t* p = &r->bytes[r->len];
  r->len += n;
  return p;
}

static void put_le(trace_rec* r, uint64_t v, int n) {
  uint8_t* p = reserve(r, (size_t)n);
  if (p) store_le(p, v, n);
}

void trace_put_u8(trace_rec* r, uint8_t v) { put_le(r, v, 1); }
void trace_put_u16(trace_rec* r, uint16_t v) { put_le(r, v, 2); }
void trace_put_u32(trace_rec* r, uint32_t v) { put_le(r, v, 4); }
void trace_put_u64(trace_rec* r, uint64_t v) { put_le(r, v, 8); }
void trace_put_i32(trace_rec* r, int32_t v) { put_le(r, (uint32_t)v, 4); }

void trace_put_bytes(trace_rec* r, const uint8_t* p, size_t n) {
  uint8_t* dst = reserve(r, n);
  if (!dst) return;
  for (size_t i = 0; i < n; i++) dst[i] = p[i];
}

/* Length of `s` cut to at most `max` bytes without splitting a UTF-8
 * character (a cut never lands before a 10xxxxxx continuation byte). */
static size_t clipped_strlen(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') n++;
  if (s[n] != '\0') {
    while (n > 0 && ((uint8_t)s[n] & 0xC0u) == 0x80u) n--;
  }
  return n;
}

void trace_put_str(trace_rec* r, const char* s, size_t max) {
  size_t n = clipped_strlen(s, max);
  trace_put_u8(r, (uint8_t)n);
  trace_put_bytes(r, (const uint8_t*)s, n);
}

void trace_put_text(trace_rec* r, const char* s) {
  size_t n = clipped_strlen(s, TRACE_MAX_LOG_TEXT);
  trace_put_u16(r, (uint16_t)n);
  trace_put_bytes(r, (const uint8_t*)s, n);
}

size_t trace_rec_frame(trace_rec* r, uint32_t seq, uint8_t* out, size_t cap) {
  static uint8_t marked[2 + TRACE_MAX_PAYLOAD];
  if (r->overrun || cap < 2) return 0;
  store_le(&r->bytes[4], seq, 4);
  store_le(&r->bytes[r->len], trace_crc32c(r->bytes, r->len), 4);
  marked[0] = TRACE_MARKER_0;
  marked[1] = TRACE_MARKER_1;
  for (size_t i = 0; i < r->len + TRACE_CRC_LEN; i++) marked[2 + i] = r->bytes[i];
  out[0] = 0x00;
  size_t n = trace_cobs_encode(marked, 2 + r->len + TRACE_CRC_LEN, out + 1, cap - 1);
  if (n == 0 || n + 1 >= cap) return 0;
  out[n + 1] = 0x00;
  return n + 2;
}

/* ---- Typed record builders ---- */

static void put_iface(trace_rec* r, const trace_iface* f) {
  trace_put_u8(r, f->id);
  trace_put_u8(r, f->kind);
  trace_put_u16(r, f->linktype);
  trace_put_u16(r, f->mtu);
  trace_put_u8(r, f->addr_len);
  trace_put_bytes(r, f->addr, sizeof f->addr);
  trace_put_str(r, f->name, TRACE_MAX_STR);
}

void trace_build_hello(trace_rec* r, uint64_t ticks, const trace_hello* h) {
  trace_rec_begin(r, TRACE_HELLO, ticks);
  trace_put_u32(r, h->tick_hz);
  trace_put_u16(r, h->max_payload);
  trace_put_str(r, h->board, TRACE_MAX_STR);
  trace_put_str(r, h->kernel_version, TRACE_MAX_STR);
  trace_put_u8(r, h->n_ifaces);
  for (uint8_t i = 0; i < h->n_ifaces; i++) put_iface(r, &h->ifaces[i]);
}

void trace_build_log(trace_rec* r, uint64_t ticks, uint8_t level, const char* text) {
  trace_rec_begin(r, TRACE_LOG, ticks);
  trace_put_u8(r, level);
  trace_put_text(r, text);
}

void trace_build_overflow(trace_rec* r, uint64_t ticks, uint32_t dropped, uint32_t total_dropped) {
  trace_rec_begin(r, TRACE_OVERFLOW, ticks);
  trace_put_u32(r, dropped);
  trace_put_u32(r, total_dropped);
}

void trace_build_proc_start(trace_rec* r, uint64_t ticks, uint16_t pid, uint16_t restart_count,
                            const char* name) {
  trace_rec_begin(r, TRACE_PROC_START, ticks);
  trace_put_u16(r, pid);
  trace_put_u16(r, restart_count);
  trace_put_str(r, name, TRACE_MAX_STR);
}

void trace_build_proc_fault(trace_rec* r, uint64_t ticks, const trace_proc_fault* f) {
  trace_rec_begin(r, TRACE_PROC_FAULT, ticks);
  trace_put_u16(r, f->pid);
  trace_put_u8(r, f->reason);
  trace_put_u8(r, f->action);
  trace_put_u32(r, f->fault_addr);
  trace_put_u32(r, f->pc);
}

void trace_build_proc_restart(trace_rec* r, uint64_t ticks, uint16_t pid, uint16_t restart_count) {
  trace_rec_begin(r, TRACE_PROC_RESTART, ticks);
  trace_put_u16(r, pid);
  trace_put_u16(r, restart_count);
}

void trace_build_ipc_register(trace_rec* r, uint64_t ticks, uint16_t server_pid,
                              uint16_t service_id, const char* service_name) {
  trace_rec_begin(r, TRACE_IPC_REGISTER, ticks);
  trace_put_u16(r, server_pid);
  trace_put_u16(r, service_id);
  trace_put_str(r, service_name, TRACE_MAX_SERVICE_NAME);
}

void trace_build_ipc_discover(trace_rec* r, uint64_t ticks, uint16_t client_pid,
                              uint16_t service_id, uint8_t result, const char* service_name) {
  trace_rec_begin(r, TRACE_IPC_DISCOVER, ticks);
  trace_put_u16(r, client_pid);
  trace_put_u16(r, service_id);
  trace_put_u8(r, result);
  trace_put_str(r, service_name, TRACE_MAX_SERVICE_NAME);
}

void trace_build_ipc_connect(trace_rec* r, uint64_t ticks, const trace_ipc_conn* c) {
  trace_rec_begin(r, TRACE_IPC_CONNECT, ticks);
  trace_put_u16(r, c->client_pid);
  trace_put_u16(r, c->service_id);
  trace_put_u16(r, c->conn_id);
  trace_put_u8(r, c->buffers);
  trace_put_u8(r, c->flags);
}

void trace_build_ipc_disconnect(trace_rec* r, uint64_t ticks, const trace_ipc_conn* c,
                                uint8_t reason) {
  trace_rec_begin(r, TRACE_IPC_DISCONNECT, ticks);
  trace_put_u16(r, c->client_pid);
  trace_put_u16(r, c->service_id);
  trace_put_u16(r, c->conn_id);
  trace_put_u8(r, reason);
}

void trace_build_ipc_msg(trace_rec* r, uint8_t type, uint64_t ticks, const trace_ipc_msg* m) {
  trace_rec_begin(r, type, ticks);
  trace_put_u16(r, m->src_pid);
  trace_put_u16(r, m->dst_pid);
  trace_put_u16(r, m->service_id);
  trace_put_u16(r, m->conn_id);
  trace_put_u32(r, m->msg_id);
  trace_put_u32(r, m->len);
  trace_put_u8(r, m->mode);
}

static void put_rpc_common(trace_rec* r, const trace_rpc* c) {
  trace_put_u16(r, c->client_pid);
  trace_put_u16(r, c->server_pid);
  trace_put_u16(r, c->service_id);
  trace_put_u16(r, c->method);
  trace_put_u32(r, c->call_id);
  trace_put_u32(r, c->len);
}

void trace_build_rpc_call(trace_rec* r, uint64_t ticks, const trace_rpc* c) {
  trace_rec_begin(r, TRACE_RPC_CALL, ticks);
  put_rpc_common(r, c);
}

void trace_build_rpc_return(trace_rec* r, uint64_t ticks, const trace_rpc* c) {
  trace_rec_begin(r, TRACE_RPC_RETURN, ticks);
  put_rpc_common(r, c);
  trace_put_i32(r, c->status);
}

void trace_build_mem(trace_rec* r, uint8_t type, uint64_t ticks, const trace_mem* m) {
  trace_rec_begin(r, type, ticks);
  trace_put_u16(r, m->owner_pid);
  trace_put_u16(r, m->grantee_pid);
  trace_put_u32(r, m->addr);
  trace_put_u32(r, m->len);
  trace_put_u8(r, m->access);
}

void trace_build_upcall(trace_rec* r, uint64_t ticks, const trace_upcall* u) {
  trace_rec_begin(r, TRACE_UPCALL, ticks);
  trace_put_u16(r, u->pid);
  trace_put_u32(r, u->driver_num);
  trace_put_u32(r, u->subscribe_num);
  for (int i = 0; i < 3; i++) trace_put_u32(r, u->arg[i]);
}

void trace_build_net_up(trace_rec* r, uint64_t ticks, uint8_t iface_id) {
  trace_rec_begin(r, TRACE_NET_UP, ticks);
  trace_put_u8(r, iface_id);
}

void trace_build_net_down(trace_rec* r, uint64_t ticks, uint8_t iface_id, uint8_t reason) {
  trace_rec_begin(r, TRACE_NET_DOWN, ticks);
  trace_put_u8(r, iface_id);
  trace_put_u8(r, reason);
}

/* Appends as many frame bytes as fit; flags TRUNCATED when short of orig_len. */
static void put_frame_bytes(trace_rec* r, const trace_net_frame* f) {
  size_t n = f->len;
  if (n > f->orig_len) n = f->orig_len;
  if (n > trace_rec_room(r)) n = trace_rec_room(r);
  trace_put_bytes(r, f->bytes, n);
  if (n < f->orig_len) trace_rec_add_flags(r, TRACE_FLAG_TRUNCATED);
}

void trace_build_net_frame(trace_rec* r, uint8_t type, uint64_t ticks, const trace_net_frame* f) {
  trace_rec_begin(r, type, ticks);
  trace_put_u8(r, f->iface_id);
  trace_put_u16(r, f->pid);
  trace_put_u32(r, f->orig_len);
  put_frame_bytes(r, f);
}

void trace_build_net_drop(trace_rec* r, uint64_t ticks, const trace_net_frame* f, uint8_t direction,
                          uint8_t reason) {
  trace_rec_begin(r, TRACE_NET_DROP, ticks);
  trace_put_u8(r, f->iface_id);
  trace_put_u8(r, direction);
  trace_put_u16(r, f->pid);
  trace_put_u8(r, reason);
  trace_put_u32(r, f->orig_len);
  put_frame_bytes(r, f);
}

void trace_build_net_deliver(trace_rec* r, uint64_t ticks, uint8_t iface_id, uint32_t rx_seq,
                             const uint16_t* pids, uint8_t n) {
  trace_rec_begin(r, TRACE_NET_DELIVER, ticks);
  trace_put_u8(r, iface_id);
  trace_put_u32(r, rx_seq);
  trace_put_u8(r, n);
  for (uint8_t i = 0; i < n; i++) trace_put_u16(r, pids[i]);
}
