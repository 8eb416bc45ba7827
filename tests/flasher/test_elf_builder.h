// Builds small ELF files in memory for parser tests (ELF32/ELF64, little or big endian).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tockctl::flasher::testing {

/// One program header and, optionally, one section covering its file bytes.
struct ElfSegmentSpec {
  uint32_t type = 1;  // PT_LOAD
  uint64_t paddr = 0;
  uint64_t vaddr = 0;
  std::vector<uint8_t> data;
  uint64_t memsz = 0;   // 0 = data.size()
  std::string section;  // e.g. ".text"; empty = no section
};

/// What to build.
struct ElfSpec {
  bool is64 = false;
  bool big_endian = false;
  uint16_t type = 2;  // ET_EXEC
  uint64_t entry = 0;
  std::vector<ElfSegmentSpec> segments;
};

/// The ELF file bytes: header, program headers, segment data, .shstrtab, section headers.
std::vector<uint8_t> BuildElf(const ElfSpec& spec);

/// Offsets of header fields in the built file (for hostile-header tests).
struct ElfLayout {
  uint64_t phoff;
  uint64_t phentsize;
};
ElfLayout LayoutOf(const ElfSpec& spec);

}  // namespace tockctl::flasher::testing
