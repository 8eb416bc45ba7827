// Builds small ELF files in memory for parser tests (ELF32/ELF64, little or big endian): program
// headers with their bytes, a section over each segment, .bss-like tails and a symbol table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tockctl::testing {

/// One program header and, optionally, the sections covering it.
struct ElfSegmentSpec {
  uint32_t type = 1;  // PT_LOAD
  uint64_t paddr = 0;
  uint64_t vaddr = 0;  // 0 = paddr
  std::vector<uint8_t> data;
  uint64_t memsz = 0;            // 0 = data.size()
  std::string section;           // e.g. ".text": SHT_PROGBITS over `data`; empty = no section
  uint64_t section_flags = 2;    // SHF_ALLOC
  std::string bss_section = {};  // e.g. ".bss": SHT_NOBITS over the memsz tail; empty = none
};

/// One symbol table entry.
struct ElfSymbolSpec {
  std::string name;
  uint64_t value = 0;
  bool defined = true;  // false: st_shndx 0 (SHN_UNDEF)
};

/// What to build.
struct ElfSpec {
  bool is64 = false;
  bool big_endian = false;
  uint16_t type = 2;        // ET_EXEC
  uint16_t machine = 0xf3;  // EM_RISCV
  uint64_t entry = 0;
  std::vector<ElfSegmentSpec> segments;
  std::vector<ElfSymbolSpec> symbols;  // non-empty: .symtab and .strtab sections
};

/// `n` bytes counting up from `first` (wrapping): recognisable segment contents.
std::vector<uint8_t> CountingBytes(size_t n, uint8_t first = 1);

/// The ELF file bytes: header, program headers, segment data, .shstrtab, then .strtab and
/// .symtab if there are symbols, then the section headers: 0 null, 1 .shstrtab, the segments'
/// sections in order (each PROGBITS one followed by its NOBITS one), then .symtab and .strtab.
std::vector<uint8_t> BuildElf(const ElfSpec& spec);

}  // namespace tockctl::testing
