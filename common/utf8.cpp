#include "common/utf8.h"

namespace tockctl {

size_t Utf8Sequence(const uint8_t* p, size_t n, size_t* bad) {
  const uint8_t b = p[0];
  size_t len = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    *bad = 1;
    return 0;
  }
  for (size_t i = 1; i < len; ++i) {
    const uint8_t c = i < n ? p[i] : 0;
    const bool ok = i < n && c >= (i == 1 ? lo : 0x80) && c <= (i == 1 ? hi : 0xBF);
    if (!ok) {
      *bad = i;
      return 0;
    }
  }
  return len;
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t n = text.size();
  while (n > 0) {
    size_t len = 1;
    size_t bad = 0;
    if (*p >= 0x80) len = Utf8Sequence(p, n, &bad);
    if (len == 0) {
      out += kReplacementCharacter;
      len = bad;
    } else {
      out.append(reinterpret_cast<const char*>(p), len);
    }
    p += len;
    n -= len;
  }
  return out;
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace tockctl
