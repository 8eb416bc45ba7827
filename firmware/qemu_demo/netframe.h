/* Builders for the network frames the demo puts in NET_* records:
 * Ethernet II + IPv6 + UDP, IEEE 802.15.4 MAC data frames (no FCS) carrying
 * 6LoWPAN IPHC + NHC UDP, and small CoAP and syslog payloads.
 *
 * Checksums are real (UDP over the IPv6 pseudo-header) so Wireshark decodes
 * the frames cleanly. Plain C99, no hardware access, no libc.
 * Every builder returns the number of bytes written, or 0 if `cap` is short. */
#ifndef TOCKCTL_NETFRAME_H
#define TOCKCTL_NETFRAME_H

#include <stddef.h>
#include <stdint.h>

enum {
  NET_ETH_HEADER_LEN = 14,
  NET_IPV6_HEADER_LEN = 40,
  NET_UDP_HEADER_LEN = 8,
  NET_ETHERTYPE_IPV6 = 0x86DD,
  NET_IPPROTO_UDP = 17,
};

typedef struct net_udp6 {
  uint8_t src_ip[16];
  uint8_t dst_ip[16];
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t hop_limit;
  const uint8_t* payload;
  size_t payload_len;
} net_udp6;

/** UDP checksum over the IPv6 pseudo-header and `udp` (header with a zero
 *  checksum field, then payload). Never returns 0 (0 is sent as 0xFFFF). */
uint16_t net_udp6_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t* udp,
                           size_t udp_len);

/** Ethernet II (no FCS) + IPv6 + UDP datagram. */
size_t net_build_eth_udp6(uint8_t* out, size_t cap, const uint8_t dst_mac[6],
                          const uint8_t src_mac[6], const net_udp6* u);

/** Link-local fe80::/64 address whose IID is the modified EUI-64 of `mac`. */
void net_ipv6_link_local_from_mac(uint8_t out[16], const uint8_t mac[6]);

enum net_wpan_addr_mode { NET_WPAN_ADDR_SHORT = 2, NET_WPAN_ADDR_EXT = 3 };

typedef struct net_wpan_addr {
  uint8_t mode;        /* enum net_wpan_addr_mode */
  uint16_t short_addr; /* 0xFFFF = broadcast */
  uint8_t ext[8];      /* EUI-64, most significant byte first */
} net_wpan_addr;

typedef struct net_wpan_hdr {
  uint8_t seq;
  uint16_t pan_id; /* one PAN ID, PAN ID compression set */
  net_wpan_addr dst;
  net_wpan_addr src;
} net_wpan_hdr;

/** 802.15.4-2006 data frame carrying 6LoWPAN IPHC (addresses elided, derived
 *  from the MAC header; ff02::XX when the destination is broadcast) and
 *  NHC-compressed UDP with the checksum inline. No FCS. */
size_t net_build_wpan_udp6(uint8_t* out, size_t cap, const net_wpan_hdr* h, uint16_t src_port,
                           uint16_t dst_port, const uint8_t* payload, size_t payload_len);

enum net_coap_type { NET_COAP_CON = 0, NET_COAP_NON = 1, NET_COAP_ACK = 2 };
enum {
  NET_COAP_GET = 0x01,
  NET_COAP_POST = 0x02,
  NET_COAP_CHANGED = 0x44,  /* 2.04 */
  NET_COAP_CONTENT = 0x45,  /* 2.05 */
  NET_COAP_NOT_FOUND = 0x84 /* 4.04 */
};
enum { NET_COAP_TEXT_PLAIN = 0, NET_COAP_JSON = 50, NET_COAP_LINK_FORMAT = 40 };

typedef struct net_coap_msg {
  uint8_t type; /* enum net_coap_type */
  uint8_t code;
  uint16_t msg_id;
  uint16_t token;       /* sent as a 2-byte token */
  const char* uri_path; /* "a/b", may be NULL; segments shorter than 13 bytes */
  int content_format;   /* -1 for none */
  const char* payload;  /* may be NULL */
} net_coap_msg;

/** A CoAP (RFC 7252) message. */
size_t net_build_coap(uint8_t* out, size_t cap, const net_coap_msg* m);

#endif
