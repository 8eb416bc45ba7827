// Raw binary images: bytes without addresses.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "flasher/image.h"

namespace tockctl::flasher {

/// Largest raw binary WriteRawBinary produces (gaps are filled, so sparse images grow).
inline constexpr uint64_t kMaxRawBinarySize = 64ull << 20;

/// One segment "binary" holding all of `bytes` at `address`; an empty file gives no segments.
/// Throws Error(kInvalidInput) if address + size overflows 64 bits.
Image ParseRawBinary(std::span<const uint8_t> bytes, const std::string& source, uint64_t address);

/// The bytes from the lowest to the highest segment address, gaps filled with `fill` (0xff, as
/// erased flash). Throws Error(kInvalidInput) for an empty image or one spanning more than 64 MiB.
std::vector<uint8_t> WriteRawBinary(const Image& image, uint8_t fill = 0xff);

}  // namespace tockctl::flasher
