#include "flasher/elf_image.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

#include "common/byte_reader.h"
#include "common/error.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kShtNobits = 8;
constexpr uint64_t kShfAlloc = 2;
constexpr uint16_t kEtRel = 1;
constexpr uint16_t kEtExec = 2;
constexpr uint16_t kEtDyn = 3;
constexpr uint16_t kPnXnum = 0xffff;

[[noreturn]] void Fail(const std::string& message, uint64_t offset) {
  ErrorContext ctx;
  ctx.offset = offset;
  throw Error(ErrorCategory::kInvalidInput, message, ctx);
}

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Reads fields in the file's byte order and word size.
class ElfFields {
 public:
  ElfFields(ByteReader reader, bool big_endian, bool is64)
      : r_(std::move(reader)), big_(big_endian), is64_(is64) {}
  uint16_t U16() { return big_ ? r_.U16Be() : r_.U16Le(); }
  uint32_t U32() { return big_ ? r_.U32Be() : r_.U32Le(); }
  uint64_t U64() { return big_ ? r_.U64Be() : r_.U64Le(); }
  uint64_t Word() { return is64_ ? U64() : U32(); }  // Elf_Addr, Elf_Off, Elf64_Xword
  void Skip(size_t n) { r_.Skip(n); }

 private:
  ByteReader r_;
  bool big_;
  bool is64_;
};

struct ElfHeader {
  bool big_endian = false;
  bool is64 = false;
  uint16_t type = 0;
  uint64_t entry = 0;
  uint64_t phoff = 0;
  uint64_t shoff = 0;
  uint16_t phentsize = 0;
  uint16_t phnum = 0;
  uint16_t shentsize = 0;
  uint16_t shnum = 0;
  uint16_t shstrndx = 0;
};

struct ProgramHeader {
  size_t index = 0;
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

struct SectionHeader {
  uint32_t name = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

ElfHeader ReadIdent(const ByteReader& whole) {
  ByteReader ident = whole.At(0, 16, "ELF identification");
  auto magic = ident.Bytes(4);
  if (magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F')
    Fail("not an ELF file (bad magic)", 0);
  ElfHeader h;
  uint8_t cls = ident.U8();
  if (cls != 1 && cls != 2) Fail("unknown ELF class " + std::to_string(cls) + " (want 1 or 2)", 4);
  uint8_t data = ident.U8();
  if (data != 1 && data != 2)
    Fail("unknown ELF byte order " + std::to_string(data) + " (want 1 or 2)", 5);
  if (ident.U8() != 1) Fail("unknown ELF version (want 1)", 6);
  h.is64 = cls == 2;
  h.big_endian = data == 2;
  return h;
}

ElfHeader ReadHeader(const ByteReader& whole) {
  ElfHeader h = ReadIdent(whole);
  uint64_t size = h.is64 ? 64 : 52;
  ElfFields f(whole.At(16, size - 16, "ELF header"), h.big_endian, h.is64);
  h.type = f.U16();
  f.Skip(2 + 4);  // e_machine, e_version
  h.entry = f.Word();
  h.phoff = f.Word();
  h.shoff = f.Word();
  f.Skip(4 + 2);  // e_flags, e_ehsize
  h.phentsize = f.U16();
  h.phnum = f.U16();
  h.shentsize = f.U16();
  h.shnum = f.U16();
  h.shstrndx = f.U16();
  if (h.type == kEtRel) Fail("ELF file is a relocatable object (ET_REL); link it first", 16);
  if (h.type != kEtExec && h.type != kEtDyn)
    Fail("ELF file type " + std::to_string(h.type) + " is not an executable", 16);
  return h;
}

ProgramHeader ReadProgramHeader(const ByteReader& whole, const ElfHeader& h, size_t index) {
  uint64_t offset =
      AddOrThrow(h.phoff, static_cast<uint64_t>(index) * h.phentsize, "program header offset");
  ElfFields f(whole.At(offset, h.is64 ? 56 : 32, "program header " + std::to_string(index)),
              h.big_endian, h.is64);
  ProgramHeader p;
  p.index = index;
  p.type = f.U32();
  if (h.is64) f.Skip(4);  // p_flags
  p.offset = f.Word();
  f.Word();  // p_vaddr
  p.paddr = f.Word();
  p.filesz = f.Word();
  p.memsz = f.Word();
  return p;
}

std::vector<SectionHeader> ReadSections(const ByteReader& whole, const ElfHeader& h) {
  std::vector<SectionHeader> out;
  if (h.shoff == 0 || h.shnum == 0) return out;
  uint64_t entry_size = h.is64 ? 64 : 40;
  if (h.shentsize < entry_size)
    Fail("section header size " + std::to_string(h.shentsize) + " is smaller than " +
             std::to_string(entry_size),
         h.is64 ? 58 : 46);
  for (size_t i = 0; i < h.shnum; ++i) {
    uint64_t offset =
        AddOrThrow(h.shoff, static_cast<uint64_t>(i) * h.shentsize, "section header offset");
    ElfFields f(whole.At(offset, entry_size, "section header " + std::to_string(i)), h.big_endian,
                h.is64);
    SectionHeader s;
    s.name = f.U32();
    s.type = f.U32();
    s.flags = f.Word();
    f.Word();  // sh_addr
    s.offset = f.Word();
    s.size = f.Word();
    out.push_back(s);
  }
  return out;
}

// The name of a section, cut at 64 characters (names only label segments for people), with
// control and non-ASCII bytes escaped so that messages naming the segment stay on one line.
std::string SectionName(const ByteReader& whole, const ElfHeader& h,
                        const std::vector<SectionHeader>& sections, uint32_t name) {
  constexpr size_t kMaxNameLength = 64;
  if (h.shstrndx >= sections.size()) return {};
  const SectionHeader& strtab = sections[h.shstrndx];
  if (name >= strtab.size) return {};
  ByteReader names = whole.At(strtab.offset, strtab.size, "section name table");
  names.Skip(name);
  std::string out;
  while (!names.empty() && out.size() < kMaxNameLength) {
    char c = static_cast<char>(names.U8());
    if (c == '\0') break;
    out.push_back(c);
  }
  return PrintableText(out);
}

// Allocated sections with file contents, sorted by file offset (the candidates for naming
// segments).
std::vector<SectionHeader> NamedSections(std::vector<SectionHeader> sections) {
  std::erase_if(sections, [](const SectionHeader& s) {
    return (s.flags & kShfAlloc) == 0 || s.type == kShtNobits || s.size == 0;
  });
  std::sort(sections.begin(), sections.end(),
            [](const SectionHeader& a, const SectionHeader& b) { return a.offset < b.offset; });
  return sections;
}

// Names of up to kMaxNames + 1 allocated sections whose file bytes lie inside the segment, found
// by binary search so hostile files with many headers stay fast.
std::vector<std::string> SectionNamesIn(const ByteReader& whole, const ElfHeader& h,
                                        const std::vector<SectionHeader>& all,
                                        const std::vector<SectionHeader>& candidates,
                                        const ProgramHeader& p) {
  constexpr size_t kMaxNames = 7;
  auto it =
      std::lower_bound(candidates.begin(), candidates.end(), p.offset,
                       [](const SectionHeader& s, uint64_t offset) { return s.offset < offset; });
  std::vector<std::string> names;
  for (; it != candidates.end() && it->offset - p.offset < p.filesz; ++it) {
    if (it->size > p.filesz - (it->offset - p.offset)) continue;
    if (names.size() == kMaxNames) break;
    std::string name = SectionName(whole, h, all, it->name);
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

// "PT_LOAD[1] (.text .rodata)", with "..." past six names.
std::string SegmentName(const ProgramHeader& p, const std::vector<std::string>& sections) {
  constexpr size_t kShownNames = 6;
  std::string out = "PT_LOAD[" + std::to_string(p.index) + "]";
  if (sections.empty()) return out;
  std::string names;
  for (size_t i = 0; i < sections.size() && i < kShownNames; ++i)
    names += (i == 0 ? "" : " ") + sections[i];
  if (sections.size() > kShownNames) names += " ...";
  return out + " (" + names + ")";
}

// Tock's linker script reserves app flash with a placeholder section `.apps`; Tock's Makefile
// removes it when making the kernel binary (objcopy --remove-section .apps), and so do we.
bool IsTockAppsPlaceholder(const std::vector<std::string>& sections) {
  return sections.size() == 1 && sections[0] == ".apps";
}

void CheckProgramHeaderTable(const ElfHeader& h) {
  if (h.phnum == kPnXnum)
    Fail("ELF uses extended program header numbering (e_phnum 0xffff), which is not supported",
         h.is64 ? 56 : 44);
  uint16_t entry_size = h.is64 ? 56 : 32;
  if (h.phnum > 0 && h.phentsize < entry_size)
    Fail("program header size " + std::to_string(h.phentsize) + " is smaller than " +
             std::to_string(entry_size),
         h.is64 ? 54 : 42);
}

Segment LoadSegment(const ByteReader& whole, const ElfHeader& h, const ProgramHeader& p,
                    const std::vector<std::string>& section_names) {
  std::string label = "PT_LOAD[" + std::to_string(p.index) + "]";
  if (p.filesz > p.memsz)
    Fail(label + " has p_filesz " + Hex(p.filesz) + " larger than p_memsz " + Hex(p.memsz),
         p.offset);
  auto end = CheckedAdd(p.paddr, p.filesz);
  uint64_t limit = h.is64 ? UINT64_MAX : (uint64_t{1} << 32);
  if (!end || *end > limit)
    Fail(label + " at " + Hex(p.paddr) + " with " + Hex(p.filesz) +
             " bytes runs past the end of the address space",
         h.phoff);
  ByteReader bytes = whole.At(p.offset, p.filesz, label + " contents");
  auto data = bytes.Rest();
  Segment s;
  s.address = p.paddr;
  s.data.assign(data.begin(), data.end());
  s.name = SegmentName(p, section_names);
  return s;
}

}  // namespace

bool LooksLikeElf(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' &&
         bytes[3] == 'F';
}

Image ParseElf(std::span<const uint8_t> bytes, const std::string& source) {
  ByteReader whole(bytes, "ELF file");
  ElfHeader h = ReadHeader(whole);
  CheckProgramHeaderTable(h);
  std::vector<SectionHeader> sections = ReadSections(whole, h);
  std::vector<SectionHeader> candidates = NamedSections(sections);
  Image image;
  image.source = source;
  image.format = "elf";
  image.entry = h.entry;
  for (size_t i = 0; i < h.phnum; ++i) {
    ProgramHeader p = ReadProgramHeader(whole, h, i);
    if (p.type != kPtLoad || p.filesz == 0) continue;
    auto names = SectionNamesIn(whole, h, sections, candidates, p);
    if (IsTockAppsPlaceholder(names)) {
      image.notes.push_back(
          "skipped " + SegmentName(p, names) +
          ": Tock's app flash placeholder, which Tock's kernel binary leaves out");
      continue;
    }
    image.segments.push_back(LoadSegment(whole, h, p, names));
  }
  SortAndCheckOverlaps(image);
  return image;
}

}  // namespace tockctl::flasher
