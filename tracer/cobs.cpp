#include "tracer/cobs.h"

#include <cstring>

namespace tockctl::tracer {

void CobsEncode(std::span<const uint8_t> payload, std::vector<uint8_t>& out) {
  size_t code_pos = out.size();
  out.push_back(0);
  uint8_t code = 1;
  bool open = true;
  for (uint8_t b : payload) {
    if (!open) {
      code_pos = out.size();
      out.push_back(0);
      code = 1;
      open = true;
    }
    if (b == 0) {
      out[code_pos] = code;
      code_pos = out.size();
      out.push_back(0);
      code = 1;
      continue;
    }
    out.push_back(b);
    if (++code == 0xFF) {
      out[code_pos] = 0xFF;
      open = false;
    }
  }
  if (open) out[code_pos] = code;
}

std::optional<size_t> CobsDecode(std::span<const uint8_t> encoded, std::span<uint8_t> out) {
  const uint8_t* in = encoded.data();
  const size_t n = encoded.size();
  uint8_t* dst = out.data();
  const size_t cap = out.size();
  size_t i = 0;
  size_t o = 0;
  while (i < n) {
    const size_t code = in[i];
    const size_t run = code - 1;
    if (code == 0 || run > n - i - 1 || run > cap - o) return std::nullopt;
    if (run <= 16) {  // trace headers are mostly short runs between zero bytes
      for (size_t k = 0; k < run; ++k) dst[o + k] = in[i + 1 + k];
    } else {
      std::memcpy(dst + o, in + i + 1, run);
    }
    o += run;
    i += code;
    if (code != 0xFF && i < n) {
      if (o == cap) return std::nullopt;
      dst[o++] = 0;
    }
  }
  return o;
}

}  // namespace tockctl::tracer
