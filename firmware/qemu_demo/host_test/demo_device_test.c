/* Runs the demo device (the firmware's logic without the hardware) for a
 * stretch of simulated time, decodes its UART output and checks the stream:
 * valid frames, HELLO first and at least every 2 s, consecutive seq numbers,
 * non-decreasing ticks, every record type, NET_DELIVER pointing at a NET_RX,
 * calls/messages/grants paired, correct UDP checksums, the line rate kept,
 * and the same bytes on every run.
 *
 * Usage: demo_device_test [--seconds N] [--lossless] [--write FILE]
 *   --lossless  the build has no multicast storm: require zero dropped
 *               records and every pair matched. */
#include "../demo_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stream_decode.h"

typedef struct capture {
  unsigned char* data;
  size_t len, cap;
} capture;

static int capture_put(void* ctx, uint8_t byte) {
  capture* c = ctx;
  if (c->len == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 65536;
    c->data = realloc(c->data, c->cap);
  }
  c->data[c->len++] = byte;
  return 1;
}

static demo_device g_device;

/* Runs the device from tick 0 for `seconds`, stepping as the firmware does. */
static capture run_device(unsigned seconds) {
  capture c = {0};
  uint64_t end = (uint64_t)seconds * DEMO_TICK_HZ, now = 0;
  demo_device_init(&g_device, now, capture_put, &c);
  while (now < end) {
    uint64_t wake = demo_device_step(&g_device, now);
    now = wake > now ? wake : now + 1;
  }
  return c;
}

/* A small set of u32 keys (outstanding call ids, message ids, grants). */
typedef struct key_set {
  uint64_t keys[256];
  size_t n;
  unsigned long unmatched;
} key_set;

static void set_add(key_set* s, uint64_t k) {
  if (s->n < 256) s->keys[s->n++] = k;
}

static void set_take(key_set* s, uint64_t k) {
  for (size_t i = 0; i < s->n; i++) {
    if (s->keys[i] == k) {
      s->keys[i] = s->keys[--s->n];
      return;
    }
  }
  s->unmatched++;
}

typedef struct stream_stats {
  unsigned long by_type[256];
  unsigned long records, dropped;
  uint64_t last_hello, max_hello_gap, last_ticks;
  uint32_t next_seq;
  key_set calls, msgs, grants;
  uint32_t rx_seqs[4096]; /* seq of NET_RX records, by seq modulo size */
  unsigned long bad_deliver, bad_udp, overflow_total_mismatch;
  uint32_t last_total_dropped;
} stream_stats;

static uint16_t udp_sum(const uint8_t* ip, const uint8_t* udp, size_t len) {
  uint32_t acc = 0;
  for (int i = 8; i < 40; i += 2) acc += (uint32_t)(ip[i] << 8 | ip[i + 1]); /* src, dst */
  acc += (uint32_t)len + 17;
  for (size_t i = 0; i < len; i += 2)
    acc += (uint32_t)(udp[i] << 8 | (i + 1 < len ? udp[i + 1] : 0));
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return (uint16_t)acc;
}

/* Ethernet IPv6/UDP frames in NET_TX/NET_RX must carry correct checksums. */
static void check_eth_frame(stream_stats* st, const decoded_record* r) {
  if (r->body[0] != 0 || (r->flags & TRACE_FLAG_TRUNCATED)) return;
  const uint8_t* f = r->body + 7;
  size_t n = r->body_len - 7;
  if (n < 62 || f[12] != 0x86 || f[13] != 0xDD || f[20] != 17) {
    st->bad_udp++;
    return;
  }
  size_t udp_len = (size_t)(f[18] << 8 | f[19]);
  if (udp_len + 54 != n || udp_sum(&f[14], &f[54], udp_len) != 0xFFFF) st->bad_udp++;
}

static void check_hello(stream_stats* st, const decoded_record* r) {
  EXPECT_EQ(read_u32(r->body), DEMO_TICK_HZ);
  EXPECT_TRUE(r->body[6] == strlen(DEMO_BOARD) && !memcmp(&r->body[7], DEMO_BOARD, r->body[6]));
  if (st->by_type[TRACE_HELLO] > 0 && r->ticks - st->last_hello > st->max_hello_gap) {
    st->max_hello_gap = r->ticks - st->last_hello;
  }
  st->last_hello = r->ticks;
}

static void check_pairs(stream_stats* st, const decoded_record* r) {
  const uint8_t* b = r->body;
  switch (r->type) {
    case TRACE_RPC_CALL:
      set_add(&st->calls, read_u32(b + 8));
      break;
    case TRACE_RPC_RETURN:
      set_take(&st->calls, read_u32(b + 8));
      break;
    case TRACE_IPC_SEND:
      set_add(&st->msgs, read_u32(b + 8));
      break;
    case TRACE_IPC_RECV:
      set_take(&st->msgs, read_u32(b + 8));
      break;
    case TRACE_MEM_GRANT:
      set_add(&st->grants, (uint64_t)read_u32(b + 4) << 32 | read_u32(b + 8));
      break;
    case TRACE_MEM_REVOKE:
      set_take(&st->grants, (uint64_t)read_u32(b + 4) << 32 | read_u32(b + 8));
      break;
    default:
      break;
  }
}

static void check_record(stream_stats* st, const decoded_record* r) {
  EXPECT_EQ(r->version, 2u);
  if (st->records == 0) EXPECT_EQ(r->type, TRACE_HELLO);
  EXPECT_EQ(r->seq, st->next_seq);
  EXPECT_TRUE(r->ticks >= st->last_ticks);
  st->next_seq = r->seq + 1;
  st->last_ticks = r->ticks;
  if (r->type == TRACE_HELLO) check_hello(st, r);
  if (r->type == TRACE_NET_RX) st->rx_seqs[r->seq % 4096] = r->seq;
  if (r->type == TRACE_NET_DELIVER &&
      st->rx_seqs[read_u32(r->body + 1) % 4096] != read_u32(r->body + 1)) {
    st->bad_deliver++;
  }
  if (r->type == TRACE_NET_TX || r->type == TRACE_NET_RX) check_eth_frame(st, r);
  if (r->type == TRACE_OVERFLOW) {
    st->dropped += read_u32(r->body);
    if (read_u32(r->body + 4) != st->last_total_dropped + read_u32(r->body))
      st->overflow_total_mismatch++;
    st->last_total_dropped = read_u32(r->body + 4);
  }
  check_pairs(st, r);
  st->by_type[r->type]++;
  st->records++;
}

static const uint8_t kAllTypes[] = {TRACE_HELLO,          TRACE_LOG,          TRACE_OVERFLOW,
                                    TRACE_PROC_START,     TRACE_PROC_FAULT,   TRACE_PROC_RESTART,
                                    TRACE_IPC_REGISTER,   TRACE_IPC_DISCOVER, TRACE_IPC_CONNECT,
                                    TRACE_IPC_DISCONNECT, TRACE_IPC_SEND,     TRACE_IPC_RECV,
                                    TRACE_RPC_CALL,       TRACE_RPC_RETURN,   TRACE_MEM_GRANT,
                                    TRACE_MEM_REVOKE,     TRACE_UPCALL,       TRACE_NET_UP,
                                    TRACE_NET_DOWN,       TRACE_NET_TX,       TRACE_NET_RX,
                                    TRACE_NET_DROP,       TRACE_NET_DELIVER};

static void check_stream(const capture* c, unsigned seconds, int lossless) {
  static stream_stats st;
  static stream_decoder d;
  memset(&st, 0, sizeof st);
  stream_decoder_init(&d);
  decoded_record r;
  for (size_t i = 0; i < c->len; i++) {
    if (stream_decoder_push(&d, c->data[i], &r)) check_record(&st, &r);
  }
  EXPECT_EQ(d.corrupt, 0u);
  static const char kBanner[] = "Initialization complete. Entering main loop\r\n";
  EXPECT_TRUE(c->len > sizeof kBanner && memcmp(c->data, kBanner, sizeof kBanner - 1) == 0);
  EXPECT_TRUE(d.console_bytes >= sizeof kBanner - 1 + 6); /* banner and prompt */
  EXPECT_BYTES(d.console, sizeof kBanner - 1, (const uint8_t*)kBanner, sizeof kBanner - 1);
  EXPECT_TRUE(st.max_hello_gap <= 2ull * DEMO_TICK_HZ);
  EXPECT_EQ(st.bad_deliver, 0u);
  EXPECT_EQ(st.bad_udp, 0u);
  EXPECT_EQ(st.overflow_total_mismatch, 0u);
  EXPECT_TRUE(c->len <= (size_t)seconds * (DEMO_UART_BAUD / 10u) + 64); /* line rate kept */
  for (size_t i = 0; i < sizeof kAllTypes; i++) {
    if (lossless && kAllTypes[i] == TRACE_OVERFLOW) continue;
    if (st.by_type[kAllTypes[i]] == 0) fprintf(stderr, "no record of type 0x%02x\n", kAllTypes[i]);
    EXPECT_TRUE(st.by_type[kAllTypes[i]] > 0);
  }
  unsigned long unmatched = st.calls.unmatched + st.msgs.unmatched + st.grants.unmatched;
  if (lossless) {
    EXPECT_EQ(st.dropped, 0u);
    EXPECT_EQ(unmatched, 0u);
  } else {
    EXPECT_TRUE(st.dropped > 0);
    EXPECT_TRUE(unmatched <= st.dropped);
  }
  printf(
      "%u s: %lu records (%lu/s), %zu bytes (%zu B/s, line %u B/s), %lu dropped, "
      "max HELLO gap %llu ms\n",
      seconds, st.records, st.records / seconds, c->len, c->len / seconds, DEMO_UART_BAUD / 10u,
      st.dropped, (unsigned long long)(st.max_hello_gap / (DEMO_TICK_HZ / 1000u)));
}

int main(int argc, char** argv) {
  unsigned seconds = 20;
  int lossless = 0;
  const char* write_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--lossless"))
      lossless = 1;
    else if (!strcmp(argv[i], "--write") && i + 1 < argc)
      write_path = argv[++i];
    else {
      fprintf(stderr, "usage: demo_device_test [--seconds N] [--lossless] [--write FILE]\n");
      return 2;
    }
  }
  if (seconds == 0) seconds = 1;
  capture first = run_device(seconds);
  check_stream(&first, seconds, lossless);
  capture second = run_device(seconds);
  EXPECT_BYTES(second.data, second.len, first.data, first.len); /* deterministic */
  if (write_path) {
    FILE* f = fopen(write_path, "wb");
    EXPECT_TRUE(f && fwrite(first.data, 1, first.len, f) == first.len);
    if (f) fclose(f);
  }
  free(first.data);
  free(second.data);
  return check_exit_code("demo_device_test");
}
