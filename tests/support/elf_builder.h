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
  uint32_t flags = 5;            // p_flags: PF_R | PF_X
};

/// A section of its own, after the segments' sections: over part of a segment's bytes
/// (`segment` >= 0: `size` bytes from `offset` into its data, at its virtual address + offset),
/// or with bytes of its own written after the segments' (`data`, e.g. `.rel.data`).
struct ElfSectionSpec {
  std::string name;
  uint32_t type = 1;  // SHT_PROGBITS
  uint64_t flags = 0;
  int segment = -1;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::vector<uint8_t> data;  // segment < 0 only
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
  std::vector<ElfSectionSpec> sections;
};

/// An ELF shaped like a libtock-c app that its userland_generic.ld linked for flash at `flash`
/// and RAM at `ram` (RISC-V): one R+X segment at `flash` with .crt0_header (40 bytes, its fields
/// as the linker script sets them for this layout) and .text (16 bytes, the entry first); .data
/// (8 bytes) run at ram + 0x800 and loaded right after .text, with 0x20 bytes of .bss; .stack
/// (0x800 bytes, no file bytes) at `ram`; .rel.data (one 8-byte relocation); `_sram_origin`.
ElfSpec LibtockcElfSpec(uint64_t flash, uint64_t ram);

/// `n` bytes counting up from `first` (wrapping): recognisable segment contents.
std::vector<uint8_t> CountingBytes(size_t n, uint8_t first = 1);

/// The ELF file bytes: header, program headers, segment data, the own bytes of `sections`,
/// .shstrtab, then .strtab and .symtab if there are symbols, then the section headers: 0 null,
/// 1 .shstrtab, the segments' sections in order (each PROGBITS one followed by its NOBITS one),
/// then `sections`, then .symtab and .strtab.
std::vector<uint8_t> BuildElf(const ElfSpec& spec);

}  // namespace tockctl::testing
