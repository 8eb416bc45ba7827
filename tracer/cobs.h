// Consistent Overhead Byte Stuffing (docs/trace-protocol.md section 2.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tockctl::tracer {

/// Appends the canonical COBS encoding of `payload` to `out` (no 0x00 delimiter).
void CobsEncode(std::span<const uint8_t> payload, std::vector<uint8_t>& out);

/// Decodes one COBS frame (without its delimiter, so it holds no 0x00 outside code bytes; the
/// deframer splits on them) into `out`. Returns the decoded length, or nullopt if a code byte is
/// 0x00, a block runs past the end, or `out` is too small.
std::optional<size_t> CobsDecode(std::span<const uint8_t> encoded, std::span<uint8_t> out);

}  // namespace tockctl::tracer
