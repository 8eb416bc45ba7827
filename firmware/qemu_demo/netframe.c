/* Network frame builders; see netframe.h. */
#include "netframe.h"

static void put_be16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put_le16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void copy(uint8_t* dst, const uint8_t* src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

/* Adds big-endian 16-bit words of `p` to a ones' complement accumulator. */
static uint32_t sum_words(uint32_t acc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i + 1 < n; i += 2) acc += (uint32_t)((p[i] << 8) | p[i + 1]);
  if (n & 1) acc += (uint32_t)(p[n - 1] << 8);
  return acc;
}

uint16_t net_udp6_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t* udp,
                           size_t udp_len) {
  uint32_t acc = sum_words(0, src, 16);
  acc = sum_words(acc, dst, 16);
  acc += (uint32_t)(udp_len >> 16) + (uint32_t)(udp_len & 0xFFFF);
  acc += NET_IPPROTO_UDP;
  acc = sum_words(acc, udp, udp_len);
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  uint16_t sum = (uint16_t)~acc;
  return sum == 0 ? 0xFFFF : sum;
}

/* UDP header + payload at `out`, checksum filled in. */
static void write_udp(uint8_t* out, const net_udp6* u) {
  size_t udp_len = NET_UDP_HEADER_LEN + u->payload_len;
  put_be16(&out[0], u->src_port);
  put_be16(&out[2], u->dst_port);
  put_be16(&out[4], (uint16_t)udp_len);
  put_be16(&out[6], 0);
  copy(&out[8], u->payload, u->payload_len);
  put_be16(&out[6], net_udp6_checksum(u->src_ip, u->dst_ip, out, udp_len));
}

size_t net_build_eth_udp6(uint8_t* out, size_t cap, const uint8_t dst_mac[6],
                          const uint8_t src_mac[6], const net_udp6* u) {
  size_t udp_len = NET_UDP_HEADER_LEN + u->payload_len;
  size_t total = NET_ETH_HEADER_LEN + NET_IPV6_HEADER_LEN + udp_len;
  if (total > cap || udp_len > 0xFFFF) return 0;
  copy(&out[0], dst_mac, 6);
  copy(&out[6], src_mac, 6);
  put_be16(&out[12], NET_ETHERTYPE_IPV6);
  uint8_t* ip = &out[NET_ETH_HEADER_LEN];
  ip[0] = 0x60; /* version 6, traffic class 0, flow label 0 */
  ip[1] = ip[2] = ip[3] = 0;
  put_be16(&ip[4], (uint16_t)udp_len);
  ip[6] = NET_IPPROTO_UDP;
  ip[7] = u->hop_limit;
  copy(&ip[8], u->src_ip, 16);
  copy(&ip[24], u->dst_ip, 16);
  write_udp(&ip[NET_IPV6_HEADER_LEN], u);
  return total;
}

void net_ipv6_link_local_from_mac(uint8_t out[16], const uint8_t mac[6]) {
  static const uint8_t kPrefix[8] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0};
  copy(out, kPrefix, 8);
  out[8] = mac[0] ^ 0x02;
  out[9] = mac[1];
  out[10] = mac[2];
  out[11] = 0xff;
  out[12] = 0xfe;
  out[13] = mac[3];
  out[14] = mac[4];
  out[15] = mac[5];
}

/* The link-local address RFC 6282 derives from an 802.15.4 address. */
static void link_local_from_wpan(uint8_t out[16], const net_wpan_addr* a) {
  static const uint8_t kPrefix[8] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0};
  copy(out, kPrefix, 8);
  if (a->mode == NET_WPAN_ADDR_EXT) {
    copy(&out[8], a->ext, 8);
    out[8] ^= 0x02;
    return;
  }
  static const uint8_t kShortIid[6] = {0x00, 0x00, 0x00, 0xff, 0xfe, 0x00};
  copy(&out[8], kShortIid, 6);
  put_be16(&out[14], a->short_addr);
}

static int is_broadcast(const net_wpan_addr* a) {
  return a->mode == NET_WPAN_ADDR_SHORT && a->short_addr == 0xFFFF;
}

/* Writes an address field in transmission (little-endian) order. */
static size_t write_wpan_addr(uint8_t* out, const net_wpan_addr* a) {
  if (a->mode == NET_WPAN_ADDR_SHORT) {
    put_le16(out, a->short_addr);
    return 2;
  }
  for (int i = 0; i < 8; i++) out[i] = a->ext[7 - i];
  return 8;
}

/* MAC header: data frame, PAN ID compression, 2006 frame version. */
static size_t write_wpan_header(uint8_t* out, const net_wpan_hdr* h) {
  uint16_t fcf = 0x0001 /* data */ | 0x0040 /* PAN ID compression */ | (1u << 12) /* 2006 */;
  if (!is_broadcast(&h->dst)) fcf |= 0x0020; /* ack request */
  fcf |= (uint16_t)(h->dst.mode << 10) | (uint16_t)(h->src.mode << 14);
  put_le16(&out[0], fcf);
  out[2] = h->seq;
  put_le16(&out[3], h->pan_id);
  size_t n = 5 + write_wpan_addr(&out[5], &h->dst);
  return n + write_wpan_addr(&out[n], &h->src);
}

enum {
  kWpanMaxHeader = 3 + 2 + 8 + 8,
  kIphcMax = 2 + 1,    /* IPHC + one inline multicast byte */
  kNhcUdpLen = 1 + 6,  /* NHC byte, ports and checksum inline */
  kWpanMaxFrame = 125, /* aMaxPhyPacketSize 127 minus the 2-byte FCS */
};

size_t net_build_wpan_udp6(uint8_t* out, size_t cap, const net_wpan_hdr* h, uint16_t src_port,
                           uint16_t dst_port, const uint8_t* payload, size_t payload_len) {
  if (cap < kWpanMaxHeader + kIphcMax + kNhcUdpLen + payload_len) return 0;
  size_t n = write_wpan_header(out, h);
  int multicast = is_broadcast(&h->dst);
  out[n++] = 0x7E;                    /* 011 TF=11 NH=1 HLIM=10 (64) */
  out[n++] = multicast ? 0x3B : 0x33; /* SAM=11, M, DAM=11 */
  if (multicast) out[n++] = 0x01;     /* ff02::1 */
  uint8_t src_ip[16], dst_ip[16];
  link_local_from_wpan(src_ip, &h->src);
  if (multicast) {
    static const uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    copy(dst_ip, kAllNodes, 16);
  } else {
    link_local_from_wpan(dst_ip, &h->dst);
  }
  uint8_t udp[NET_UDP_HEADER_LEN + kWpanMaxFrame];
  net_udp6 u = {
      .src_port = src_port, .dst_port = dst_port, .payload = payload, .payload_len = payload_len};
  copy(u.src_ip, src_ip, 16);
  copy(u.dst_ip, dst_ip, 16);
  if (payload_len > kWpanMaxFrame) return 0;
  write_udp(udp, &u);
  out[n++] = 0xF0;               /* NHC UDP: checksum inline, both ports inline */
  copy(&out[n], udp, 4);         /* ports */
  copy(&out[n + 4], &udp[6], 2); /* checksum; the length is elided */
  n += 6;
  copy(&out[n], payload, payload_len);
  n += payload_len;
  return n <= kWpanMaxFrame ? n : 0;
}

static size_t put_coap_option(uint8_t* out, size_t cap, unsigned delta, const uint8_t* val,
                              size_t len) {
  if (delta > 12 || len > 12 || cap < 1 + len) return 0;
  out[0] = (uint8_t)((delta << 4) | len);
  copy(&out[1], val, len);
  return 1 + len;
}

size_t net_build_coap(uint8_t* out, size_t cap, const net_coap_msg* m) {
  if (cap < 6) return 0;
  out[0] = (uint8_t)(0x40 | (m->type << 4) | 2); /* version 1, token length 2 */
  out[1] = m->code;
  put_be16(&out[2], m->msg_id);
  put_be16(&out[4], m->token);
  size_t n = 6;
  unsigned last = 0;
  for (const char* seg = m->uri_path; seg && *seg;) {
    size_t len = 0;
    while (seg[len] && seg[len] != '/') len++;
    size_t w = put_coap_option(&out[n], cap - n, 11 - last, (const uint8_t*)seg, len);
    if (w == 0) return 0;
    n += w;
    last = 11;
    seg += len + (seg[len] == '/');
  }
  if (m->content_format >= 0) {
    uint8_t cf = (uint8_t)m->content_format;
    size_t w = put_coap_option(&out[n], cap - n, 12 - last, &cf, cf ? 1 : 0);
    if (w == 0) return 0;
    n += w;
  }
  if (m->payload && *m->payload) {
    if (n >= cap) return 0;
    out[n++] = 0xFF;
    for (const char* p = m->payload; *p; p++) {
      if (n >= cap) return 0;
      out[n++] = (uint8_t)*p;
    }
  }
  return n;
}
