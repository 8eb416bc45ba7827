#include "apps/app_pack.h"

#include <algorithm>
#include <bit>

#include "common/byte_reader.h"
#include "common/elf_file.h"
#include "common/error.h"
#include "common/hex.h"

namespace tockctl::apps {
namespace {

constexpr uint64_t kMaxProgramSpan = 1 << 20;
constexpr uint32_t kDefaultStack = 2048;
// Tock's convention for position-independent apps: linked with flash at 0x80000000.
constexpr uint64_t kPicFlashOrigin = 0x80000000;
// elf2tab starts a fixed-address app's TBF on this boundary below its flash address.
constexpr uint64_t kFixedTbfBoundary = 256;
// libtock-c's crt0 header: ten words; reldata_start (word 8) is where the relocation data's
// length word is, as an offset from the start of the flash image.
constexpr uint64_t kCrt0HeaderSize = 40;
constexpr uint64_t kCrt0RelDataStart = 32;
constexpr uint16_t kEmX86 = 3;
constexpr uint16_t kEmArm = 40;
constexpr uint16_t kEmRiscv = 243;
// A footer TLV's type, length and credentials format.
constexpr uint64_t kMinimumFooter = 8;

Error PackError(const std::string& what, const std::string& message, const std::string& hint) {
  ErrorContext ctx;
  ctx.file = what;
  return Error(ErrorCategory::kInvalidInput, message, ctx, hint);
}

uint64_t RoundUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint32_t ClampToWord(uint64_t value) {
  return static_cast<uint32_t>(std::min<uint64_t>(value, 0xFFFFFFFF));
}

Error SpanError(const std::string& what, uint64_t base, uint64_t end) {
  return PackError(what,
                   "the loadable segments span " + HexNumber(end - base) + " bytes from " +
                       HexWord(base) + ", more than an app's 1 MiB",
                   "link the program so that its flash segments are contiguous");
}

Error EntryError(const std::string& what, uint64_t entry, uint64_t base, uint64_t size) {
  return PackError(what,
                   "entry point " + HexWord(entry) + " is outside the program " + HexWord(base) +
                       ".." + HexWord(base + size),
                   "link the program with its entry (_start) in a loadable segment");
}

Error NothingToLoad(const std::string& what) {
  return PackError(what, "has no loadable segment with contents",
                   "give the linked program (an executable ELF), not an object file");
}

// An option of one layout given for an ELF packed in the other.
void RefuseOption(bool given, const std::string& what, const std::string& option,
                  const std::string& layout, const std::string& hint) {
  if (given)
    throw PackError(
        what, option + " does not apply to the " + layout + " layout this ELF is packed in", hint);
}

// A size option past what any app needs (it would be allocated).
void RefuseOversized(uint64_t value, const std::string& what, const std::string& option) {
  if (value > kMaxProgramSpan)
    throw PackError(what, option + " " + HexNumber(value) + " is more than an app's 1 MiB",
                    "give a smaller " + option);
}

// ----- The simple layout -----

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
  if (end - base > kMaxProgramSpan) throw SpanError(what, base, end);
  std::vector<uint8_t> program(end - base, 0);
  for (const ElfSegment* s : segments) {
    auto contents = SegmentContents(bytes, *s);
    std::copy(contents.begin(), contents.end(),
              program.begin() + static_cast<std::ptrdiff_t>(s->paddr - base));
  }
  return program;
}

void RefuseElf2tabOptions(const PackOptions& o, const std::string& what) {
  const std::string hint = "leave it out, or give --layout elf2tab for a libtock-c ELF";
  RefuseOption(o.protected_region_size.has_value(), what, "--protected-region-size", "simple",
               hint);
  RefuseOption(o.minimum_footer_size != 0, what, "--minimum-footer-size", "simple", hint);
}

std::vector<uint8_t> PackSimple(std::span<const uint8_t> bytes, const std::string& what,
                                const PackOptions& options) {
  RefuseElf2tabOptions(options, what);
  const ElfFile elf = ParseElfFile(bytes, what, ElfSymbols::kSkip);
  const auto segments = LoadedSegments(elf);
  if (segments.empty()) throw NothingToLoad(what);
  TbfBuild b;
  b.binary = ProgramBytes(bytes, segments, what);
  const uint64_t base = segments.front()->paddr;
  if (elf.entry < base || elf.entry - base >= b.binary.size())
    throw EntryError(what, elf.entry, base, b.binary.size());
  const uint64_t ram = uint64_t{options.stack.value_or(kDefaultStack)} + options.heap +
                       options.kernel_heap + RamBytes(elf);
  b.header.flags = (options.enabled ? kTbfFlagEnabled : 0) | (options.sticky ? kTbfFlagSticky : 0);
  b.header.program =
      TbfProgram{{static_cast<uint32_t>(elf.entry - base), 0, ClampToWord(ram)}, 0, 0};
  b.header.package_name = options.name;
  b.header.kernel_version = options.kernel;
  b.minimum_total_size = options.minimum_total_size;
  return BuildTbf(b);
}

// ----- elf2tab's layout -----

// Whether the allocated `section` lies wholly inside the loadable `segment`, by address and (if
// it has bytes) by file offset: the rule elf2tab takes from pyelftools.
bool SectionInSegment(const ElfSection& section, const ElfSegment& segment) {
  if (!section.allocated() || section.address < segment.vaddr) return false;
  const uint64_t at = section.address - segment.vaddr;
  if (section.size > segment.memsz || at > segment.memsz - section.size) return false;
  if (segment.memsz != 0 && at == segment.memsz) return false;
  if (!section.has_contents()) return true;
  if (section.offset < segment.offset) return false;
  const uint64_t in_file = section.offset - segment.offset;
  if (section.size > segment.filesz || in_file > segment.filesz - section.size) return false;
  return segment.filesz == 0 || in_file != segment.filesz;
}

bool HasSectionIn(const ElfFile& elf, const ElfSegment& segment) {
  return std::any_of(elf.sections.begin(), elf.sections.end(), [&](const ElfSection& s) {
    return s.size != 0 && SectionInSegment(s, segment);
  });
}

// The flash address the app is linked for: `_flash_origin`, else the lowest executable loadable
// segment with a section in it; nullopt for Tock's position-independent 0x80000000.
std::optional<uint32_t> FixedFlashAddress(const ElfFile& elf) {
  if (auto origin = elf.Symbol("_flash_origin"))
    return *origin == kPicFlashOrigin ? std::nullopt
                                      : std::optional<uint32_t>(static_cast<uint32_t>(*origin));
  std::optional<uint32_t> lowest;
  for (const ElfSegment& s : elf.segments) {
    if (s.type != kPtLoad || s.filesz == 0 || (s.flags & kPfExecute) == 0 || !HasSectionIn(elf, s))
      continue;
    if (s.vaddr == kPicFlashOrigin) return std::nullopt;
    lowest = std::min<uint32_t>(lowest.value_or(0xFFFFFFFF), static_cast<uint32_t>(s.paddr));
  }
  return lowest;
}

// The RAM address the app is linked for: `_sram_origin` unless 0 (position-independent).
std::optional<uint32_t> FixedRamAddress(const ElfFile& elf) {
  const auto origin = elf.Symbol("_sram_origin");
  if (!origin || *origin == 0) return std::nullopt;
  return static_cast<uint32_t>(*origin);
}

// The segments elf2tab copies to flash: loadable with bytes, in program header order, each cut
// to start at the fixed flash address if the linker began it before.
std::vector<ElfSegment> FlashSegments(const ElfFile& elf, std::optional<uint32_t> fixed_flash) {
  std::vector<ElfSegment> out;
  for (ElfSegment s : elf.segments) {
    if (s.type != kPtLoad || s.filesz == 0) continue;
    if (fixed_flash && s.paddr < *fixed_flash) {
      if (s.paddr + s.filesz < *fixed_flash) continue;
      const uint64_t cut = *fixed_flash - s.paddr;
      s.offset += cut;
      s.paddr += cut;
      s.vaddr += cut;
      s.filesz -= cut;
      s.memsz = s.memsz > cut ? s.memsz - cut : 0;
    }
    out.push_back(s);
  }
  return out;
}

// The program after the protected region: the flash segments, then the relocation data.
struct FlashImage {
  std::vector<uint8_t> bytes;
  uint64_t base = 0;                     // load address of bytes[0]
  uint64_t relocations_at = 0;           // offset of the relocation data's length word
  std::optional<uint64_t> entry;         // offset of the ELF entry
  std::vector<TbfFlashRegion> writable;  // `.wfr` sections, offsets into bytes
  std::vector<uint8_t> relocations;      // `.rel.X` of each writable section X, in order
};

void AddSegmentBytes(FlashImage& image, std::span<const uint8_t> file, const ElfSegment& s,
                     const std::string& what) {
  const uint64_t end = image.base + image.bytes.size();
  if (image.bytes.empty()) {
    image.base = s.paddr;
  } else if (s.paddr < end) {
    throw PackError(what,
                    s.Label() + " is loaded at " + HexWord(s.paddr) +
                        ", before the end of the segment before it (" + HexWord(end) + ")",
                    "link the flash segments in load-address order");
  }
  if (s.paddr + s.filesz - image.base > kMaxProgramSpan)
    throw SpanError(what, image.base, s.paddr + s.filesz);
  image.bytes.resize(s.paddr - image.base, 0);
  auto contents = SegmentContents(file, s);
  image.bytes.insert(image.bytes.end(), contents.begin(), contents.end());
}

void AddSectionData(FlashImage& image, std::span<const uint8_t> file, const ElfFile& elf,
                    const ElfSegment& s, uint64_t segment_at) {
  for (const ElfSection& section : elf.sections) {
    if (section.size == 0 || !SectionInSegment(section, s)) continue;
    if (section.writable())
      if (const ElfSection* rel = elf.FindSection(".rel" + section.name)) {
        auto data = SectionContents(file, *rel);
        image.relocations.insert(image.relocations.end(), data.begin(), data.end());
      }
    if (section.name.find(".wfr") != std::string::npos)
      image.writable.push_back({static_cast<uint32_t>(segment_at + section.address - s.vaddr),
                                static_cast<uint32_t>(section.size)});
  }
}

FlashImage BuildFlashImage(std::span<const uint8_t> file, const ElfFile& elf,
                           const std::vector<ElfSegment>& segments, const std::string& what) {
  FlashImage image;
  for (const ElfSegment& s : segments) {
    AddSegmentBytes(image, file, s, what);
    const uint64_t at = image.bytes.size() - s.filesz;
    if (!image.entry && elf.entry >= s.paddr && elf.entry - s.paddr < s.filesz)
      image.entry = at + (elf.entry - s.paddr);
    AddSectionData(image, file, elf, s, at);
  }
  image.relocations_at = image.bytes.size();
  const auto length = static_cast<uint32_t>(image.relocations.size());
  for (int i = 0; i < 4; ++i) image.bytes.push_back(static_cast<uint8_t>(length >> (8 * i)));
  image.bytes.insert(image.bytes.end(), image.relocations.begin(), image.relocations.end());
  return image;
}

// libtock-c's crt0 finds the relocation data through its header's reldata_start, which the
// linker sets to the end of the flash image: it must be where this layout put it.
void CheckCrt0Header(std::span<const uint8_t> file, const ElfFile& elf, const FlashImage& image,
                     const std::string& what) {
  const ElfSection* crt0 = elf.FindSection(".crt0_header");
  if (crt0 == nullptr || !crt0->in_file() || crt0->size < kCrt0HeaderSize) return;
  ByteReader r(SectionContents(file, *crt0), what, crt0->offset);
  r.Skip(kCrt0RelDataStart);
  const uint32_t reldata_start = elf.big_endian ? r.U32Be() : r.U32Le();
  if (reldata_start != image.relocations_at)
    throw PackError(what,
                    "the .crt0_header's reldata_start is " + HexNumber(reldata_start) +
                        " but the flash segments end at " + HexNumber(image.relocations_at) +
                        ", where the relocation data goes",
                    "link with libtock-c's userland_generic.ld, which ends flash with .endflash");
}

uint32_t StackBytes(const ElfFile& elf, const PackOptions& o) {
  if (o.stack) return *o.stack;
  const ElfSection* stack = elf.FindSection(".stack");
  return stack != nullptr ? static_cast<uint32_t>(stack->size) : kDefaultStack;
}

// Writable segments loaded in flash and run in RAM (.data, .bss beside it), stack, heaps.
uint32_t Elf2tabRamBytes(const ElfFile& elf, const PackOptions& o) {
  uint64_t ram = 0;
  for (const ElfSegment& s : elf.segments)
    if (s.type == kPtLoad && s.vaddr != s.paddr && s.memsz != 0 && (s.flags & kPfWrite) != 0)
      ram += s.memsz;
  ram += RoundUp(StackBytes(elf, o), 8) + RoundUp(o.heap, 4) + RoundUp(o.kernel_heap, 4);
  return ClampToWord(ram);
}

Error FixedFlashTooClose(const std::string& what, uint32_t flash, uint32_t header_size) {
  const uint64_t start = flash / kFixedTbfBoundary * kFixedTbfBoundary;
  return PackError(what,
                   "the fixed flash address " + HexWord(flash) + " is " + HexNumber(flash - start) +
                       " bytes past the 256-byte boundary " + HexWord(start) +
                       " where the TBF would start, too few for its " + HexNumber(header_size) +
                       "-byte header",
                   "link the app's flash at least " + HexNumber(header_size) +
                       " bytes past a 256-byte boundary (libtock-c uses 0x...80), or give "
                       "--protected-region-size");
}

// The header plus its protected trailer: the ELF's `tbf_protected_region_size`, the option,
// up to the fixed flash address from the 256-byte boundary below it, or the header alone.
uint32_t ProtectedRegionSize(const ElfFile& elf, const PackOptions& o,
                             std::optional<uint32_t> fixed_flash, uint32_t header_size,
                             const std::string& what) {
  uint64_t size = header_size;
  std::string source;
  if (auto symbol = elf.Symbol("tbf_protected_region_size")) {
    RefuseOversized(*symbol, what, "tbf_protected_region_size");
    size = *symbol;
    source = "the ELF's tbf_protected_region_size";
  } else if (o.protected_region_size) {
    size = *o.protected_region_size;
    source = "--protected-region-size";
  } else if (fixed_flash) {
    size = *fixed_flash % kFixedTbfBoundary;
    if (size < header_size) throw FixedFlashTooClose(what, *fixed_flash, header_size);
  }
  if (size < header_size)
    throw PackError(what,
                    "the protected region of " + HexNumber(size) + " bytes (" + source +
                        ") is smaller than the " + HexNumber(header_size) + "-byte TBF header",
                    "give at least " + HexNumber(header_size));
  return static_cast<uint32_t>(size);
}

// elf2tab pads ARM apps to a power of two (at least 512 bytes), RISC-V apps to 4 bytes, x86
// apps to 4 KiB.
uint64_t TrailingPadding(uint64_t size, uint16_t machine) {
  switch (machine) {
    case kEmArm:
      return std::popcount(size) > 1 ? std::max<uint64_t>(std::bit_ceil(size), 512) - size : 0;
    case kEmRiscv:
      return (4 - size % 4) % 4;
    case kEmX86:
      return (4096 - size % 4096) % 4096;
    default:
      return 0;
  }
}

// The footer: a Reserved credentials footer of at least --minimum-footer-size bytes, grown by
// the trailing padding; without one, padding of 8 bytes or more becomes one, less is zeros.
void SetFooter(TbfBuild& b, uint32_t binary_end, uint32_t minimum_footer, uint16_t machine) {
  uint64_t footer =
      minimum_footer == 0 ? 0 : RoundUp(std::max<uint64_t>(minimum_footer, kMinimumFooter), 4);
  const uint64_t pad = TrailingPadding(binary_end + footer, machine);
  if (footer == 0 && pad < kMinimumFooter) {
    b.zero_padding = static_cast<uint32_t>(pad);
    return;
  }
  b.minimum_total_size = static_cast<uint32_t>(binary_end + footer + pad);
}

TbfHeader Elf2tabHeader(const ElfFile& elf, const PackOptions& o, const FlashImage& image,
                        std::optional<uint32_t> fixed_flash) {
  TbfHeader h;
  h.flags = (o.enabled ? kTbfFlagEnabled : 0) | (o.sticky ? kTbfFlagSticky : 0);
  h.main = TbfMain{0, 0, Elf2tabRamBytes(elf, o)};
  h.program = TbfProgram{*h.main, 0, 0};
  if (!o.name.empty()) h.package_name = o.name;
  h.writeable_flash_regions = image.writable;
  const auto fixed_ram = FixedRamAddress(elf);
  if (fixed_flash || fixed_ram)
    h.fixed_addresses = TbfFixedAddresses{fixed_ram.value_or(kTbfNoFixedAddress),
                                          fixed_flash.value_or(kTbfNoFixedAddress)};
  h.kernel_version = o.kernel;
  return h;
}

uint32_t HeaderSize(const TbfHeader& h) {
  TbfBuild b;
  b.header = h;
  const auto bytes = BuildTbf(b);
  return bytes[2] | (uint32_t{bytes[3]} << 8);
}

// Sets the entry and protected trailer in Main and Program, and moves the writeable flash
// regions past the protected region.
void PlaceAfterProtectedRegion(TbfHeader& h, uint64_t entry, uint32_t header_size,
                               uint32_t protected_size) {
  const uint32_t trailer = protected_size - header_size;
  h.main->init_fn_offset = static_cast<uint32_t>(trailer + entry);
  h.main->protected_trailer_size = trailer;
  h.program->main = *h.main;
  for (TbfFlashRegion& r : h.writeable_flash_regions) r.offset += protected_size;
}

std::vector<uint8_t> PackElf2tab(std::span<const uint8_t> bytes, const std::string& what,
                                 const PackOptions& o) {
  RefuseOption(o.minimum_total_size != 0, what, "--minimum-size", "elf2tab",
               "give --minimum-footer-size, as libtock-c gives elf2tab");
  RefuseOversized(o.minimum_footer_size, what, "--minimum-footer-size");
  RefuseOversized(o.protected_region_size.value_or(0), what, "--protected-region-size");
  const ElfFile elf = ParseElfFile(bytes, what);
  const auto fixed_flash = FixedFlashAddress(elf);
  const auto segments = FlashSegments(elf, fixed_flash);
  if (segments.empty()) throw NothingToLoad(what);
  const FlashImage image = BuildFlashImage(bytes, elf, segments, what);
  if (!image.entry) throw EntryError(what, elf.entry, image.base, image.relocations_at);
  CheckCrt0Header(bytes, elf, image, what);
  TbfBuild b;
  b.header = Elf2tabHeader(elf, o, image, fixed_flash);
  const uint32_t header_size = HeaderSize(b.header);
  const uint32_t protected_size = ProtectedRegionSize(elf, o, fixed_flash, header_size, what);
  PlaceAfterProtectedRegion(b.header, *image.entry, header_size, protected_size);
  b.binary.assign(protected_size - header_size, 0);
  b.binary.insert(b.binary.end(), image.bytes.begin(), image.bytes.end());
  SetFooter(b, static_cast<uint32_t>(protected_size + image.bytes.size()), o.minimum_footer_size,
            elf.machine);
  return BuildTbf(b);
}

}  // namespace

PackLayout ChoosePackLayout(std::span<const uint8_t> elf, const std::string& what,
                            PackLayout requested) {
  if (requested != PackLayout::kAuto) return requested;
  const ElfFile parsed = ParseElfFile(elf, what, ElfSymbols::kSkip);
  return parsed.FindSection(".crt0_header") != nullptr ? PackLayout::kElf2tab : PackLayout::kSimple;
}

std::vector<uint8_t> PackElf(std::span<const uint8_t> bytes, const std::string& what,
                             const PackOptions& options) {
  if (ChoosePackLayout(bytes, what, options.layout) == PackLayout::kElf2tab)
    return PackElf2tab(bytes, what, options);
  return PackSimple(bytes, what, options);
}

}  // namespace tockctl::apps
