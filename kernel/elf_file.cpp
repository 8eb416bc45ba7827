#include "kernel/elf_file.h"

#include "common/byte_reader.h"
#include "common/error.h"

namespace tockctl::kernel {
namespace {

constexpr size_t kMaxSymbols = 4'000'000;
constexpr size_t kMaxNameLength = 4096;

[[noreturn]] void Fail(const std::string& message, uint64_t offset) {
  ErrorContext ctx;
  ctx.offset = offset;
  throw Error(ErrorCategory::kInvalidInput, message, ctx);
}

// Fields in the file's byte order and word size.
class Fields {
 public:
  Fields(ByteReader reader, bool big_endian, bool is64)
      : r_(std::move(reader)), big_(big_endian), is64_(is64) {}
  uint8_t U8() { return r_.U8(); }
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

struct Header {
  uint64_t phoff = 0, shoff = 0;
  uint16_t phentsize = 0, phnum = 0, shentsize = 0, shnum = 0, shstrndx = 0;
};

Header ReadHeader(const ByteReader& whole, ElfFile& elf) {
  ByteReader ident = whole.At(0, 16, "ELF identification");
  auto magic = ident.Bytes(4);
  if (magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F')
    Fail("not an ELF file (bad magic)", 0);
  uint8_t cls = ident.U8(), data = ident.U8();
  if (cls != 1 && cls != 2) Fail("unknown ELF class " + std::to_string(cls), 4);
  if (data != 1 && data != 2) Fail("unknown ELF byte order " + std::to_string(data), 5);
  elf.is64 = cls == 2;
  elf.big_endian = data == 2;
  Fields f(whole.At(16, elf.is64 ? 48 : 36, "ELF header"), elf.big_endian, elf.is64);
  Header h;
  f.Skip(2);  // e_type
  elf.machine = f.U16();
  f.Skip(4);  // e_version
  elf.entry = f.Word();
  h.phoff = f.Word();
  h.shoff = f.Word();
  f.Skip(4 + 2);  // e_flags, e_ehsize
  h.phentsize = f.U16();
  h.phnum = f.U16();
  h.shentsize = f.U16();
  h.shnum = f.U16();
  h.shstrndx = f.U16();
  return h;
}

void ReadSegments(const ByteReader& whole, const Header& h, ElfFile& elf) {
  size_t entry = elf.is64 ? 56 : 32;
  if (h.phnum > 0 && h.phentsize < entry) Fail("program header entries are too small", 16);
  for (size_t i = 0; i < h.phnum; ++i) {
    uint64_t at = AddOrThrow(h.phoff, uint64_t{h.phentsize} * i, "program header offset");
    Fields f(whole.At(at, entry, "program header " + std::to_string(i)), elf.big_endian, elf.is64);
    ElfSegment s;
    s.type = f.U32();
    if (elf.is64) f.Skip(4);  // p_flags
    s.offset = f.Word();
    s.vaddr = f.Word();
    s.paddr = f.Word();
    s.filesz = f.Word();
    s.memsz = f.Word();
    elf.segments.push_back(s);
  }
}

// A NUL-terminated string at `offset` of a string table.
std::string TableString(const ByteReader& table, uint64_t offset) {
  if (offset >= table.remaining()) return {};
  ByteReader r = table.At(offset, table.remaining() - offset, "string table");
  std::string out;
  while (!r.empty() && out.size() < kMaxNameLength) {
    char c = static_cast<char>(r.U8());
    if (c == '\0') break;
    out.push_back(c);
  }
  return out;
}

ElfSection ReadSection(const ByteReader& whole, const Header& h, const ElfFile& elf, size_t i,
                       uint32_t& name_offset, uint32_t& link) {
  size_t entry = elf.is64 ? 64 : 40;
  uint64_t at = AddOrThrow(h.shoff, uint64_t{h.shentsize} * i, "section header offset");
  Fields f(whole.At(at, entry, "section header " + std::to_string(i)), elf.big_endian, elf.is64);
  ElfSection s;
  name_offset = f.U32();
  s.type = f.U32();
  s.flags = f.Word();
  s.address = f.Word();
  s.offset = f.Word();
  s.size = f.Word();
  link = f.U32();
  s.load_address = s.address;
  if (s.has_contents() && s.type != 0) whole.At(s.offset, s.size, "section " + std::to_string(i));
  return s;
}

void ReadSections(const ByteReader& whole, const Header& h, ElfFile& elf,
                  std::vector<uint32_t>& links) {
  if (h.shoff == 0 || h.shnum == 0) return;
  if (h.shentsize < (elf.is64 ? 64 : 40)) Fail("section header entries are too small", 16);
  std::vector<uint32_t> names(h.shnum);
  links.resize(h.shnum);
  for (size_t i = 0; i < h.shnum; ++i)
    elf.sections.push_back(ReadSection(whole, h, elf, i, names[i], links[i]));
  if (h.shstrndx >= elf.sections.size()) return;
  const ElfSection& strtab = elf.sections[h.shstrndx];
  ByteReader table = whole.At(strtab.offset, strtab.size, "section name table");
  for (size_t i = 0; i < elf.sections.size(); ++i)
    elf.sections[i].name = TableString(table, names[i]);
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

void ReadSymbols(const ByteReader& whole, ElfFile& elf, const std::vector<uint32_t>& links) {
  for (size_t i = 0; i < elf.sections.size(); ++i) {
    const ElfSection& symtab = elf.sections[i];
    if (symtab.type != kShtSymtab || links[i] >= elf.sections.size()) continue;
    const ElfSection& strtab = elf.sections[links[i]];
    ByteReader names = whole.At(strtab.offset, strtab.size, "symbol name table");
    size_t entry = elf.is64 ? 24 : 16;
    size_t count = std::min<uint64_t>(symtab.size / entry, kMaxSymbols);
    for (size_t k = 1; k < count; ++k) {
      Fields f(whole.At(symtab.offset + k * entry, entry, "symbol " + std::to_string(k)),
               elf.big_endian, elf.is64);
      uint32_t name = f.U32();
      uint64_t value = 0;
      uint16_t shndx = 0;
      if (elf.is64) {
        f.Skip(2);
        shndx = f.U16();
        value = f.U64();
      } else {
        value = f.U32();
        f.Skip(4 + 2);
        shndx = f.U16();
      }
      if (shndx == 0) continue;  // undefined
      std::string symbol = TableString(names, name);
      if (!symbol.empty()) elf.symbols.emplace(std::move(symbol), value);
    }
  }
}

}  // namespace

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

ElfFile ParseElfFile(std::span<const uint8_t> bytes, const std::string& source) {
  try {
    ByteReader whole(bytes, "ELF file");
    ElfFile elf;
    Header h = ReadHeader(whole, elf);
    ReadSegments(whole, h, elf);
    std::vector<uint32_t> links;
    ReadSections(whole, h, elf, links);
    AssignLoadAddresses(elf);
    ReadSymbols(whole, elf, links);
    return elf;
  } catch (const Error& e) {
    ErrorContext ctx;
    ctx.file = source;
    throw e.WithContext(ctx);
  }
}

std::string MachineName(uint16_t machine) {
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

}  // namespace tockctl::kernel
