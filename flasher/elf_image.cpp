#include "flasher/elf_image.h"

#include <algorithm>
#include <vector>

#include "common/byte_reader.h"
#include "common/elf_file.h"
#include "common/error.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

[[noreturn]] void Fail(const std::string& message, uint64_t offset) {
  ErrorContext ctx;
  ctx.offset = offset;
  throw Error(ErrorCategory::kInvalidInput, message, ctx);
}

void CheckExecutable(const ElfFile& elf) {
  if (elf.type == kEtRel) Fail("ELF file is a relocatable object (ET_REL); link it first", 16);
  if (elf.type != kEtExec && elf.type != kEtDyn)
    Fail("ELF file type " + std::to_string(elf.type) + " is not an executable", 16);
}

// Allocated sections with file contents, sorted by file offset (the candidates for naming
// segments).
std::vector<const ElfSection*> NamingCandidates(const ElfFile& elf) {
  std::vector<const ElfSection*> out;
  for (const ElfSection& s : elf.sections)
    if (s.allocated() && s.has_contents() && s.size > 0) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(),
                   [](const ElfSection* a, const ElfSection* b) { return a->offset < b->offset; });
  return out;
}

// The name of a section as a segment label: cut at 64 characters (names only label segments for
// people), with control and non-ASCII bytes escaped so that messages naming the segment stay on
// one line.
std::string LabelName(const std::string& name) {
  constexpr size_t kMaxNameLength = 64;
  return PrintableText(name, kMaxNameLength);
}

// Names of up to kMaxNames + 1 allocated sections whose file bytes lie inside the segment, found
// by binary search so hostile files with many headers stay fast.
std::vector<std::string> SectionNamesIn(const std::vector<const ElfSection*>& candidates,
                                        const ElfSegment& p) {
  constexpr size_t kMaxNames = 7;
  auto it =
      std::lower_bound(candidates.begin(), candidates.end(), p.offset,
                       [](const ElfSection* s, uint64_t offset) { return s->offset < offset; });
  std::vector<std::string> names;
  for (; it != candidates.end() && (*it)->offset - p.offset < p.filesz; ++it) {
    if ((*it)->size > p.filesz - ((*it)->offset - p.offset)) continue;
    if (names.size() == kMaxNames) break;
    if (!(*it)->name.empty()) names.push_back(LabelName((*it)->name));
  }
  return names;
}

// "PT_LOAD[1] (.text .rodata)", with "..." past six names.
std::string SegmentName(const ElfSegment& p, const std::vector<std::string>& sections) {
  constexpr size_t kShownNames = 6;
  std::string out = p.Label();
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

Segment LoadSegment(std::span<const uint8_t> bytes, const ElfFile& elf, const ElfSegment& p,
                    const std::vector<std::string>& section_names) {
  if (p.filesz > p.memsz)
    Fail(p.Label() + " has p_filesz " + HexAddress(p.filesz) + " larger than p_memsz " +
             HexAddress(p.memsz),
         p.header_offset);
  auto end = CheckedAdd(p.paddr, p.filesz);
  uint64_t limit = elf.is64 ? UINT64_MAX : (uint64_t{1} << 32);
  if (!end || *end > limit)
    Fail(p.Label() + " at " + HexAddress(p.paddr) + " with " + HexAddress(p.filesz) +
             " bytes runs past the end of the address space",
         p.header_offset);
  auto data = SegmentContents(bytes, p);
  Segment s;
  s.address = p.paddr;
  s.data.assign(data.begin(), data.end());
  s.name = SegmentName(p, section_names);
  return s;
}

Image ImageOfElf(std::span<const uint8_t> bytes, const std::string& source) {
  ElfFile elf = ParseElfFile(bytes, source, ElfSymbols::kSkip);
  CheckExecutable(elf);
  std::vector<const ElfSection*> candidates = NamingCandidates(elf);
  Image image;
  image.source = source;
  image.format = "elf";
  image.entry = elf.entry;
  for (const ElfSegment& p : elf.segments) {
    if (p.type != kPtLoad || p.filesz == 0) continue;
    auto names = SectionNamesIn(candidates, p);
    if (IsTockAppsPlaceholder(names)) {
      image.notes.push_back(
          "skipped " + SegmentName(p, names) +
          ": Tock's app flash placeholder, which Tock's kernel binary leaves out");
      continue;
    }
    image.segments.push_back(LoadSegment(bytes, elf, p, names));
  }
  SortAndCheckOverlaps(image);
  return image;
}

}  // namespace

Image ParseElf(std::span<const uint8_t> bytes, const std::string& source) {
  try {
    return ImageOfElf(bytes, source);
  } catch (const Error& e) {
    ErrorContext ctx;
    ctx.file = source;
    throw e.WithContext(ctx);
  }
}

}  // namespace tockctl::flasher
