/* The simulated Tock system; see tock_sim.h and README.md. */
#include "tock_sim.h"

#include "demo_config.h"
#include "netframe.h"
#include "strbuf.h"

enum { PID_NET = 0, PID_SENSOR = 1, PID_LOGGER = 2, PID_RPC = 3 };
enum { SVC_NET = 1, SVC_KV = 2 };
enum { IF_ETH = 0, IF_WPAN = 1, N_IFACES = 2 };
enum {
  DRIVER_ALARM = 0x00000,
  DRIVER_IPC = 0x10000,
  DRIVER_IEEE802154 = 0x30001,
  DRIVER_ETH_TAP = 0x30007,
};
enum { UPCALL_RX = 0, UPCALL_TX_DONE = 1 };
enum { RPC_GET = 1, RPC_PUT = 2, RPC_DELETE = 3, RPC_LIST = 4 };
enum { ERR_CANCEL = -8, ERR_NOMEM = -9, ERR_NOSUPPORT = -10 }; /* -(Tock ErrorCode) */
enum { COAP_PORT = 5683, SYSLOG_PORT = 514, DISCARD_PORT = 9 };
enum { WPAN_PAN_ID = 0xABCD, WPAN_COORD_SHORT = 0x0000 };
enum { MAX_RPC_OUTSTANDING = 3, MAX_GRANTS = 2, QUEUE_HEADROOM = 12 };

#define TICKS_PER_US (DEMO_TICK_HZ / 1000000u)
#define TICKS_PER_MS (DEMO_TICK_HZ / 1000u)

typedef struct proc_info {
  const char* name;
  uint32_t flash; /* start of its code (libtock-c fixed-address slots) */
  uint32_t ram;
  uint32_t ram_len;
} proc_info;

static const proc_info kProcs[TOCK_SIM_PROCS] = {
    {"net_service", 0x80100080u, 0x80300000u, 0x10000u},
    {"sensor_client", 0x80110080u, 0x80310000u, 0x20000u},
    {"logger_client", 0x80130080u, 0x80330000u, 0x50000u},
    {"rpc_client", 0x80180080u, 0x80380000u, 0x80000u},
};

typedef struct service_info {
  uint16_t id;
  const char* name;
} service_info;

static const service_info kServices[] = {{SVC_NET, "net.svc"}, {SVC_KV, "kv.store"}};
#define N_SERVICES (sizeof kServices / sizeof kServices[0])

typedef struct client_info {
  uint16_t pid;
  const char* probe; /* looked up first and never registered, or NULL */
  uint16_t service_id;
  uint8_t buffers;
  uint8_t flags; /* TRACE_CONN_* */
} client_info;

static const client_info kClients[] = {
    {PID_SENSOR, 0, SVC_NET, 1, 0},
    {PID_LOGGER, "log.svc", SVC_NET, 2, 0},
    {PID_RPC, 0, SVC_KV, 1, TRACE_CONN_RELIABLE},
};
#define N_CLIENTS (sizeof kClients / sizeof kClients[0])

static const uint8_t kDevMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t kHostMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t kCoapAllNodesMac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0xfd};
static const uint8_t kDevIp[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};
static const uint8_t kHostIp[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
static const uint8_t kCoapAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd};
static const uint8_t kDevEui64[8] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t kNeighborEui64[8] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};

/* ---- Small helpers ---- */

static uint64_t us(uint32_t v) { return (uint64_t)v * TICKS_PER_US; }
static uint64_t ms(uint32_t v) { return (uint64_t)v * TICKS_PER_MS; }

static uint32_t rnd(tock_sim* s, uint32_t lo, uint32_t hi) { return prng_range(&s->rng, lo, hi); }

/* Lets a little simulated time pass between records of one happening. */
static void pause_us(tock_sim* s, uint32_t lo, uint32_t hi) { s->clock += us(rnd(s, lo, hi)); }

static int emit(tock_sim* s) { return trace_link_submit(s->link, &s->rec, 0); }

/* What a Tock kernel prints on its console (boot banner, debug!() lines, the
 * process console prompt): it shares the UART with the trace frames. */
static void console(tock_sim* s, const char* text) {
  size_t n = 0;
  while (text[n]) n++;
  trace_link_console(s->link, text, n);
}

static void schedule(tock_sim* s, uint64_t delay, sim_event e) {
  e.due = s->clock + delay;
  sim_queue_push(&s->queue, &e);
}

static const client_info* client_of(uint16_t pid) {
  for (size_t i = 0; i < N_CLIENTS; i++) {
    if (kClients[i].pid == pid) return &kClients[i];
  }
  return 0;
}

static const char* service_name(uint16_t id) {
  for (size_t i = 0; i < N_SERVICES; i++) {
    if (kServices[i].id == id) return kServices[i].name;
  }
  return "?";
}

static int client_ready(const tock_sim* s, uint16_t pid) {
  return s->running[pid] && s->conn_open[pid];
}

static void log_text(tock_sim* s, uint8_t level) {
  trace_build_log(&s->rec, s->clock, level, s->text);
  emit(s);
}

static void upcall(tock_sim* s, uint16_t pid, uint32_t driver, uint32_t sub, uint32_t a0,
                   uint32_t a1, uint32_t a2) {
  trace_upcall u = {pid, driver, sub, {a0, a1, a2}};
  trace_build_upcall(&s->rec, s->clock, &u);
  emit(s);
  if (pid < TOCK_SIM_PROCS) s->upcalls[pid]++;
}

/* ---- Frames (built into s->frame, payloads into s->payload) ---- */

static size_t coap(tock_sim* s, const net_coap_msg* m) {
  return net_build_coap(s->payload, sizeof s->payload, m);
}

static size_t eth_udp(tock_sim* s, const uint8_t* dst_mac, const uint8_t* src_mac,
                      const uint8_t* src_ip, const uint8_t* dst_ip, uint16_t sport, uint16_t dport,
                      size_t payload_len) {
  net_udp6 u = {.src_port = sport,
                .dst_port = dport,
                .hop_limit = 64,
                .payload = s->payload,
                .payload_len = payload_len};
  for (int i = 0; i < 16; i++) {
    u.src_ip[i] = src_ip[i];
    u.dst_ip[i] = dst_ip[i];
  }
  if (dst_ip[0] == 0xff) u.hop_limit = 255;
  return net_build_eth_udp6(s->frame, sizeof s->frame, dst_mac, src_mac, &u);
}

static size_t eth_to_host(tock_sim* s, uint16_t sport, uint16_t dport, size_t payload_len) {
  return eth_udp(s, kHostMac, kDevMac, kDevIp, kHostIp, sport, dport, payload_len);
}

static size_t eth_from_host(tock_sim* s, uint16_t sport, uint16_t dport, size_t payload_len) {
  return eth_udp(s, kDevMac, kHostMac, kHostIp, kDevIp, sport, dport, payload_len);
}

static uint16_t ephemeral_port(tock_sim* s) { return (uint16_t)rnd(s, 49152, 65000); }

/* A CoAP multicast discovery from `src_mac`'s link-local address. */
static size_t eth_coap_discovery(tock_sim* s, const uint8_t* src_mac) {
  net_coap_msg m = {NET_COAP_NON,
                    NET_COAP_GET,
                    s->coap_msg_id++,
                    (uint16_t)rnd(s, 0, 0xFFFF),
                    ".well-known/core",
                    -1,
                    0};
  uint8_t src_ip[16];
  net_ipv6_link_local_from_mac(src_ip, src_mac);
  return eth_udp(s, kCoapAllNodesMac, src_mac, src_ip, kCoapAllNodes, COAP_PORT, COAP_PORT,
                 coap(s, &m));
}

static net_wpan_addr wpan_short(uint16_t a) {
  net_wpan_addr w = {NET_WPAN_ADDR_SHORT, a, {0}};
  return w;
}

static net_wpan_addr wpan_ext(const uint8_t eui[8]) {
  net_wpan_addr w = {NET_WPAN_ADDR_EXT, 0, {0}};
  for (int i = 0; i < 8; i++) w.ext[i] = eui[i];
  return w;
}

static size_t wpan_coap(tock_sim* s, net_wpan_hdr* h, const net_coap_msg* m) {
  size_t n = coap(s, m);
  return net_build_wpan_udp6(s->frame, sizeof s->frame, h, COAP_PORT, COAP_PORT, s->payload, n);
}

/* ---- Network records ---- */

static int net_frame(tock_sim* s, uint8_t type, uint8_t iface, uint16_t pid, size_t n,
                     uint32_t* seq) {
  trace_net_frame f = {iface, pid, (uint32_t)n, s->frame, n};
  trace_build_net_frame(&s->rec, type, s->clock, &f);
  return trace_link_submit(s->link, &s->rec, seq);
}

static void net_drop(tock_sim* s, uint8_t iface, uint8_t dir, uint16_t pid, uint8_t reason,
                     uint32_t orig_len, size_t bytes) {
  trace_net_frame f = {iface, pid, orig_len, s->frame, bytes};
  trace_build_net_drop(&s->rec, s->clock, &f, dir, reason);
  emit(s);
}

static uint32_t rx_driver(uint8_t iface) {
  return iface == IF_ETH ? DRIVER_ETH_TAP : DRIVER_IEEE802154;
}

/* A frame arrives on `iface` and goes to `pids` (no one: dropped). */
static void rx_frame(tock_sim* s, uint8_t iface, size_t n, const uint16_t* pids, uint8_t npids) {
  uint32_t seq;
  int traced = net_frame(s, TRACE_NET_RX, iface, TRACE_PID_KERNEL, n, &seq);
  pause_us(s, 5, 30);
  if (npids == 0) {
    net_drop(s, iface, TRACE_DIR_RX, TRACE_PID_KERNEL, TRACE_DROP_NO_RECEIVER, (uint32_t)n, 0);
    return;
  }
  if (traced) {
    trace_build_net_deliver(&s->rec, s->clock, iface, seq, pids, npids);
    emit(s);
  }
  for (uint8_t i = 0; i < npids; i++) {
    pause_us(s, 10, 40);
    upcall(s, pids[i], rx_driver(iface), UPCALL_RX, (uint32_t)n, 0, 0);
  }
}

/* Appends `pid` to `pids` if it is running; returns the new count. */
static uint8_t add_if_running(const tock_sim* s, uint16_t* pids, uint8_t n, uint16_t pid) {
  if (s->running[pid]) pids[n++] = pid;
  return n;
}

/* ---- IPC ---- */

static void ipc_msg(tock_sim* s, uint8_t type, const trace_ipc_msg* m) {
  trace_build_ipc_msg(&s->rec, type, s->clock, m);
  emit(s);
}

static void mem_record(tock_sim* s, uint8_t type, const trace_mem* m) {
  trace_build_mem(&s->rec, type, s->clock, m);
  emit(s);
}

/* Client `src` sends a message to its service's server; delivered later. */
static void send_message(tock_sim* s, uint16_t src, uint32_t len, uint8_t mode) {
  const client_info* c = client_of(src);
  trace_ipc_msg m = {src, PID_NET, c->service_id, s->conn_id[src], s->next_msg_id++, len, mode};
  ipc_msg(s, TRACE_IPC_SEND, &m);
  schedule(s, us(rnd(s, 15, 150)), (sim_event){.kind = SIM_EV_IPC_RECV, .u.msg = m});
}

static void open_connection(tock_sim* s, const client_info* c) {
  uint16_t id = s->next_conn_id++;
  trace_ipc_conn conn = {c->pid, c->service_id, id, c->buffers, c->flags};
  trace_build_ipc_connect(&s->rec, s->clock, &conn);
  emit(s);
  s->conn_id[c->pid] = id;
  s->conn_open[c->pid] = 1;
}

static void close_connection(tock_sim* s, const client_info* c, uint8_t reason) {
  if (!s->conn_open[c->pid]) return;
  trace_ipc_conn conn = {c->pid, c->service_id, s->conn_id[c->pid], c->buffers, c->flags};
  trace_build_ipc_disconnect(&s->rec, s->clock, &conn, reason);
  emit(s);
  s->conn_open[c->pid] = 0;
}

static void discover(tock_sim* s, uint16_t pid, const char* name, uint16_t id) {
  uint8_t result = id == TRACE_SERVICE_NONE ? TRACE_DISCOVER_NOT_FOUND : TRACE_DISCOVER_OK;
  trace_build_ipc_discover(&s->rec, s->clock, pid, id, result, name);
  emit(s);
}

/* A client looks its service up (after its probe, if any) and connects;
 * retries later while the service is not registered. */
static void client_connect(tock_sim* s, uint16_t pid) {
  const client_info* c = client_of(pid);
  if (!s->running[pid] || s->conn_open[pid]) return;
  if (c->probe) {
    discover(s, pid, c->probe, TRACE_SERVICE_NONE);
    pause_us(s, 50, 200);
  }
  if (!s->services_up) {
    discover(s, pid, service_name(c->service_id), TRACE_SERVICE_NONE);
    schedule(s, ms(50), (sim_event){.kind = SIM_EV_CLIENT_CONNECT, .u.pid = pid});
    return;
  }
  discover(s, pid, service_name(c->service_id), c->service_id);
  pause_us(s, 40, 120);
  open_connection(s, c);
}

static void register_services(tock_sim* s) {
  for (size_t i = 0; i < N_SERVICES; i++) {
    trace_build_ipc_register(&s->rec, s->clock, PID_NET, kServices[i].id, kServices[i].name);
    emit(s);
    pause_us(s, 30, 80);
  }
  s->services_up = 1;
}

/* After the server restarts: reliable connections are re-established by the
 * kernel, the other clients look the service up again themselves. */
static void reconnect_clients(tock_sim* s) {
  for (size_t i = 0; i < N_CLIENTS; i++) {
    const client_info* c = &kClients[i];
    if (!s->running[c->pid] || s->conn_open[c->pid]) continue;
    if (c->flags & TRACE_CONN_RELIABLE) {
      pause_us(s, 20, 60);
      open_connection(s, c);
    } else {
      schedule(s, ms(rnd(s, 10, 40)), (sim_event){.kind = SIM_EV_CLIENT_CONNECT, .u.pid = c->pid});
    }
  }
}

/* ---- Processes ---- */

static void start_process(tock_sim* s, uint16_t pid) {
  trace_build_proc_start(&s->rec, s->clock, pid, s->restarts[pid], kProcs[pid].name);
  emit(s);
  s->running[pid] = 1;
}

static int involves(const sim_event* e, const void* ctx) {
  uint16_t pid = *(const uint16_t*)ctx;
  switch (e->kind) {
    case SIM_EV_IPC_RECV:
    case SIM_EV_FORWARD:
      return e->u.msg.src_pid == pid || e->u.msg.dst_pid == pid;
    case SIM_EV_RPC_RETURN:
      return e->u.rpc.client_pid == pid || e->u.rpc.server_pid == pid;
    case SIM_EV_MEM_REVOKE:
      return e->u.mem.owner_pid == pid || e->u.mem.grantee_pid == pid;
    case SIM_EV_COAP_REPLY:
      return pid == PID_NET;
    case SIM_EV_UPCALL:
      return e->u.upcall.pid == pid;
    case SIM_EV_RADIO_TX:
    case SIM_EV_CLIENT_CONNECT:
      return e->u.pid == pid;
    default:
      return 0;
  }
}

/* The kernel cleans up after a faulted process: its grants are revoked,
 * calls it was serving fail with CANCEL, everything else it had pending
 * is discarded. */
static void abort_pending(tock_sim* s, uint16_t pid) {
  sim_event e;
  while (sim_queue_take(&s->queue, involves, &pid, &e)) {
    if (e.kind == SIM_EV_MEM_REVOKE) {
      mem_record(s, TRACE_MEM_REVOKE, &e.u.mem);
    } else if (e.kind == SIM_EV_RPC_RETURN) {
      s->rpc_outstanding--;
      if (e.u.rpc.client_pid == pid) continue;
      e.u.rpc.len = 0;
      e.u.rpc.status = ERR_CANCEL;
      trace_build_rpc_return(&s->rec, s->clock, &e.u.rpc);
      emit(s);
    }
  }
}

static void log_fault(tock_sim* s, const trace_proc_fault* f, const char* what) {
  strbuf b;
  sb_init(&b, s->text, sizeof s->text);
  sb_puts(&b, "process ");
  sb_puts(&b, kProcs[f->pid].name);
  sb_puts(&b, what);
  sb_puthex32(&b, f->pc);
  sb_puts(&b, "; restarting");
  log_text(s, TRACE_LOG_WARN);
  console(s, "\r\npanicked process ");
  console(s, kProcs[f->pid].name);
  console(s, ": restarting\r\ntock$ ");
}

static void fault_process(tock_sim* s, const trace_proc_fault* f, uint32_t restart_ms) {
  trace_build_proc_fault(&s->rec, s->clock, f);
  emit(s);
  s->running[f->pid] = 0;
  pause_us(s, 20, 60);
  abort_pending(s, f->pid);
  if (f->pid == PID_NET) {
    s->services_up = 0;
    for (size_t i = 0; i < N_CLIENTS; i++)
      close_connection(s, &kClients[i], TRACE_DISC_SERVER_FAULT);
  } else {
    close_connection(s, client_of(f->pid), TRACE_DISC_CLIENT_FAULT);
  }
  schedule(s, ms(restart_ms), (sim_event){.kind = SIM_EV_PROC_RESTART, .u.pid = f->pid});
}

static void restart_process(tock_sim* s, uint16_t pid) {
  s->restarts[pid]++;
  trace_build_proc_restart(&s->rec, s->clock, pid, s->restarts[pid]);
  emit(s);
  pause_us(s, 200, 600);
  start_process(s, pid);
  if (pid == PID_NET) {
    pause_us(s, 500, 1500);
    register_services(s);
    reconnect_clients(s);
  } else {
    schedule(s, ms(rnd(s, 5, 15)), (sim_event){.kind = SIM_EV_CLIENT_CONNECT, .u.pid = pid});
  }
}

/* ---- Follow-up events ---- */

static void net_service_forward(tock_sim* s, const trace_ipc_msg* m) {
  strbuf b;
  sb_init(&b, (char*)s->payload, sizeof s->payload);
  size_t n;
  if (m->src_pid == PID_SENSOR) {
    s->temperature += (int32_t)rnd(s, 0, 6) - 3;
    if (s->temperature < 150 || s->temperature > 300) s->temperature = 215;
    char json[48];
    strbuf j;
    sb_init(&j, json, sizeof json);
    sb_puts(&j, "{\"pid\":1,\"t\":");
    sb_put_tenths(&j, s->temperature);
    sb_puts(&j, "}");
    net_coap_msg c = {
        NET_COAP_NON,  NET_COAP_POST, s->coap_msg_id++, (uint16_t)m->msg_id, "sensors/temp",
        NET_COAP_JSON, json};
    n = eth_to_host(s, COAP_PORT, COAP_PORT, coap(s, &c));
  } else {
    sb_puts(&b, "<134>1 - tock-qemu logger_client 2 - - batch ");
    sb_putu(&b, m->msg_id);
    sb_puts(&b, m->mode == TRACE_MODE_SHARED ? " shared " : " copied ");
    sb_putu(&b, m->len);
    sb_puts(&b, " bytes");
    n = eth_to_host(s, SYSLOG_PORT, SYSLOG_PORT, b.len);
  }
  net_frame(s, TRACE_NET_TX, IF_ETH, PID_NET, n, 0);
}

static void on_ipc_recv(tock_sim* s, const trace_ipc_msg* m) {
  ipc_msg(s, TRACE_IPC_RECV, m);
  pause_us(s, 5, 20);
  upcall(s, m->dst_pid, DRIVER_IPC, UPCALL_RX, m->src_pid, m->len, m->msg_id);
  schedule(s, us(rnd(s, 100, 400)), (sim_event){.kind = SIM_EV_FORWARD, .u.msg = *m});
}

static void on_rpc_return(tock_sim* s, const trace_rpc* r) {
  s->rpc_outstanding--;
  trace_build_rpc_return(&s->rec, s->clock, r);
  emit(s);
  pause_us(s, 5, 20);
  upcall(s, r->client_pid, DRIVER_IPC, UPCALL_TX_DONE, r->call_id, (uint32_t)r->status, r->len);
}

static void coap_reply(tock_sim* s, const sim_reply* r) {
  char value[16];
  strbuf b;
  sb_init(&b, value, sizeof value);
  sb_put_tenths(&b, s->temperature);
  net_coap_msg c = {NET_COAP_ACK, NET_COAP_CONTENT, r->msg_id, r->token, 0, NET_COAP_TEXT_PLAIN,
                    value};
  size_t n = eth_to_host(s, COAP_PORT, r->port, coap(s, &c));
  net_frame(s, TRACE_NET_TX, IF_ETH, PID_NET, n, 0);
}

/* The sensor sends a reading to the 802.15.4 coordinator. */
static void radio_tx(tock_sim* s, uint16_t pid) {
  if (!s->running[pid]) return;
  char value[16];
  strbuf b;
  sb_init(&b, value, sizeof value);
  sb_put_tenths(&b, s->temperature);
  net_wpan_hdr h = {s->wpan_seq++, WPAN_PAN_ID, wpan_short(WPAN_COORD_SHORT), wpan_ext(kDevEui64)};
  net_coap_msg c = {
      NET_COAP_NON,        NET_COAP_POST, s->coap_msg_id++, (uint16_t)rnd(s, 0, 0xFFFF), "t",
      NET_COAP_TEXT_PLAIN, value};
  size_t n = wpan_coap(s, &h, &c);
  if (!s->wpan_up) {
    net_drop(s, IF_WPAN, TRACE_DIR_TX, pid, TRACE_DROP_IFACE_DOWN, (uint32_t)n, n);
    return;
  }
  net_frame(s, TRACE_NET_TX, IF_WPAN, pid, n, 0);
  trace_upcall u = {pid, DRIVER_IEEE802154, UPCALL_TX_DONE, {0, (uint32_t)n, 0}};
  schedule(s, us(rnd(s, 2000, 5000)), (sim_event){.kind = SIM_EV_UPCALL, .u.upcall = u});
}

static void handle_event(tock_sim* s, const sim_event* e) {
  switch (e->kind) {
    case SIM_EV_IPC_RECV:
      on_ipc_recv(s, &e->u.msg);
      break;
    case SIM_EV_FORWARD:
      net_service_forward(s, &e->u.msg);
      break;
    case SIM_EV_RPC_RETURN:
      on_rpc_return(s, &e->u.rpc);
      break;
    case SIM_EV_MEM_REVOKE:
      mem_record(s, TRACE_MEM_REVOKE, &e->u.mem);
      break;
    case SIM_EV_PROC_RESTART:
      restart_process(s, e->u.pid);
      break;
    case SIM_EV_CLIENT_CONNECT:
      client_connect(s, e->u.pid);
      break;
    case SIM_EV_COAP_REPLY:
      coap_reply(s, &e->u.reply);
      break;
    case SIM_EV_RADIO_TX:
      radio_tx(s, e->u.pid);
      break;
    case SIM_EV_UPCALL:
      trace_build_upcall(&s->rec, s->clock, &e->u.upcall);
      emit(s);
      break;
    default:
      break;
  }
}

/* ---- Background activities ---- */

static void act_sensor_report(tock_sim* s) {
  if (!client_ready(s, PID_SENSOR)) return;
  upcall(s, PID_SENSOR, DRIVER_ALARM, 0, (uint32_t)s->clock, 0, 0);
  pause_us(s, 40, 120);
  send_message(s, PID_SENSOR, rnd(s, 12, 40), TRACE_MODE_COPY);
}

static void act_sensor_radio(tock_sim* s) { radio_tx(s, PID_SENSOR); }

static void act_log_line(tock_sim* s) {
  if (client_ready(s, PID_LOGGER)) send_message(s, PID_LOGGER, rnd(s, 24, 96), TRACE_MODE_COPY);
}

/* A large log batch goes by shared memory: grant, send, revoke when done. */
static void act_log_batch(tock_sim* s) {
  if (!client_ready(s, PID_LOGGER) || sim_queue_count(&s->queue, SIM_EV_MEM_REVOKE) >= MAX_GRANTS) {
    return;
  }
  s->grant_slot ^= 1u;
  trace_mem g = {PID_LOGGER, PID_NET, kProcs[PID_LOGGER].ram + 0x1000u + s->grant_slot * 0x800u,
                 256u * rnd(s, 2, 8), TRACE_ACCESS_READ};
  mem_record(s, TRACE_MEM_GRANT, &g);
  pause_us(s, 10, 40);
  send_message(s, PID_LOGGER, g.len, TRACE_MODE_SHARED);
  schedule(s, us(rnd(s, 2000, 6000)), (sim_event){.kind = SIM_EV_MEM_REVOKE, .u.mem = g});
}

/* RPC latency in microseconds: depends on the method, with a slow tail. */
static uint32_t rpc_latency_us(tock_sim* s, uint16_t method) {
  static const uint32_t kRange[][2] = {{150, 2000}, {800, 8000}, {500, 3000}, {4000, 30000}};
  uint32_t lat = rnd(s, kRange[method - 1][0], kRange[method - 1][1]);
  return prng_chance(&s->rng, 5) ? lat + 50000u : lat;
}

static void rpc_result(tock_sim* s, trace_rpc* c) {
  static const uint32_t kRetLen[][2] = {{4, 64}, {0, 0}, {0, 0}, {32, 480}};
  c->len = rnd(s, kRetLen[c->method - 1][0], kRetLen[c->method - 1][1]);
  c->status = 0;
  if (c->method == RPC_GET && prng_chance(&s->rng, 8)) c->status = ERR_NOSUPPORT; /* no such key */
  if (c->method == RPC_PUT && prng_chance(&s->rng, 3)) c->status = ERR_NOMEM;
  if (c->status != 0) c->len = 0;
}

static void act_rpc_call(tock_sim* s) {
  if (!client_ready(s, PID_RPC) || s->rpc_outstanding >= MAX_RPC_OUTSTANDING) return;
  static const uint16_t kMethods[] = {RPC_GET, RPC_GET,    RPC_GET, RPC_PUT,
                                      RPC_PUT, RPC_DELETE, RPC_LIST};
  trace_rpc c = {PID_RPC, PID_NET, SVC_KV, kMethods[rnd(s, 0, 6)], s->next_call_id++, 0, 0};
  c.len = c.method == RPC_PUT ? rnd(s, 8, 200) : rnd(s, 4, 24);
  trace_build_rpc_call(&s->rec, s->clock, &c);
  emit(s);
  s->rpc_outstanding++;
  uint64_t latency = us(rpc_latency_us(s, c.method));
  rpc_result(s, &c);
  schedule(s, latency, (sim_event){.kind = SIM_EV_RPC_RETURN, .u.rpc = c});
}

/* The host asks net_service for a value by CoAP; it answers shortly after. */
static void act_eth_request(tock_sim* s) {
  static const char* const kPaths[] = {"kv/temp", "kv/uptime", "kv/config"};
  sim_reply r = {s->coap_msg_id++, (uint16_t)rnd(s, 0, 0xFFFF), ephemeral_port(s)};
  net_coap_msg c = {NET_COAP_CON, NET_COAP_GET, r.msg_id, r.token, kPaths[rnd(s, 0, 2)], -1, 0};
  size_t n = eth_from_host(s, r.port, COAP_PORT, coap(s, &c));
  uint16_t pids[1];
  uint8_t np = add_if_running(s, pids, 0, PID_NET);
  rx_frame(s, IF_ETH, n, pids, np);
  if (np == 0) return;
  schedule(s, us(rnd(s, 200, 900)), (sim_event){.kind = SIM_EV_COAP_REPLY, .u.reply = r});
}

static void act_eth_multicast(tock_sim* s) {
  size_t n = eth_coap_discovery(s, kHostMac);
  uint16_t pids[3];
  uint8_t np = add_if_running(s, pids, 0, PID_NET);
  np = add_if_running(s, pids, np, PID_SENSOR);
  np = add_if_running(s, pids, np, PID_RPC);
  rx_frame(s, IF_ETH, n, pids, np);
}

/* A multicast frame that rpc_client should get, but its queue is full. */
static void act_queue_full(tock_sim* s) {
  size_t n = eth_coap_discovery(s, kHostMac);
  uint16_t pids[2];
  uint8_t np = add_if_running(s, pids, 0, PID_NET);
  np = add_if_running(s, pids, np, PID_SENSOR);
  rx_frame(s, IF_ETH, n, pids, np);
  if (np == 0) return;
  pause_us(s, 5, 20);
  net_drop(s, IF_ETH, TRACE_DIR_RX, PID_RPC, TRACE_DROP_QUEUE_FULL, (uint32_t)n, 0);
}

static void act_eth_unbound(tock_sim* s) {
  strbuf b;
  sb_init(&b, (char*)s->payload, sizeof s->payload);
  sb_puts(&b, "probe ");
  sb_putu(&b, s->next_msg_id);
  size_t n = eth_from_host(s, ephemeral_port(s), DISCARD_PORT, b.len);
  rx_frame(s, IF_ETH, n, 0, 0);
}

/* net_service tries to send a datagram larger than the Ethernet MTU. */
static void act_tx_too_big(tock_sim* s) {
  if (!s->running[PID_NET]) return;
  enum { kPayload = 1560, kRecorded = 64 };
  for (size_t i = 0; i < kPayload; i++) s->payload[i] = (uint8_t)('a' + i % 26);
  size_t n = eth_to_host(s, SYSLOG_PORT, SYSLOG_PORT, kPayload);
  net_drop(s, IF_ETH, TRACE_DIR_TX, PID_NET, TRACE_DROP_TOO_BIG, (uint32_t)n, kRecorded);
}

static void act_wpan_rx(tock_sim* s) {
  if (!s->wpan_up) return;
  net_wpan_hdr h = {s->coord_seq++, WPAN_PAN_ID, wpan_ext(kDevEui64), wpan_short(WPAN_COORD_SHORT)};
  net_coap_msg c = {
      NET_COAP_NON, NET_COAP_POST,       s->coap_msg_id++, (uint16_t)rnd(s, 0, 0xFFFF),
      "cfg",        NET_COAP_TEXT_PLAIN, "interval=5"};
  size_t n = wpan_coap(s, &h, &c);
  uint16_t pids[1];
  rx_frame(s, IF_WPAN, n, pids, add_if_running(s, pids, 0, PID_SENSOR));
}

static void act_wpan_broadcast(tock_sim* s) {
  if (!s->wpan_up) return;
  net_wpan_hdr h = {(uint8_t)rnd(s, 0, 255), WPAN_PAN_ID, wpan_short(0xFFFF),
                    wpan_ext(kNeighborEui64)};
  net_coap_msg c = {NET_COAP_NON,
                    NET_COAP_GET,
                    s->coap_msg_id++,
                    (uint16_t)rnd(s, 0, 0xFFFF),
                    ".well-known/core",
                    -1,
                    0};
  size_t n = wpan_coap(s, &h, &c);
  uint16_t pids[2];
  uint8_t np = add_if_running(s, pids, 0, PID_SENSOR);
  rx_frame(s, IF_WPAN, n, pids, add_if_running(s, pids, np, PID_RPC));
}

static void act_alarm(tock_sim* s) {
  uint16_t pid = rnd(s, 0, 1) ? PID_RPC : PID_LOGGER;
  if (s->running[pid]) upcall(s, pid, DRIVER_ALARM, 0, (uint32_t)s->clock, 0, 0);
}

static void act_kernel_log(tock_sim* s) {
  strbuf b;
  sb_init(&b, s->text, sizeof s->text);
  if (rnd(s, 0, 1)) {
    sb_puts(&b, "trace: seq ");
    sb_putu(&b, s->link->next_seq);
    sb_puts(&b, ", ");
    sb_putu(&b, s->link->dropped_total);
    sb_puts(&b, " records dropped since boot");
    log_text(s, TRACE_LOG_INFO);
    return;
  }
  sb_puts(&b, "ipc: ");
  sb_putu(&b, s->next_msg_id);
  sb_puts(&b, " messages, ");
  sb_putu(&b, s->next_call_id);
  sb_puts(&b, " rpc calls, ");
  sb_putu(&b, s->rpc_outstanding);
  sb_puts(&b, " outstanding");
  log_text(s, TRACE_LOG_DEBUG);
  console(s, "\r\n");
  console(s, s->text);
  console(s, "\r\ntock$ ");
}

typedef struct activity {
  uint8_t weight;
  void (*run)(tock_sim*);
} activity;

static const activity kActivities[] = {
    {18, act_sensor_report}, {6, act_sensor_radio}, {18, act_rpc_call},     {6, act_log_batch},
    {8, act_log_line},       {9, act_eth_request},  {3, act_eth_multicast}, {2, act_queue_full},
    {2, act_eth_unbound},    {1, act_tx_too_big},   {8, act_wpan_rx},       {2, act_wpan_broadcast},
    {4, act_alarm},          {2, act_kernel_log},
};
#define N_ACTIVITIES (sizeof kActivities / sizeof kActivities[0])

static void run_activity(tock_sim* s) {
  uint32_t total = 0;
  for (size_t i = 0; i < N_ACTIVITIES; i++) total += kActivities[i].weight;
  uint32_t pick = rnd(s, 0, total - 1);
  size_t i = 0;
  while (pick >= kActivities[i].weight) pick -= kActivities[i++].weight;
  if (sim_queue_size(&s->queue) + QUEUE_HEADROOM < SIM_QUEUE_CAP) kActivities[i].run(s);
}

/* ---- The scripted cycle ---- */

static void tl_client_fault(tock_sim* s) {
  const proc_info* p = &kProcs[PID_LOGGER];
  trace_proc_fault f = {PID_LOGGER, TRACE_FAULT_MPU, TRACE_ACTION_RESTART,
                        p->ram + p->ram_len + 0x10u, p->flash + 0x3a0u + 2u * rnd(s, 0, 63)};
  log_fault(s, &f, ": PMP violation at pc ");
  fault_process(s, &f, 100);
}

static void tl_radio_down(tock_sim* s) {
  trace_build_net_down(&s->rec, s->clock, IF_WPAN, TRACE_DOWN_ADMIN);
  emit(s);
  s->wpan_up = 0;
  schedule(s, ms(100), (sim_event){.kind = SIM_EV_RADIO_TX, .u.pid = PID_SENSOR});
}

static void tl_radio_up(tock_sim* s) {
  trace_build_net_up(&s->rec, s->clock, IF_WPAN);
  emit(s);
  s->wpan_up = 1;
}

/* A burst of multicast frames: net_service's queue fills after a few, and
 * the trace buffer overflows (OVERFLOW records follow). */
static void tl_storm(tock_sim* s) {
  static const uint32_t kFrames = DEMO_STORM_FRAMES;
  if (kFrames == 0) return;
  uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x00};
  uint16_t pids[1];
  uint8_t np = add_if_running(s, pids, 0, PID_NET);
  for (uint32_t i = 0; i < kFrames; i++) {
    mac[5] = (uint8_t)i;
    size_t n = eth_coap_discovery(s, mac);
    if (i < 4 || np == 0) {
      rx_frame(s, IF_ETH, n, pids, np);
    } else {
      net_frame(s, TRACE_NET_RX, IF_ETH, TRACE_PID_KERNEL, n, 0);
      net_drop(s, IF_ETH, TRACE_DIR_RX, PID_NET, TRACE_DROP_QUEUE_FULL, (uint32_t)n, 0);
    }
    pause_us(s, 40, 80);
  }
  strbuf b;
  sb_init(&b, s->text, sizeof s->text);
  sb_puts(&b, "eth0: multicast storm, ");
  sb_putu(&b, kFrames);
  sb_puts(&b, " frames");
  log_text(s, TRACE_LOG_WARN);
}

static void tl_server_fault(tock_sim* s) {
  trace_proc_fault f = {PID_NET, TRACE_FAULT_PANIC, TRACE_ACTION_RESTART, 0,
                        kProcs[PID_NET].flash + 0x1f00u + 2u * rnd(s, 0, 127)};
  log_fault(s, &f, ": panic at pc ");
  fault_process(s, &f, 150);
}

static void tl_status(tock_sim* s) {
  strbuf b;
  sb_init(&b, s->text, sizeof s->text);
  sb_puts(&b, "demo: cycle ");
  sb_putu(&b, s->cycle);
  sb_puts(&b, " done, restarts: net_service ");
  sb_putu(&b, s->restarts[PID_NET]);
  sb_puts(&b, ", logger_client ");
  sb_putu(&b, s->restarts[PID_LOGGER]);
  log_text(s, TRACE_LOG_INFO);
}

typedef struct timeline_step {
  uint16_t permille; /* of the cycle */
  void (*run)(tock_sim*);
} timeline_step;

static const timeline_step kTimeline[] = {
    {200, tl_client_fault}, {375, tl_radio_down},   {450, tl_radio_up},
    {550, tl_storm},        {750, tl_server_fault}, {975, tl_status},
};
#define N_STEPS (sizeof kTimeline / sizeof kTimeline[0])

static void plan_timeline(tock_sim* s) {
  uint32_t at_ms = (uint32_t)DEMO_CYCLE_MS * kTimeline[s->timeline_step].permille / 1000u;
  s->next_timeline = s->cycle_start + ms(at_ms);
}

static void run_timeline(tock_sim* s) {
  kTimeline[s->timeline_step].run(s);
  if (++s->timeline_step == N_STEPS) {
    s->timeline_step = 0;
    s->cycle++;
    s->cycle_start += ms(DEMO_CYCLE_MS);
  }
  plan_timeline(s);
}

/* ---- Driver ---- */

/* The interface table of HELLO, with the addresses the frames use. */
static void describe_ifaces(trace_iface ifaces[N_IFACES]) {
  static const trace_iface kEth = {
      IF_ETH, TRACE_KIND_ETHERNET, TRACE_LINKTYPE_ETHERNET, 1500, 6, {0}, "eth0"};
  static const trace_iface kWpan = {
      IF_WPAN, TRACE_KIND_IEEE802154, TRACE_LINKTYPE_IEEE802_15_4_NOFCS, 127, 8, {0}, "wpan0"};
  ifaces[IF_ETH] = kEth;
  ifaces[IF_WPAN] = kWpan;
  for (int i = 0; i < 6; i++) ifaces[IF_ETH].addr[i] = kDevMac[i];
  for (int i = 0; i < 8; i++) ifaces[IF_WPAN].addr[i] = kDevEui64[i];
}

static void send_hello(tock_sim* s, uint64_t due) {
  trace_iface ifaces[N_IFACES];
  describe_ifaces(ifaces);
  trace_hello h = {DEMO_TICK_HZ, TRACE_MAX_PAYLOAD, DEMO_BOARD, DEMO_KERNEL_VERSION,
                   ifaces,       N_IFACES};
  trace_build_hello(&s->rec, s->clock, &h);
  s->next_hello = due + (emit(s) ? ms(DEMO_HELLO_PERIOD_MS) : ms(10));
}

/* Next start of a periodic activity, not catching up on a backlog. */
static uint64_t next_activity_after(tock_sim* s, uint64_t due, uint64_t now) {
  uint32_t period_us = 1000000u / DEMO_ACTIVITY_HZ;
  uint64_t next = due + us(rnd(s, period_us / 2, period_us + period_us / 2));
  return next + ms(50) < now ? now : next;
}

static void boot(tock_sim* s) {
  send_hello(s, s->clock);
  strbuf b;
  sb_init(&b, s->text, sizeof s->text);
  sb_puts(&b, "Tock " DEMO_KERNEL_VERSION " on " DEMO_BOARD ": tockctl demo kernel started");
  log_text(s, TRACE_LOG_INFO);
  for (uint16_t pid = 0; pid < TOCK_SIM_PROCS; pid++) {
    pause_us(s, 200, 400);
    start_process(s, pid);
  }
  for (uint8_t i = 0; i < N_IFACES; i++) {
    pause_us(s, 300, 800);
    trace_build_net_up(&s->rec, s->clock, i);
    emit(s);
  }
  s->wpan_up = 1;
  pause_us(s, 1000, 2000);
  register_services(s);
  for (size_t i = 0; i < N_CLIENTS; i++) {
    schedule(s, ms(rnd(s, 5, 20)),
             (sim_event){.kind = SIM_EV_CLIENT_CONNECT, .u.pid = kClients[i].pid});
  }
}

void tock_sim_init(tock_sim* s, trace_link* link, uint64_t now) {
  uint8_t* bytes = (uint8_t*)s;
  for (size_t i = 0; i < sizeof *s; i++) bytes[i] = 0;
  s->link = link;
  prng_seed(&s->rng, DEMO_SEED);
  sim_queue_init(&s->queue);
  s->clock = now;
  s->cycle_start = now;
  s->next_conn_id = 1;
  s->next_msg_id = 1;
  s->next_call_id = 1;
  s->coap_msg_id = (uint16_t)rnd(s, 0, 0xFFFF);
  s->temperature = 215;
  console(s, "Initialization complete. Entering main loop\r\n");
  boot(s);
  console(s, "tock$ ");
  s->next_activity = s->clock + ms(30);
  plan_timeline(s);
}

void tock_sim_describe(const tock_sim* s, uint16_t pid, tock_sim_proc_view* v) {
  v->name = kProcs[pid].name;
  v->upcalls = s->upcalls[pid];
  v->restarts = s->restarts[pid];
  v->running = s->running[pid];
  v->connections = pid == PID_NET ? (s->services_up ? (uint8_t)N_SERVICES : 0) : s->conn_open[pid];
}

uint64_t tock_sim_next_due(const tock_sim* s) {
  uint64_t due = sim_queue_next_due(&s->queue);
  if (s->next_hello < due) due = s->next_hello;
  if (s->next_activity < due) due = s->next_activity;
  if (s->next_timeline < due) due = s->next_timeline;
  return due;
}

/* Handles the earliest thing due at or before `now`; 0 if nothing is due. */
static int run_one(tock_sim* s, uint64_t now) {
  uint64_t due = tock_sim_next_due(s);
  if (due > now) return 0;
  if (s->clock < due) s->clock = due;
  sim_event e;
  if (due == s->next_hello) {
    send_hello(s, due);
  } else if (due == s->next_timeline) {
    run_timeline(s);
  } else if (due == s->next_activity) {
    run_activity(s);
    s->next_activity = next_activity_after(s, due, now);
  } else if (sim_queue_pop_due(&s->queue, now, &e)) {
    handle_event(s, &e);
  }
  return 1;
}

void tock_sim_run(tock_sim* s, uint64_t now) {
  while (run_one(s, now)) {
  }
}
