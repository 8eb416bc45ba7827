#include "common/elf_file.h"

#include <algorithm>

#include "common/byte_reader.h"
#include "common/error.h"

namespace tockctl {
namespace {

constexpr size_t kMaxSymbols = 4'000'000;
constexpr size_t kMaxLabelNameLength = 64;
constexpr uint16_t kPnXnum = 0xffff;

[[noreturn]] void Fail(const std::string& message, uint64_t offset) {
  ErrorContext ctx;
  ctx.offset = offset;
  throw Error(ErrorCategory::kInvalidInput, message, ctx);
}

// Fields in the file's byte order and word size (Word: Elf_Addr, Elf_Off, Elf64_Xword).
class Fields {
 public:
  Fields(ByteReader reader, bool big_endian, bool is64)
      : r_(std::move(reader)), big_(big_endian), is64_(is64) {}
  uint16_t U16() { return big_ ? r_.U16Be() : r_.U16Le(); }
  uint32_t U32() { return big_ ? r_.U32Be() : r_.U32Le(); }
  uint64_t U64() { return big_ ? r_.U64Be() : r_.U64Le(); }
  uint64_t Word() { return is64_ ? U64() : U32(); }
  void Skip(size_t n) { r_.Skip(n); }

 private:
  ByteReader r_;
  bool big_;
  bool is64_;
};

// Sizes of the ELF32 or ELF64 structures.
struct Layout {
  uint64_t header;
  uint16_t program_header;
  uint16_t section_header;
  uint64_t symbol;
};
constexpr Layout kElf32{52, 32, 40, 16};
constexpr Layout kElf64{64, 56, 64, 24};
const Layout& LayoutOf(bool is64) { return is64 ? kElf64 : kElf32; }

// Offsets of ELF32 header fields after e_shoff; ELF64's are 12 bytes further on.
constexpr uint64_t kPhentsizeField = 42;
constexpr uint64_t kPhnumField = 44;
constexpr uint64_t kShentsizeField = 46;
uint64_t FieldOffset(bool is64, uint64_t elf32_offset) {
  return is64 ? elf32_offset + 12 : elf32_offset;
}

// Where the header tables are.
struct Tables {
  uint64_t phoff = 0, shoff = 0;
  uint16_t phentsize = 0, phnum = 0, shentsize = 0, shnum = 0, shstrndx = 0;
};

void ReadIdent(const ByteReader& whole, ElfFile& elf) {
  ByteReader ident = whole.At(0, 16, "ELF identification");
  if (!LooksLikeElf(ident.Bytes(4))) Fail("not an ELF file (bad magic)", 0);
  uint8_t cls = ident.U8();
  if (cls != 1 && cls != 2) Fail("unknown ELF class " + std::to_string(cls) + " (want 1 or 2)", 4);
  uint8_t data = ident.U8();
  if (data != 1 && data != 2)
    Fail("unknown ELF byte order " + std::to_string(data) + " (want 1 or 2)", 5);
  uint8_t version = ident.U8();
  if (version != 1) Fail("unknown ELF version " + std::to_string(version) + " (want 1)", 6);
  elf.is64 = cls == 2;
  elf.big_endian = data == 2;
}

Tables ReadHeader(const ByteReader& whole, ElfFile& elf) {
  ReadIdent(whole, elf);
  Fields f(whole.At(16, LayoutOf(elf.is64).header - 16, "ELF header"), elf.big_endian, elf.is64);
  elf.type = f.U16();
  elf.machine = f.U16();
  f.Skip(4);  // e_version
  elf.entry = f.Word();
  Tables t;
  t.phoff = f.Word();
  t.shoff = f.Word();
  f.Skip(4 + 2);  // e_flags, e_ehsize
  t.phentsize = f.U16();
  t.phnum = f.U16();
  t.shentsize = f.U16();
  t.shnum = f.U16();
  t.shstrndx = f.U16();
  return t;
}

std::string SizeTooSmall(const char* what, uint16_t size, uint16_t minimum) {
  return std::string(what) + " size " + std::to_string(size) + " is smaller than " +
         std::to_string(minimum);
}

void CheckTables(const Tables& t, bool is64) {
  const Layout& layout = LayoutOf(is64);
  if (t.phnum == kPnXnum)
    Fail("ELF uses extended program header numbering (e_phnum 0xffff), which is not supported",
         FieldOffset(is64, kPhnumField));
  if (t.phnum > 0 && t.phentsize < layout.program_header)
    Fail(SizeTooSmall("program header", t.phentsize, layout.program_header),
         FieldOffset(is64, kPhentsizeField));
  if (t.shoff != 0 && t.shnum > 0 && t.shentsize < layout.section_header)
    Fail(SizeTooSmall("section header", t.shentsize, layout.section_header),
         FieldOffset(is64, kShentsizeField));
}

ElfSegment ReadSegment(const ByteReader& whole, const Tables& t, const ElfFile& elf, size_t i) {
  uint64_t at = AddOrThrow(t.phoff, uint64_t{t.phentsize} * i, "program header offset");
  Fields f(whole.At(at, LayoutOf(elf.is64).program_header, "program header " + std::to_string(i)),
           elf.big_endian, elf.is64);
  ElfSegment s;
  s.index = i;
  s.header_offset = at;
  s.type = f.U32();
  if (elf.is64) s.flags = f.U32();
  s.offset = f.Word();
  s.vaddr = f.Word();
  s.paddr = f.Word();
  s.filesz = f.Word();
  s.memsz = f.Word();
  if (!elf.is64) s.flags = f.U32();
  return s;
}

ElfSection ReadSectionHeader(const ByteReader& whole, const Tables& t, const ElfFile& elf, size_t i,
                             uint32_t& name) {
  uint64_t at = AddOrThrow(t.shoff, uint64_t{t.shentsize} * i, "section header offset");
  Fields f(whole.At(at, LayoutOf(elf.is64).section_header, "section header " + std::to_string(i)),
           elf.big_endian, elf.is64);
  ElfSection s;
  s.index = i;
  name = f.U32();
  s.type = f.U32();
  s.flags = f.Word();
  s.address = s.load_address = f.Word();
  s.offset = f.Word();
  s.size = f.Word();
  s.link = f.U32();
  return s;
}

// The bytes of a section with contents in the file, bounds-checked. An empty section has no
// bytes, wherever its offset points.
ByteReader Contents(const ByteReader& whole, const ElfSection& s) {
  if (!s.in_file() || s.size == 0) return whole.At(0, 0, s.Label());
  return whole.At(s.offset, s.size, s.Label() + " contents");
}

// The NUL-terminated string at `offset` of a string table, cut at kMaxElfNameLength bytes; empty
// if `offset` lies outside the table.
std::string TableString(const ByteReader& table, uint64_t offset) {
  if (offset >= table.remaining()) return {};
  uint64_t n = std::min<uint64_t>(table.remaining() - offset, kMaxElfNameLength);
  auto bytes = table.At(offset, n, "string").Rest();
  return std::string(bytes.begin(), std::find(bytes.begin(), bytes.end(), uint8_t{0}));
}

void NameSections(const ByteReader& whole, uint16_t shstrndx, const std::vector<uint32_t>& names,
                  ElfFile& elf) {
  if (shstrndx >= elf.sections.size()) return;
  const ElfSection& strtab = elf.sections[shstrndx];
  ByteReader table = whole.At(strtab.offset, strtab.size,
                              "section name table (section " + std::to_string(shstrndx) + ")");
  for (ElfSection& s : elf.sections) s.name = TableString(table, names[s.index]);
}

void ReadSections(const ByteReader& whole, const Tables& t, ElfFile& elf) {
  if (t.shoff == 0 || t.shnum == 0) return;
  std::vector<uint32_t> names(t.shnum);
  for (size_t i = 0; i < t.shnum; ++i)
    elf.sections.push_back(ReadSectionHeader(whole, t, elf, i, names[i]));
  NameSections(whole, t.shstrndx, names, elf);
  for (const ElfSection& s : elf.sections) Contents(whole, s);
}

// objcopy's load address: the segment's physical address plus the section's place in it.
void AssignLoadAddresses(ElfFile& elf) {
  for (ElfSection& s : elf.sections) {
    if (!s.allocated() || s.size == 0) continue;
    for (const ElfSegment& p : elf.segments) {
      if (p.type != kPtLoad) continue;
      bool in_memory = s.address >= p.vaddr && s.address - p.vaddr <= p.memsz &&
                       s.size <= p.memsz - (s.address - p.vaddr);
      bool in_file = !s.has_contents() || (s.offset >= p.offset && s.offset - p.offset < p.filesz &&
                                           s.size <= p.filesz - (s.offset - p.offset));
      if (!in_memory || !in_file) continue;
      s.load_address =
          s.has_contents() ? p.paddr + (s.offset - p.offset) : p.paddr + (s.address - p.vaddr);
      break;
    }
  }
}

struct SymbolEntry {
  uint32_t name = 0;
  uint64_t value = 0;
  uint16_t section = 0;  ///< st_shndx; 0 = undefined.
};

SymbolEntry ReadSymbol(Fields f, bool is64) {
  SymbolEntry s;
  s.name = f.U32();
  if (is64) {
    f.Skip(2);  // st_info, st_other
    s.section = f.U16();
    s.value = f.U64();
  } else {
    s.value = f.U32();
    f.Skip(4 + 2);  // st_size, st_info, st_other
    s.section = f.U16();
  }
  return s;
}

void ReadSymbolTable(const ByteReader& whole, const ElfSection& symtab, ElfFile& elf) {
  ByteReader names = symtab.link < elf.sections.size() ? Contents(whole, elf.sections[symtab.link])
                                                       : ByteReader({});
  ByteReader entries = Contents(whole, symtab);
  uint64_t entry = LayoutOf(elf.is64).symbol;
  uint64_t count = std::min<uint64_t>(entries.remaining() / entry, kMaxSymbols);
  for (uint64_t k = 0; k < count; ++k) {
    ByteReader raw = entries.Sub(entry, "symbol " + std::to_string(k));
    if (k == 0) continue;  // the reserved null symbol
    SymbolEntry symbol = ReadSymbol(Fields(std::move(raw), elf.big_endian, elf.is64), elf.is64);
    if (symbol.section == 0) continue;
    std::string name = TableString(names, symbol.name);
    if (!name.empty()) elf.symbols.emplace(std::move(name), symbol.value);
  }
}

std::string CutName(const std::string& name) {
  if (name.size() <= kMaxLabelNameLength) return name;
  return name.substr(0, kMaxLabelNameLength) + "...";
}

}  // namespace

std::string ElfSegment::Label() const {
  std::string number = std::to_string(index);
  return type == kPtLoad ? "PT_LOAD[" + number + "]" : "program header " + number;
}

std::string ElfSection::Label() const {
  std::string out = "section " + std::to_string(index);
  return name.empty() ? out : out + " (" + CutName(name) + ")";
}

const ElfSection* ElfFile::FindSection(const std::string& name) const {
  for (const ElfSection& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

std::optional<uint64_t> ElfFile::Symbol(const std::string& name) const {
  auto it = symbols.find(name);
  if (it == symbols.end()) return std::nullopt;
  return it->second;
}

ElfFile ParseElfFile(std::span<const uint8_t> bytes, const std::string& source,
                     ElfSymbols symbols) {
  try {
    ByteReader whole(bytes, "ELF file");
    ElfFile elf;
    Tables t = ReadHeader(whole, elf);
    CheckTables(t, elf.is64);
    for (size_t i = 0; i < t.phnum; ++i) elf.segments.push_back(ReadSegment(whole, t, elf, i));
    ReadSections(whole, t, elf);
    AssignLoadAddresses(elf);
    if (symbols == ElfSymbols::kRead)
      for (const ElfSection& s : elf.sections)
        if (s.type == kShtSymtab) ReadSymbolTable(whole, s, elf);
    return elf;
  } catch (const Error& e) {
    ErrorContext ctx;
    ctx.file = source;
    throw e.WithContext(ctx);
  }
}

std::span<const uint8_t> SegmentContents(std::span<const uint8_t> file, const ElfSegment& segment) {
  ByteReader whole(file, "ELF file");
  return whole.At(segment.offset, segment.filesz, segment.Label() + " contents").Rest();
}

std::span<const uint8_t> SectionContents(std::span<const uint8_t> file, const ElfSection& section) {
  return Contents(ByteReader(file, "ELF file"), section).Rest();
}

bool LooksLikeElf(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' &&
         bytes[3] == 'F';
}

std::string ElfMachineName(uint16_t machine) {
  switch (machine) {
    case 3:
      return "x86";
    case 40:
      return "ARM";
    case 62:
      return "x86-64";
    case 243:
      return "RISC-V";
  }
  return "machine " + std::to_string(machine);
}

}  // namespace tockctl
