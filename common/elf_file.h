// The one reader of the ELF file format (32 or 64 bit, either byte order): the header, program
// headers, section headers with their names and load addresses, and the symbol table, all read
// through common/byte_reader.h. `tockctl build` (kernel/: the .bin and the memory report) and
// flash images (flasher/elf_image.h) build on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tockctl {

/// ELF file types (e_type).
inline constexpr uint16_t kEtRel = 1;  ///< Relocatable object: not linked yet.
inline constexpr uint16_t kEtExec = 2;
inline constexpr uint16_t kEtDyn = 3;
/// The loadable segment type (p_type).
inline constexpr uint32_t kPtLoad = 1;
/// Segment flags (p_flags).
inline constexpr uint32_t kPfExecute = 0x1;
inline constexpr uint32_t kPfWrite = 0x2;
inline constexpr uint32_t kPfRead = 0x4;
/// Section types (sh_type) and flags (sh_flags) used here.
inline constexpr uint32_t kShtProgbits = 1;
inline constexpr uint32_t kShtSymtab = 2;  ///< Symbol table.
inline constexpr uint32_t kShtNobits = 8;  ///< No bytes in the file (.bss).
inline constexpr uint64_t kShfWrite = 0x1;
inline constexpr uint64_t kShfAlloc = 0x2;  ///< Occupies memory at run time.
inline constexpr uint64_t kShfExecInstr = 0x4;
/// Section and symbol names are cut at this many bytes.
inline constexpr size_t kMaxElfNameLength = 4096;

/// One program header.
struct ElfSegment {
  size_t index = 0;            ///< Position in the program header table.
  uint64_t header_offset = 0;  ///< Where the program header itself is in the file.
  uint32_t type = 0;
  uint64_t offset = 0;  ///< p_offset: where the segment's bytes are in the file.
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint32_t flags = 0;  ///< p_flags: kPfExecute, kPfWrite, kPfRead.

  /// "PT_LOAD[2]" for a loadable segment, else "program header 2".
  std::string Label() const;
};

/// One section header, with its name and the load address objcopy would give it.
struct ElfSection {
  size_t index = 0;  ///< Position in the section header table.
  std::string name;  ///< From the section name table, raw bytes; empty if there is none.
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t address = 0;       ///< sh_addr: where the section lives at run time (VMA).
  uint64_t load_address = 0;  ///< LMA: from the PT_LOAD segment holding it, else = address.
  uint64_t offset = 0;        ///< In the file.
  uint64_t size = 0;
  uint32_t link = 0;  ///< sh_link: for a symbol table, the section holding its names.

  bool allocated() const { return (flags & kShfAlloc) != 0; }
  bool has_contents() const { return type != kShtNobits; }
  bool writable() const { return (flags & kShfWrite) != 0; }
  bool executable() const { return (flags & kShfExecInstr) != 0; }
  /// True if the section's bytes are in the file (not SHT_NULL, not SHT_NOBITS).
  bool in_file() const { return type != 0 && has_contents(); }
  /// "section 3 (.text)", or "section 3" when it has no name.
  std::string Label() const;
};

/// Whether ParseElfFile reads the symbol tables (the flasher does not need them).
enum class ElfSymbols { kRead, kSkip };

/// A parsed ELF file.
struct ElfFile {
  bool is64 = false;
  bool big_endian = false;
  uint16_t type = 0;  ///< e_type: kEtExec, kEtDyn, kEtRel, ...
  uint16_t machine = 0;
  uint64_t entry = 0;
  std::vector<ElfSegment> segments;         ///< In program header order.
  std::vector<ElfSection> sections;         ///< In section header order (index 0 included).
  std::map<std::string, uint64_t> symbols;  ///< Named, defined symbols (first definition wins).

  /// The first section called `name`, or nullptr.
  const ElfSection* FindSection(const std::string& name) const;
  /// The value of the symbol `name`, if defined.
  std::optional<uint64_t> Symbol(const std::string& name) const;
};

/// Parses an ELF file. Throws Error(kInvalidInput) naming `source` and the byte offset for a bad
/// magic, class, byte order or version, extended program header numbering (e_phnum 0xffff),
/// table entries smaller than ELF's, a header table or a (non-empty) section's bytes outside the
/// file, and offsets overflowing 64 bits. Whether the file is an executable is left to the caller.
ElfFile ParseElfFile(std::span<const uint8_t> bytes, const std::string& source,
                     ElfSymbols symbols = ElfSymbols::kRead);

/// The p_filesz bytes of `segment` in `file`. Throws Error(kInvalidInput) with the byte offset if
/// they lie outside it.
std::span<const uint8_t> SegmentContents(std::span<const uint8_t> file, const ElfSegment& segment);

/// The bytes of `section` in `file` (none unless in_file()). Throws Error(kInvalidInput) with the
/// byte offset if they lie outside it.
std::span<const uint8_t> SectionContents(std::span<const uint8_t> file, const ElfSection& section);

/// True if `bytes` starts with the ELF magic.
bool LooksLikeElf(std::span<const uint8_t> bytes);

/// "RISC-V", "ARM", "x86", "x86-64" or "machine N" for an e_machine value.
std::string ElfMachineName(uint16_t machine);

}  // namespace tockctl
