/* Golden-vector test: encodes every record of tests/fixtures/trace/<name>.jsonl
 * (the JSON Lines form of docs/trace-protocol.md section 6) with the demo
 * firmware's C encoder (protocol v2), puts each console line's bytes between
 * the frames as the UART mux would, and compares the byte stream with
 * <name>.bin, which the Rust reference encoder wrote. The payload limit
 * follows the latest HELLO's max_payload, as a device would.
 *
 * Usage: golden_test <fixtures dir> [name...]   (default: mixed)
 * Fails when <dir>/mixed.bin is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../trace_enc.h"
#include "check.h"
#include "mini_json.h"

static trace_rec g_rec;

typedef struct buffer {
  unsigned char* data;
  size_t len;
} buffer;

static int read_file(const char* path, buffer* b) {
  FILE* f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  b->data = malloc((size_t)n + 1);
  b->len = fread(b->data, 1, (size_t)n, f);
  b->data[b->len] = 0;
  fclose(f);
  return 0;
}

static void append(buffer* b, const unsigned char* p, size_t n) {
  b->data = realloc(b->data, b->len + n);
  memcpy(&b->data[b->len], p, n);
  b->len += n;
}

/* ---- Field access; a missing field is a test failure, not a crash. ---- */

static int g_field_error;

static const json_value* field(const json_value* o, const char* key, json_kind kind) {
  const json_value* v = json_get(o, key);
  if (!v || v->kind != kind) {
    fprintf(stderr, "record lacks field \"%s\" of the expected kind\n", key);
    g_field_error = 1;
    return NULL;
  }
  return v;
}

static unsigned long long num(const json_value* o, const char* key) {
  const json_value* v = field(o, key, JSON_INT);
  return v ? (unsigned long long)v->num : 0;
}

static int flag(const json_value* o, const char* key) {
  const json_value* v = field(o, key, JSON_BOOL);
  return v ? (int)v->num : 0;
}

static const char* str(const json_value* o, const char* key) {
  const json_value* v = field(o, key, JSON_STRING);
  return v ? v->str : "";
}

/* An enum field: its name's index in `names`, or the number as printed. */
static unsigned enum_of(const json_value* o, const char* key, const char* const* names) {
  const json_value* v = json_get(o, key);
  if (v && v->kind == JSON_INT) return (unsigned)v->num;
  const char* s = str(o, key);
  for (unsigned i = 0; names[i]; i++) {
    if (strcmp(names[i], s) == 0) return i;
  }
  fprintf(stderr, "unknown %s \"%s\"\n", key, s);
  g_field_error = 1;
  return 0;
}

static const char* const kKinds[] = {"", "ethernet", "ieee802154", "wifi", "can", "ble", NULL};
static const char* const kLevels[] = {"error", "warn", "info", "debug", NULL};
static const char* const kFaultReasons[] = {"mpu_violation",  "panic", "bad_syscall",
                                            "stack_overflow", "other", NULL};
static const char* const kFaultActions[] = {"restart", "stop", "panic_kernel", NULL};
static const char* const kDiscoverResults[] = {"ok", "not_found", "denied", NULL};
static const char* const kDisconnectReasons[] = {"closed", "client_fault", "server_fault",
                                                 "server_restart", NULL};
static const char* const kModes[] = {"copy", "shared", NULL};
static const char* const kDownReasons[] = {"admin", "link_lost", "error", NULL};
static const char* const kDirections[] = {"rx", "tx", NULL};
static const char* const kDropReasons[] = {"queue_full",     "no_receiver", "filtered",
                                           "bad_fcs",        "too_big",     "rate_limited",
                                           "interface_down", NULL};

/* Hex digits ("" or "0a1b..."), or colon-separated hex bytes, to bytes. */
static size_t hex_bytes(const char* s, unsigned char* out, size_t cap) {
  size_t n = 0;
  while (s[0] && s[1] && n < cap) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) break;
    out[n++] = (unsigned char)v;
    s += 2;
    if (*s == ':') s++;
  }
  return n;
}

/* ---- JSON record -> trace_rec ---- */

static void build_hello(const json_value* o, uint64_t ticks) {
  const json_value* list = field(o, "interfaces", JSON_ARRAY);
  size_t n = list ? list->n : 0;
  trace_iface* ifaces = calloc(n ? n : 1, sizeof *ifaces);
  for (size_t i = 0; i < n; i++) {
    const json_value* f = &list->items[i];
    ifaces[i].id = (uint8_t)num(f, "iface_id");
    ifaces[i].kind = (uint8_t)enum_of(f, "kind", kKinds);
    ifaces[i].linktype = (uint16_t)num(f, "linktype");
    ifaces[i].mtu = (uint16_t)num(f, "mtu");
    ifaces[i].addr_len = (uint8_t)hex_bytes(str(f, "addr"), ifaces[i].addr, 8);
    ifaces[i].name = str(f, "name");
  }
  trace_hello h = {(uint32_t)num(o, "tick_hz"),
                   (uint16_t)num(o, "max_payload"),
                   str(o, "board"),
                   str(o, "kernel_version"),
                   ifaces,
                   (uint8_t)n};
  trace_build_hello(&g_rec, ticks, &h);
  free(ifaces);
}

static void build_ipc(const char* type, const json_value* o, uint64_t t) {
  if (!strcmp(type, "ipc_register")) {
    trace_build_ipc_register(&g_rec, t, (uint16_t)num(o, "server_pid"),
                             (uint16_t)num(o, "service_id"), str(o, "service_name"));
  } else if (!strcmp(type, "ipc_discover")) {
    trace_build_ipc_discover(
        &g_rec, t, (uint16_t)num(o, "client_pid"), (uint16_t)num(o, "service_id"),
        (uint8_t)enum_of(o, "result", kDiscoverResults), str(o, "service_name"));
  } else if (!strcmp(type, "ipc_connect") || !strcmp(type, "ipc_disconnect")) {
    trace_ipc_conn c = {(uint16_t)num(o, "client_pid"), (uint16_t)num(o, "service_id"),
                        (uint16_t)num(o, "conn_id"), 0, 0};
    if (type[4] == 'c') {
      c.buffers = (uint8_t)num(o, "buffers");
      c.flags = (uint8_t)(flag(o, "reliable") | flag(o, "authenticated") << 1);
      trace_build_ipc_connect(&g_rec, t, &c);
    } else {
      trace_build_ipc_disconnect(&g_rec, t, &c, (uint8_t)enum_of(o, "reason", kDisconnectReasons));
    }
  } else {
    trace_ipc_msg m = {(uint16_t)num(o, "src_pid"),        (uint16_t)num(o, "dst_pid"),
                       (uint16_t)num(o, "service_id"),     (uint16_t)num(o, "conn_id"),
                       (uint32_t)num(o, "msg_id"),         (uint32_t)num(o, "len"),
                       (uint8_t)enum_of(o, "mode", kModes)};
    trace_build_ipc_msg(&g_rec, !strcmp(type, "ipc_send") ? TRACE_IPC_SEND : TRACE_IPC_RECV, t, &m);
  }
}

static void build_rpc_mem_upcall(const char* type, const json_value* o, uint64_t t) {
  if (!strncmp(type, "rpc_", 4)) {
    int ret = !strcmp(type, "rpc_return");
    trace_rpc c = {
        (uint16_t)num(o, "client_pid"),     (uint16_t)num(o, "server_pid"),
        (uint16_t)num(o, "service_id"),     (uint16_t)num(o, "method"),
        (uint32_t)num(o, "call_id"),        (uint32_t)num(o, ret ? "ret_len" : "arg_len"),
        ret ? (int32_t)num(o, "status") : 0};
    if (ret)
      trace_build_rpc_return(&g_rec, t, &c);
    else
      trace_build_rpc_call(&g_rec, t, &c);
  } else if (!strncmp(type, "mem_", 4)) {
    trace_mem m = {(uint16_t)num(o, "owner_pid"), (uint16_t)num(o, "grantee_pid"),
                   (uint32_t)num(o, "addr"), (uint32_t)num(o, "len"),
                   (uint8_t)(flag(o, "read") | flag(o, "write") << 1)};
    trace_build_mem(&g_rec, !strcmp(type, "mem_grant") ? TRACE_MEM_GRANT : TRACE_MEM_REVOKE, t, &m);
  } else {
    trace_upcall u = {
        (uint16_t)num(o, "pid"),
        (uint32_t)num(o, "driver_num"),
        (uint32_t)num(o, "subscribe_num"),
        {(uint32_t)num(o, "arg0"), (uint32_t)num(o, "arg1"), (uint32_t)num(o, "arg2")}};
    trace_build_upcall(&g_rec, t, &u);
  }
}

static void build_net(const char* type, const json_value* o, uint64_t t) {
  static unsigned char data[TRACE_MAX_PAYLOAD];
  if (!strcmp(type, "net_up")) {
    trace_build_net_up(&g_rec, t, (uint8_t)num(o, "iface_id"));
  } else if (!strcmp(type, "net_down")) {
    trace_build_net_down(&g_rec, t, (uint8_t)num(o, "iface_id"),
                         (uint8_t)enum_of(o, "reason", kDownReasons));
  } else if (!strcmp(type, "net_deliver")) {
    const json_value* list = field(o, "pids", JSON_ARRAY);
    uint16_t pids[255];
    size_t n = list ? list->n : 0;
    for (size_t i = 0; i < n && i < 255; i++) pids[i] = (uint16_t)list->items[i].num;
    trace_build_net_deliver(&g_rec, t, (uint8_t)num(o, "iface_id"), (uint32_t)num(o, "rx_seq"),
                            pids, (uint8_t)n);
  } else {
    size_t n = hex_bytes(str(o, "data"), data, sizeof data);
    trace_net_frame f = {(uint8_t)num(o, "iface_id"), (uint16_t)num(o, "pid"),
                         (uint32_t)num(o, "orig_len"), data, n};
    if (!strcmp(type, "net_drop")) {
      trace_build_net_drop(&g_rec, t, &f, (uint8_t)enum_of(o, "direction", kDirections),
                           (uint8_t)enum_of(o, "reason", kDropReasons));
    } else {
      trace_build_net_frame(&g_rec, !strcmp(type, "net_tx") ? TRACE_NET_TX : TRACE_NET_RX, t, &f);
    }
  }
}

/* Builds the record of one JSON line into g_rec; 0 if its type is unknown. */
static int build_record(const json_value* o) {
  const char* type = str(o, "type");
  uint64_t t = num(o, "ticks");
  if (!strcmp(type, "hello")) {
    build_hello(o, t);
    trace_rec_set_max_payload(&g_rec, (size_t)num(o, "max_payload"));
  } else if (!strcmp(type, "log")) {
    trace_build_log(&g_rec, t, (uint8_t)enum_of(o, "level", kLevels), str(o, "text"));
  } else if (!strcmp(type, "overflow")) {
    trace_build_overflow(&g_rec, t, (uint32_t)num(o, "dropped"), (uint32_t)num(o, "total_dropped"));
  } else if (!strcmp(type, "proc_start")) {
    trace_build_proc_start(&g_rec, t, (uint16_t)num(o, "pid"), (uint16_t)num(o, "restart_count"),
                           str(o, "name"));
  } else if (!strcmp(type, "proc_fault")) {
    trace_proc_fault f = {(uint16_t)num(o, "pid"), (uint8_t)enum_of(o, "reason", kFaultReasons),
                          (uint8_t)enum_of(o, "action", kFaultActions),
                          (uint32_t)num(o, "fault_addr"), (uint32_t)num(o, "pc")};
    trace_build_proc_fault(&g_rec, t, &f);
  } else if (!strcmp(type, "proc_restart")) {
    trace_build_proc_restart(&g_rec, t, (uint16_t)num(o, "pid"), (uint16_t)num(o, "restart_count"));
  } else if (!strncmp(type, "ipc_", 4)) {
    build_ipc(type, o, t);
  } else if (!strncmp(type, "rpc_", 4) || !strncmp(type, "mem_", 4) || !strcmp(type, "upcall")) {
    build_rpc_mem_upcall(type, o, t);
  } else if (!strncmp(type, "net_", 4)) {
    build_net(type, o, t);
  } else {
    return 0;
  }
  return 1;
}

/* A console line's bytes: "data" (hex) if present, else "text". Returns 0 for
 * a record. */
static int append_console(const json_value* o, buffer* out) {
  const json_value* type = json_get(o, "type");
  if (!type || type->kind != JSON_STRING || strcmp(type->str, "console") != 0) return 0;
  const json_value* data = json_get(o, "data");
  if (data && data->kind == JSON_STRING) {
    for (size_t i = 0; i + 1 < data->str_len; i += 2) {
      unsigned byte = 0;
      sscanf(&data->str[i], "%2x", &byte);
      unsigned char b = (unsigned char)byte;
      append(out, &b, 1);
    }
    return 1;
  }
  const json_value* text = field(o, "text", JSON_STRING);
  if (text) append(out, (const unsigned char*)text->str, text->str_len);
  return 1;
}

/* Encodes <dir>/<name>.jsonl and compares with <dir>/<name>.bin. */
static void check_vector(const char* dir, const char* name) {
  char path[1024];
  buffer jsonl = {0}, expected = {0}, actual = {0};
  snprintf(path, sizeof path, "%s/%s.jsonl", dir, name);
  if (read_file(path, &jsonl)) {
    fprintf(stderr, "cannot read %s\n", path);
    g_check_failures++;
    return;
  }
  snprintf(path, sizeof path, "%s/%s.bin", dir, name);
  if (read_file(path, &expected)) {
    fprintf(stderr, "cannot read %s\n", path);
    g_check_failures++;
    return;
  }
  trace_rec_set_max_payload(&g_rec, TRACE_MAX_PAYLOAD);
  size_t lines = 0;
  for (char* line = strtok((char*)jsonl.data, "\n"); line; line = strtok(NULL, "\n"), lines++) {
    json_value o;
    char err[128];
    if (json_parse(line, &o, err, sizeof err)) {
      fprintf(stderr, "%s.jsonl line %zu: %s\n", name, lines + 1, err);
      g_check_failures++;
      break;
    }
    g_field_error = 0;
    if (append_console(&o, &actual)) {
      json_free(&o);
      continue;
    }
    EXPECT_TRUE(build_record(&o) && !g_field_error);
    static unsigned char frame[TRACE_MAX_FRAME];
    size_t n = trace_rec_frame(&g_rec, (uint32_t)num(&o, "seq"), frame, sizeof frame);
    EXPECT_TRUE(n > 0);
    append(&actual, frame, n);
    json_free(&o);
  }
  check_bytes(__FILE__, __LINE__, name, actual.data, actual.len, expected.data, expected.len);
  printf("%s: %zu records, %zu bytes\n", name, lines, actual.len);
  free(jsonl.data);
  free(expected.data);
  free(actual.data);
}

int main(int argc, char** argv) {
  static const char* const kDefault[] = {"mixed"};
  if (argc < 2) {
    fprintf(stderr, "usage: golden_test <fixtures dir> [name...]\n");
    return 2;
  }
  if (argc > 2) {
    for (int i = 2; i < argc; i++) check_vector(argv[1], argv[i]);
  } else {
    for (size_t i = 0; i < sizeof kDefault / sizeof kDefault[0]; i++)
      check_vector(argv[1], kDefault[i]);
  }
  return check_exit_code("golden_test");
}
