/* Host tests of the demo firmware's encoder pieces: CRC-32C, COBS, the
 * worked examples of docs/trace-protocol.md, string clipping, truncation,
 * the trace link's seq/overflow accounting, and the frame builders. */
#include "../trace_enc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../netframe.h"
#include "../trace_link.h"
#include "../uart_pacer.h"
#include "check.h"
#include "stream_decode.h"

static trace_rec g_rec;
static uint8_t g_out[TRACE_MAX_FRAME];

static void test_crc32c(void) {
  EXPECT_EQ(trace_crc32c((const uint8_t*)"123456789", 9), 0xE3069283u);
  EXPECT_EQ(trace_crc32c((const uint8_t*)"", 0), 0u);
}

static void expect_cobs(const uint8_t* in, size_t n, const uint8_t* want, size_t want_n) {
  uint8_t enc[600], dec[600];
  size_t got = trace_cobs_encode(in, n, enc, sizeof enc);
  EXPECT_BYTES(enc, got, want, want_n);
  long back = cobs_decode(enc, got, dec, sizeof dec);
  EXPECT_BYTES(dec, (size_t)back, in, n);
}

/* The table of worked COBS examples in the spec, section 2.1. */
static void test_cobs_vectors(void) {
  expect_cobs((const uint8_t*)"", 0, (const uint8_t*)"\x01", 1);
  expect_cobs((const uint8_t*)"\x00", 1, (const uint8_t*)"\x01\x01", 2);
  expect_cobs((const uint8_t*)"\x11\x22\x00\x33", 4, (const uint8_t*)"\x03\x11\x22\x02\x33", 5);
  expect_cobs((const uint8_t*)"\x11\x00\x00", 3, (const uint8_t*)"\x02\x11\x01\x01", 4);
  uint8_t run[255], want[257];
  for (int i = 0; i < 255; i++) run[i] = (uint8_t)(i + 1);
  want[0] = 0xFF;
  memcpy(&want[1], run, 254);
  expect_cobs(run, 254, want, 255); /* full block: no trailing 01 */
  want[255] = 0x02;
  want[256] = 0xFF;
  expect_cobs(run, 255, want, 257);
  EXPECT_EQ(trace_cobs_encode(run, 255, g_out, 256), 0u); /* too small */
}

/* Spec section 9: IPC_SEND seq 5, ticks 12345. */
static void test_worked_ipc_send(void) {
  static const uint8_t kWire[] = {0x00, 0x05, 0xc0, 0xc1, 0x02, 0x24, 0x01, 0x02, 0x05, 0x01, 0x01,
                                  0x03, 0x39, 0x30, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x02,
                                  0x02, 0x02, 0x03, 0x02, 0x07, 0x02, 0x2a, 0x01, 0x01, 0x02, 0x10,
                                  0x01, 0x01, 0x01, 0x05, 0xfc, 0x22, 0x6e, 0xa4, 0x00};
  trace_ipc_msg m = {1, 2, 3, 7, 42, 16, TRACE_MODE_COPY};
  trace_build_ipc_msg(&g_rec, TRACE_IPC_SEND, 12345, &m);
  size_t n = trace_rec_frame(&g_rec, 5, g_out, sizeof g_out);
  EXPECT_BYTES(g_out, n, kWire, sizeof kWire);
}

/* Spec section 9: HELLO seq 0, ticks 0, one Ethernet interface. */
static void test_worked_hello(void) {
  static const uint8_t kWire[] = {
      0x00, 0x05, 0xc0, 0xc1, 0x02, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
      0x01, 0x01, 0x01, 0x01, 0x04, 0x40, 0x42, 0x0f, 0x01, 0x16, 0x08, 0x0e, 0x71, 0x65, 0x6d,
      0x75, 0x5f, 0x72, 0x76, 0x33, 0x32, 0x5f, 0x76, 0x69, 0x72, 0x74, 0x03, 0x32, 0x2e, 0x32,
      0x01, 0x03, 0x01, 0x01, 0x05, 0xdc, 0x05, 0x06, 0x02, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01,
      0x0a, 0x04, 0x65, 0x74, 0x68, 0x30, 0x45, 0x9a, 0x9f, 0xb6, 0x00};
  static const trace_iface kEth = {
      0,     TRACE_KIND_ETHERNET, TRACE_LINKTYPE_ETHERNET, 1500, 6, {0x02, 0, 0, 0, 0, 0x01, 0, 0},
      "eth0"};
  trace_hello h = {1000000, 2048, "qemu_rv32_virt", "2.2", &kEth, 1};
  trace_build_hello(&g_rec, 0, &h);
  size_t n = trace_rec_frame(&g_rec, 0, g_out, sizeof g_out);
  EXPECT_BYTES(g_out, n, kWire, sizeof kWire);
}

/* Service names are cut to 20 bytes without splitting a character. */
static void test_string_clipping(void) {
  trace_build_ipc_register(&g_rec, 0, 1, 2,
                           "\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2"
                           "\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2"); /* 7 x 3 bytes */
  EXPECT_EQ(g_rec.bytes[TRACE_HEADER_LEN + 4], 18u);
  trace_build_ipc_register(&g_rec, 0, 1, 2, "abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(g_rec.bytes[TRACE_HEADER_LEN + 4], 20u);
  trace_build_proc_start(&g_rec, 0, 1, 0, "sensor_client");
  EXPECT_EQ(g_rec.bytes[TRACE_HEADER_LEN + 4], 13u);
}

static uint16_t header_flags(void) { return read_u16(&g_rec.bytes[2]); }

static void test_truncation(void) {
  static uint8_t frame[600];
  trace_net_frame f = {0, 3, 600, frame, 600};
  trace_build_net_frame(&g_rec, TRACE_NET_TX, 0, &f);
  EXPECT_EQ(header_flags(), 0u);
  EXPECT_EQ(g_rec.len, TRACE_HEADER_LEN + 7u + 600u);
  f.len = 64;
  trace_build_net_frame(&g_rec, TRACE_NET_TX, 0, &f);
  EXPECT_EQ(header_flags(), TRACE_FLAG_TRUNCATED);
  trace_build_net_drop(&g_rec, 0, &f, TRACE_DIR_RX, TRACE_DROP_NO_RECEIVER);
  EXPECT_EQ(header_flags(), TRACE_FLAG_TRUNCATED);
  f.len = 600;
  trace_rec_set_max_payload(&g_rec, 512);
  trace_build_net_frame(&g_rec, TRACE_NET_RX, 0, &f);
  EXPECT_EQ(header_flags(), TRACE_FLAG_TRUNCATED);
  EXPECT_EQ(g_rec.len + TRACE_CRC_LEN, 512u);
  trace_rec_set_max_payload(&g_rec, TRACE_MAX_PAYLOAD);
}

static size_t drain(trace_link* l, uint8_t* out, size_t cap) {
  size_t total = 0;
  const uint8_t* p;
  size_t n;
  while ((n = trace_link_peek(l, &p)) > 0 && total + n <= cap) {
    memcpy(&out[total], p, n);
    total += n;
    trace_link_consume(l, n);
  }
  return total;
}

/* Drops do not consume seq numbers; an OVERFLOW reports them before the
 * next record that fits. */
static void test_link_overflow(void) {
  static uint8_t ring[200];
  static trace_link link;
  static uint8_t wire[4096];
  trace_link_init(&link, ring, sizeof ring);
  EXPECT_TRUE(trace_link_console(&link, "tock$ ", 6));
  uint32_t seq = 99, accepted = 0;
  trace_ipc_msg m = {1, 0, 1, 1, 0, 16, TRACE_MODE_COPY};
  for (int i = 0; i < 10; i++) {
    m.msg_id = (uint32_t)i;
    trace_build_ipc_msg(&g_rec, TRACE_IPC_SEND, 100u + (uint32_t)i, &m);
    if (trace_link_submit(&link, &g_rec, &seq)) EXPECT_EQ(seq, accepted++);
  }
  EXPECT_TRUE(accepted < 10);
  EXPECT_EQ(link.dropped_total, 10 - accepted);
  size_t n = drain(&link, wire, sizeof wire);
  trace_build_log(&g_rec, 500, TRACE_LOG_INFO, "after");
  EXPECT_TRUE(trace_link_submit(&link, &g_rec, &seq));
  EXPECT_EQ(seq, accepted + 1); /* the OVERFLOW took `accepted` */
  n += drain(&link, &wire[n], sizeof wire - n);

  stream_decoder d;
  decoded_record rec;
  stream_decoder_init(&d);
  uint32_t expect_seq = 0;
  int saw_overflow = 0;
  for (size_t i = 0; i < n; i++) {
    if (!stream_decoder_push(&d, wire[i], &rec)) continue;
    EXPECT_EQ(rec.seq, expect_seq++);
    if (rec.type == TRACE_OVERFLOW) {
      saw_overflow = 1;
      EXPECT_EQ(read_u32(rec.body), 10 - accepted);
      EXPECT_EQ(read_u32(rec.body + 4), 10 - accepted);
      EXPECT_EQ(rec.ticks, 500u);
    }
  }
  EXPECT_TRUE(saw_overflow);
  EXPECT_EQ(d.corrupt, 0u);
  EXPECT_EQ(d.console_bytes, 6u);
  EXPECT_BYTES(d.console, 6, (const uint8_t*)"tock$ ", 6);
  EXPECT_EQ(expect_seq, accepted + 2);
}

static int count_put(void* ctx, uint8_t byte) {
  (void)byte;
  ++*(size_t*)ctx;
  return 1;
}

/* The pacer sends at the line rate while busy and earns no credit while idle. */
static void test_uart_pacer(void) {
  static uint8_t ring[4096], bytes[3000];
  static trace_link link;
  trace_link_init(&link, ring, sizeof ring);
  uart_pacer p;
  size_t sent = 0;
  uart_pacer_init(&p, 0, 100); /* 100 ticks per byte */
  trace_net_frame f = {0, 0, sizeof bytes / 2, bytes, sizeof bytes / 2};
  trace_build_net_frame(&g_rec, TRACE_NET_TX, 0, &f);
  EXPECT_TRUE(trace_link_submit(&link, &g_rec, 0));
  size_t queued = trace_link_pending(&link);
  for (uint64_t now = 0; now < 100000; now += 10000)
    uart_pacer_pump(&p, &link, now, count_put, &sent);
  EXPECT_EQ(sent, 901u); /* bytes at ticks 0, 100, ..., 90000 */
  for (uint64_t now = 100000; trace_link_pending(&link) > 0; now += 10000) {
    uart_pacer_pump(&p, &link, now, count_put, &sent);
  }
  EXPECT_EQ(sent, queued);
  EXPECT_TRUE(trace_link_submit(&link, &g_rec, 0));
  uart_pacer_pump(&p, &link, 10000000, count_put, &sent); /* long idle before */
  EXPECT_EQ(sent, queued + 1);
}

/* Ones' complement sum over the IPv6 pseudo-header and the UDP datagram,
 * checksum included: 0xFFFF when the checksum is right. */
static uint16_t udp_verify(const uint8_t* src, const uint8_t* dst, const uint8_t* udp, size_t len) {
  uint32_t acc = 0;
  for (int i = 0; i < 16; i += 2) acc += (uint32_t)(src[i] << 8 | src[i + 1]);
  for (int i = 0; i < 16; i += 2) acc += (uint32_t)(dst[i] << 8 | dst[i + 1]);
  acc += (uint32_t)len + 17;
  for (size_t i = 0; i < len; i += 2)
    acc += (uint32_t)(udp[i] << 8 | (i + 1 < len ? udp[i + 1] : 0));
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return (uint16_t)acc;
}

static void test_eth_udp6(void) {
  static const uint8_t kMacA[6] = {2, 0, 0, 0, 0, 1}, kMacB[6] = {2, 0, 0, 0, 0, 2};
  net_udp6 u = {{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                5683,
                5683,
                64,
                (const uint8_t*)"hello, udp",
                10};
  uint8_t f[128];
  size_t n = net_build_eth_udp6(f, sizeof f, kMacB, kMacA, &u);
  EXPECT_EQ(n, 14u + 40u + 8u + 10u);
  EXPECT_EQ(read_u16(&f[12]), 0xDD86u); /* 0x86DD on the wire */
  EXPECT_EQ(f[14] >> 4, 6u);
  EXPECT_EQ(f[18] << 8 | f[19], 18u); /* IPv6 payload length */
  EXPECT_EQ(udp_verify(u.src_ip, u.dst_ip, &f[54], 18), 0xFFFFu);
  EXPECT_EQ(net_build_eth_udp6(f, 40, kMacB, kMacA, &u), 0u);
}

/* 6LoWPAN: addresses elided (derived from the MAC header), NHC UDP. */
static void test_wpan_udp6(void) {
  net_wpan_hdr h = {7,
                    0xABCD,
                    {NET_WPAN_ADDR_SHORT, 0x0000, {0}},
                    {NET_WPAN_ADDR_EXT, 0, {2, 0, 0, 0, 0, 0, 0, 1}}};
  uint8_t f[128];
  size_t n = net_build_wpan_udp6(f, sizeof f, &h, 5683, 5683, (const uint8_t*)"21.5", 4);
  static const uint8_t kHeader[] = {0x61, 0xD8, 7, 0xCD, 0xAB, 0x00, 0x00, 1,    0,    0,    0,
                                    0,    0,    0, 2,    0x7E, 0x33, 0xF0, 0x16, 0x33, 0x16, 0x33};
  EXPECT_BYTES(f, sizeof kHeader, kHeader, sizeof kHeader);
  EXPECT_EQ(n, sizeof kHeader + 2 + 4);
  /* Rebuild the UDP datagram with the addresses RFC 6282 derives. */
  const uint8_t src[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const uint8_t dst[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 0};
  uint8_t udp[12] = {0x16, 0x33, 0x16, 0x33, 0, 12, f[22], f[23], '2', '1', '.', '5'};
  EXPECT_EQ(udp_verify(src, dst, udp, sizeof udp), 0xFFFFu);
}

static void test_coap(void) {
  net_coap_msg m = {NET_COAP_CON, NET_COAP_GET, 0x1234, 0xABCD, "kv/temp", -1, 0};
  uint8_t out[64];
  size_t n = net_build_coap(out, sizeof out, &m);
  static const uint8_t kWant[] = {0x42, 0x01, 0x12, 0x34, 0xab, 0xcd, 0xb2,
                                  'k',  'v',  0x04, 't',  'e',  'm',  'p'};
  EXPECT_BYTES(out, n, kWant, sizeof kWant);
  net_coap_msg p = {NET_COAP_NON, NET_COAP_POST, 1, 2, "t", NET_COAP_JSON, "{}"};
  n = net_build_coap(out, sizeof out, &p);
  static const uint8_t kPost[] = {0x52, 0x02, 0, 1, 0, 2, 0xb1, 't', 0x11, 50, 0xFF, '{', '}'};
  EXPECT_BYTES(out, n, kPost, sizeof kPost);
}

int main(void) {
  test_crc32c();
  test_cobs_vectors();
  test_worked_ipc_send();
  test_worked_hello();
  test_string_clipping();
  test_truncation();
  test_link_overflow();
  test_uart_pacer();
  test_eth_udp6();
  test_wpan_udp6();
  test_coap();
  return check_exit_code("trace_enc_test");
}
