// Hexadecimal text for numbers and little-endian byte appends: the one owner of "0x..." formatting
// that every module's messages use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tockctl {

/// "0x1a2b": lowercase, no padding.
std::string HexNumber(uint64_t value);

/// "0x00001a2b": lowercase, at least 8 digits (a 32-bit word or address).
std::string HexWord(uint64_t value);

/// The value of one hex digit (0-15), or -1 when `c` is not one.
int HexDigitValue(char c);

/// Appends `value` as 4 little-endian bytes.
void AppendLe32(std::vector<uint8_t>& out, uint32_t value);

}  // namespace tockctl
