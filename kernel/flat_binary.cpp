#include "kernel/flat_binary.h"

#include <algorithm>
#include <cstdio>

#include "common/byte_reader.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl::kernel {
namespace {

std::vector<const ElfSection*> LoadedSections(const ElfFile& elf,
                                              const std::vector<std::string>& removed) {
  std::vector<const ElfSection*> out;
  for (const ElfSection& s : elf.sections)
    if (s.allocated() && s.in_file() && s.size > 0 &&
        std::find(removed.begin(), removed.end(), s.name) == removed.end())
      out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const ElfSection* a, const ElfSection* b) {
    return a->load_address < b->load_address;
  });
  return out;
}

}  // namespace

FlatBinary MakeFlatBinary(const ElfFile& elf, std::span<const uint8_t> elf_bytes,
                          const std::vector<std::string>& removed) {
  auto sections = LoadedSections(elf, removed);
  if (sections.empty())
    throw Error(ErrorCategory::kInvalidInput, "the ELF file has no loadable sections");
  const ElfSection* first = sections.front();
  const ElfSection* last = first;
  uint64_t end = 0;
  for (const ElfSection* s : sections) {
    uint64_t s_end = AddOrThrow(s->load_address, s->size, "section " + s->name + " end address");
    if (s_end > end) end = s_end, last = s;
  }
  uint64_t span = end - first->load_address;
  if (span > kMaxFlatBinarySize)
    throw Error(ErrorCategory::kInvalidInput,
                "the loadable sections span " + HexNumber(span) + " bytes, from " + first->name +
                    " at " + HexNumber(first->load_address) + " to " + last->name + " ending at " +
                    HexNumber(end) + "; a section has a load address outside the kernel's flash",
                {}, "check the board's layout.ld: initialised data must be placed AT > rom");
  FlatBinary bin;
  bin.address = first->load_address;
  bin.bytes.assign(span, 0);
  for (const ElfSection* s : sections) {
    auto data = SectionContents(elf_bytes, *s);
    auto at = static_cast<std::ptrdiff_t>(s->load_address - bin.address);  // < kMaxFlatBinarySize
    std::copy(data.begin(), data.end(), bin.bytes.begin() + at);
    bin.sections.push_back(s->name);
  }
  return bin;
}

}  // namespace tockctl::kernel
