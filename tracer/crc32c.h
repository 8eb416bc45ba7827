// CRC-32C (Castagnoli) as used by trace frames: SSE4.2 instructions when the CPU has them, a
// portable table otherwise, chosen once at run time.
#pragma once

#include <cstdint>
#include <span>

namespace tockctl::tracer {

/// CRC-32C of `data` (init 0xFFFFFFFF, final xor 0xFFFFFFFF) with the fastest available code path.
uint32_t Crc32c(std::span<const uint8_t> data);
/// CRC-32C computed with the portable slicing table (never uses SSE4.2).
uint32_t Crc32cPortable(std::span<const uint8_t> data);
/// CRC-32C computed with SSE4.2 crc32 instructions; only call when Crc32cHasSse42() is true.
uint32_t Crc32cSse42(std::span<const uint8_t> data);
/// True if this CPU and build support the SSE4.2 code path.
bool Crc32cHasSse42();

}  // namespace tockctl::tracer
