// Checks shared by the image fuzz targets (elf, ihex, uf2): what every parsed Image promises
// (flasher/image.h), and that writing it as Intel HEX, UF2 and raw binary and reading it back
// keeps every byte at its address.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "flasher/bin_image.h"
#include "flasher/ihex_image.h"
#include "flasher/image.h"
#include "flasher/uf2_image.h"
#include "fuzz/fuzz_support.h"

namespace tockctl::fuzz {

/// Segments sorted, non-empty, not wrapping past 2^64, not overlapping; TotalBytes adds up.
inline void CheckImageInvariants(const flasher::Image& image) {
  uint64_t total = 0;
  for (size_t i = 0; i < image.segments.size(); ++i) {
    const flasher::Segment& s = image.segments[i];
    FUZZ_CHECK(!s.data.empty());
    FUZZ_CHECK(s.address <= std::numeric_limits<uint64_t>::max() - s.data.size());
    if (i > 0) FUZZ_CHECK(image.segments[i - 1].end() <= s.address);
    total += s.data.size();
  }
  FUZZ_CHECK(image.TotalBytes() == total);
}

/// Address -> byte, for comparing images whose segments are cut differently.
inline std::map<uint64_t, uint8_t> ByteMap(const flasher::Image& image) {
  std::map<uint64_t, uint8_t> bytes;
  for (const auto& s : image.segments)
    for (size_t i = 0; i < s.data.size(); ++i) bytes[s.address + i] = s.data[i];
  return bytes;
}

/// Writes the image in the other formats and reads it back (only for images small enough that
/// the byte maps stay cheap). Intel HEX and raw binary must give the same bytes; UF2 pads pages
/// with zeros, so it must hold at least every byte at the same address.
inline void CheckWriteReadBack(const flasher::Image& image) {
  if (image.segments.empty() || image.TotalBytes() > 64 * 1024) return;
  const uint64_t last = image.segments.back().end();
  if (last > (uint64_t{1} << 32)) {  // the writers refuse data above 4 GiB
    FUZZ_CHECK(!Accepted([&] { flasher::WriteIntelHex(image); }));
    FUZZ_CHECK(!Accepted([&] { flasher::WriteUf2(image, 0xe48bff56); }));
    return;
  }
  const auto want = ByteMap(image);

  const std::string hex = flasher::WriteIntelHex(image);
  const auto from_hex = flasher::ParseIntelHex(
      std::span(reinterpret_cast<const uint8_t*>(hex.data()), hex.size()), "written.hex");
  CheckImageInvariants(from_hex);
  FUZZ_CHECK(ByteMap(from_hex) == want);
  std::optional<uint64_t> entry = image.entry;
  if (entry && *entry > 0xffffffffu) entry.reset();  // Intel HEX holds 32-bit entries only
  FUZZ_CHECK(from_hex.entry == entry);

  const auto uf2 = flasher::WriteUf2(image, 0xe48bff56);
  const auto from_uf2 = flasher::ParseUf2(uf2, "written.uf2", std::nullopt);
  CheckImageInvariants(from_uf2);
  const auto padded = ByteMap(from_uf2);
  for (const auto& [address, byte] : want) {
    auto it = padded.find(address);
    FUZZ_CHECK(it != padded.end() && it->second == byte);
  }

  const uint64_t first = image.segments.front().address;
  if (last - first <= 1024 * 1024) {
    const auto raw = flasher::WriteRawBinary(image, 0xff);
    FUZZ_CHECK(raw.size() == last - first);
    for (const auto& [address, byte] : want) FUZZ_CHECK(raw[address - first] == byte);
  }
}

}  // namespace tockctl::fuzz
