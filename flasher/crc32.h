// CRC-32 (IEEE 802.3, reflected, polynomial 0x04C11DB7, init and final XOR 0xFFFFFFFF): the check
// the Tock bootloader computes over internal flash (same as zlib's crc32).
#pragma once

#include <cstdint>
#include <span>

namespace tockctl::flasher {

/// CRC-32 of `data`; pass a previous result as `crc` to continue over several spans.
uint32_t Crc32(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace tockctl::flasher
