// Test-only pcapng parser: reads back the blocks PcapngWriter wrote, checking every length.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/byte_reader.h"

namespace tockctl::tracer::testing {

struct ParsedInterface {
  uint16_t linktype = 0;
  uint32_t snaplen = 0;
  std::map<uint16_t, std::vector<uint8_t>> options;
  std::string Option(uint16_t code) const {
    auto it = options.find(code);
    return it == options.end() ? "" : std::string(it->second.begin(), it->second.end());
  }
};

struct ParsedPacket {
  uint32_t iface = 0;
  uint64_t timestamp = 0;
  uint32_t orig_len = 0;
  std::vector<uint8_t> data;
  std::map<uint16_t, std::vector<uint8_t>> options;
};

struct ParsedCapture {
  std::string application;
  std::vector<ParsedInterface> interfaces;
  std::vector<ParsedPacket> packets;
  std::vector<uint32_t> block_types;
};

inline std::map<uint16_t, std::vector<uint8_t>> ParseOptions(ByteReader& r) {
  std::map<uint16_t, std::vector<uint8_t>> out;
  while (!r.empty()) {
    const uint16_t code = r.U16Le();
    const uint16_t len = r.U16Le();
    if (code == 0) break;
    auto v = r.Bytes(len);
    out[code] = std::vector<uint8_t>(v.begin(), v.end());
    r.Skip((4 - len % 4) % 4);
  }
  return out;
}

/// Parses a whole capture; throws tockctl::Error if any block is inconsistent.
inline ParsedCapture ParseCapture(const std::vector<uint8_t>& bytes) {
  ParsedCapture cap;
  ByteReader r(bytes, "pcapng");
  while (!r.empty()) {
    const size_t start = r.position();
    const uint32_t type = r.U32Le();
    const uint32_t total = r.U32Le();
    if (total < 12 || total % 4 != 0) throw Error(ErrorCategory::kInvalidInput, "bad block length");
    ByteReader body = r.Sub(total - 12, "block body");
    if (r.U32Le() != total) throw Error(ErrorCategory::kInvalidInput, "trailing length differs");
    cap.block_types.push_back(type);
    if (type == 0x0A0D0D0A) {
      if (start != 0 || body.U32Le() != 0x1A2B3C4D) {
        throw Error(ErrorCategory::kInvalidInput, "bad section header");
      }
      body.Skip(12);
      auto opts = ParseOptions(body);
      cap.application.assign(opts[4].begin(), opts[4].end());
    } else if (type == 1) {
      ParsedInterface i;
      i.linktype = body.U16Le();
      body.Skip(2);
      i.snaplen = body.U32Le();
      i.options = ParseOptions(body);
      cap.interfaces.push_back(i);
    } else if (type == 6) {
      ParsedPacket p;
      p.iface = body.U32Le();
      p.timestamp = uint64_t{body.U32Le()} << 32;
      p.timestamp |= body.U32Le();
      const uint32_t caplen = body.U32Le();
      p.orig_len = body.U32Le();
      auto data = body.Bytes(caplen);
      p.data.assign(data.begin(), data.end());
      body.Skip((4 - caplen % 4) % 4);
      p.options = ParseOptions(body);
      if (p.iface >= cap.interfaces.size()) {
        throw Error(ErrorCategory::kInvalidInput, "packet on undeclared interface");
      }
      cap.packets.push_back(p);
    }
  }
  return cap;
}

}  // namespace tockctl::tracer::testing
