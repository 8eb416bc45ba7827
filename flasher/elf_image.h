// ELF32/ELF64 executables as flash images.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "flasher/image.h"

namespace tockctl::flasher {

/// Parses an ELF32 or ELF64 executable of either byte order into an Image: one segment per PT_LOAD
/// program header with p_filesz > 0, placed at its physical address p_paddr and holding p_filesz
/// bytes; the p_memsz tail (.bss) is never written, because start-up code zeroes it in RAM. Empty
/// segments are skipped; the entry is e_entry. Segments are named "PT_LOAD[i] (.text .rodata)"
/// with i the program header index. Throws Error(kInvalidInput) with the byte offset for anything
/// malformed (bad magic, truncated tables, offsets or addresses overflowing, p_filesz > p_memsz,
/// relocatable objects, overlapping segments).
Image ParseElf(std::span<const uint8_t> bytes, const std::string& source);

/// True if `bytes` starts with the ELF magic.
bool LooksLikeElf(std::span<const uint8_t> bytes);

}  // namespace tockctl::flasher
