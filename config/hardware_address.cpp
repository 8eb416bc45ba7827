#include "config/hardware_address.h"

#include <cstdio>

#include "common/hex.h"

namespace tockctl::config {
namespace {

// 64-bit FNV-1a: small, stable across platforms, good enough to spread names over addresses.
uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace

std::optional<std::vector<uint8_t>> ParseHardwareAddress(std::string_view text, size_t bytes) {
  if (text.size() != bytes * 3 - 1) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < bytes; ++i) {
    int hi = HexDigitValue(text[i * 3]);
    int lo = HexDigitValue(text[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i + 1 < bytes && text[i * 3 + 2] != ':') return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

std::string FormatHardwareAddress(const std::vector<uint8_t>& address) {
  std::string out;
  for (size_t i = 0; i < address.size(); ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", address[i]);
    out += (i ? ":" : "") + std::string(buf);
  }
  return out;
}

bool IsGroupAddress(const std::vector<uint8_t>& address) {
  return !address.empty() && (address[0] & 0x01) != 0;
}

bool IsLocallyAdministered(const std::vector<uint8_t>& address) {
  return !address.empty() && (address[0] & 0x02) != 0;
}

std::vector<uint8_t> DeriveHardwareAddress(std::string_view seed, size_t bytes) {
  std::vector<uint8_t> out;
  uint64_t hash = Fnv1a64(seed);
  for (size_t i = 0; i < bytes; ++i) {
    if (i == 8) hash = Fnv1a64(std::string(seed) + "#");
    out.push_back(static_cast<uint8_t>(hash >> (8 * (i % 8))));
  }
  out[0] = static_cast<uint8_t>((out[0] & 0xFC) | 0x02);
  return out;
}

}  // namespace tockctl::config
