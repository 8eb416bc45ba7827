#include "apps/app_pack.h"

#include <algorithm>

#include "common/elf_file.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl::apps {
namespace {

constexpr uint64_t kMaxProgramSpan = 1 << 20;

Error PackError(const std::string& what, const std::string& message, const std::string& hint) {
  ErrorContext ctx;
  ctx.file = what;
  return Error(ErrorCategory::kInvalidInput, message, ctx, hint);
}

std::vector<const ElfSegment*> LoadedSegments(const ElfFile& elf) {
  std::vector<const ElfSegment*> out;
  for (const ElfSegment& s : elf.segments)
    if (s.type == kPtLoad && s.filesz != 0) out.push_back(&s);
  std::sort(out.begin(), out.end(),
            [](const ElfSegment* a, const ElfSegment* b) { return a->paddr < b->paddr; });
  return out;
}

uint64_t RamBytes(const ElfFile& elf) {
  uint64_t ram = 0;
  for (const ElfSegment& s : elf.segments) {
    if (s.type != kPtLoad) continue;
    if (s.vaddr != s.paddr)
      ram += s.memsz;
    else if (s.memsz > s.filesz)
      ram += s.memsz - s.filesz;
  }
  return ram;
}

std::vector<uint8_t> ProgramBytes(std::span<const uint8_t> bytes,
                                  const std::vector<const ElfSegment*>& segments,
                                  const std::string& what) {
  const uint64_t base = segments.front()->paddr;
  uint64_t end = base;
  for (const ElfSegment* s : segments) end = std::max(end, s->paddr + s->filesz);
  if (end - base > kMaxProgramSpan)
    throw PackError(what,
                    "the loadable segments span " + HexNumber(end - base) + " bytes from " +
                        HexWord(base) + ", more than an app's 1 MiB",
                    "link the program so that its flash segments are contiguous");
  std::vector<uint8_t> program(end - base, 0);
  for (const ElfSegment* s : segments) {
    auto contents = SegmentContents(bytes, *s);
    std::copy(contents.begin(), contents.end(),
              program.begin() + static_cast<std::ptrdiff_t>(s->paddr - base));
  }
  return program;
}

}  // namespace

std::vector<uint8_t> PackElf(std::span<const uint8_t> bytes, const std::string& what,
                             const PackOptions& options) {
  const ElfFile elf = ParseElfFile(bytes, what, ElfSymbols::kSkip);
  const auto segments = LoadedSegments(elf);
  if (segments.empty())
    throw PackError(what, "has no loadable segment with contents",
                    "give the linked program (an executable ELF), not an object file");
  TbfBuild b;
  b.binary = ProgramBytes(bytes, segments, what);
  const uint64_t base = segments.front()->paddr;
  if (elf.entry < base || elf.entry - base >= b.binary.size())
    throw PackError(what,
                    "entry point " + HexWord(elf.entry) + " is outside the program " +
                        HexWord(base) + ".." + HexWord(base + b.binary.size()),
                    "link the program with its entry (_start) in a loadable segment");
  const uint64_t ram = uint64_t{options.stack} + options.heap + options.kernel_heap + RamBytes(elf);
  b.header.flags = (options.enabled ? kTbfFlagEnabled : 0) | (options.sticky ? kTbfFlagSticky : 0);
  b.header.program = TbfProgram{{static_cast<uint32_t>(elf.entry - base), 0,
                                 static_cast<uint32_t>(std::min<uint64_t>(ram, 0xFFFFFFFF))},
                                0,
                                0};
  b.header.package_name = options.name;
  b.header.kernel_version = options.kernel;
  b.minimum_total_size = options.minimum_total_size;
  return BuildTbf(b);
}

}  // namespace tockctl::apps
