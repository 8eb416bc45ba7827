// Intel HEX (records 00 data, 01 end of file, 02 extended segment address, 03 start segment
// address, 04 extended linear address, 05 start linear address).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "flasher/image.h"

namespace tockctl::flasher {

/// Parses Intel HEX text. Addresses are linear (base + offset, no 64 KiB wrap). Consecutive
/// records merge into segments named "hex lines A-B"; the entry comes from a 03 or 05 record.
/// Blank lines are allowed; anything after the 01 record is not. Throws Error(kInvalidInput)
/// with the file, line and column for a missing ':', bad hex digits, a byte count that does not
/// match, a wrong checksum (saying the expected one), unknown record types, a missing 01 record,
/// or overlapping data.
Image ParseIntelHex(std::span<const uint8_t> text, const std::string& source);

/// Renders an image as Intel HEX: 16-byte data records, 04 records when the upper 16 address bits
/// change, 05 for the entry, 01 at the end. Throws Error(kInvalidInput) for data above 4 GiB.
std::string WriteIntelHex(const Image& image);

}  // namespace tockctl::flasher
