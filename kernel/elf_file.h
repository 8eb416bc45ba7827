// The parts of an ELF executable `tockctl build` reads for the .bin and the memory report:
// program headers, section headers (with load addresses) and the symbol table. Everything is read
// through common/byte_reader.h. (flasher/elf_image.h turns an ELF into flash segments.)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tockctl::kernel {

/// ELF section types, section flags and the loadable segment type used here.
inline constexpr uint32_t kShtProgbits = 1;
inline constexpr uint32_t kShtSymtab = 2;  ///< Symbol table.
inline constexpr uint32_t kShtNobits = 8;  ///< No bytes in the file (.bss).
inline constexpr uint64_t kShfWrite = 0x1;
inline constexpr uint64_t kShfAlloc = 0x2;  ///< Occupies memory at run time.
inline constexpr uint64_t kShfExecInstr = 0x4;
inline constexpr uint32_t kPtLoad = 1;  ///< PT_LOAD program header.

/// One program header.
struct ElfSegment {
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

/// One section header, with the load address objcopy would give it.
struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t address = 0;       ///< sh_addr: where the section lives at run time (VMA).
  uint64_t load_address = 0;  ///< LMA: from the PT_LOAD segment holding it, else = address.
  uint64_t offset = 0;        ///< In the file.
  uint64_t size = 0;

  bool allocated() const { return (flags & kShfAlloc) != 0; }
  bool has_contents() const { return type != kShtNobits; }
  bool writable() const { return (flags & kShfWrite) != 0; }
  bool executable() const { return (flags & kShfExecInstr) != 0; }
};

/// A parsed ELF file (32 or 64 bit, either byte order).
struct ElfFile {
  bool is64 = false;
  bool big_endian = false;
  uint16_t machine = 0;
  uint64_t entry = 0;
  std::vector<ElfSegment> segments;
  std::vector<ElfSection> sections;         ///< In section header order (index 0 included).
  std::map<std::string, uint64_t> symbols;  ///< Named symbols' values (first definition wins).

  /// The first section called `name`, or nullptr.
  const ElfSection* FindSection(const std::string& name) const;
  /// The value of the symbol `name`, if defined.
  std::optional<uint64_t> Symbol(const std::string& name) const;
};

/// Parses an ELF executable. Throws Error(kInvalidInput) naming `source` and the byte offset for
/// bad magic, truncated or overflowing tables, a section or segment past the end of the file.
ElfFile ParseElfFile(std::span<const uint8_t> bytes, const std::string& source);

/// "RISC-V", "ARM", "x86", "x86-64" or "machine N".
std::string MachineName(uint16_t machine);

}  // namespace tockctl::kernel
