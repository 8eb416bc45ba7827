// ELF32/ELF64 executables as flash images, read with the shared ELF reader (common/elf_file.h).
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
/// with i the program header index. Throws Error(kInvalidInput) naming `source` and the byte
/// offset for anything malformed (everything ParseElfFile refuses, p_filesz > p_memsz, segments
/// running past the address space or the file, relocatable objects, overlapping segments).
Image ParseElf(std::span<const uint8_t> bytes, const std::string& source);

}  // namespace tockctl::flasher
