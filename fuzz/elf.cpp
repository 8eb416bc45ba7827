// Fuzz target elf: ParseElf (ELF32/ELF64, both byte orders) on arbitrary bytes, the same bytes
// through ParseImage's format detection, and the shared reader's section and symbol path
// (ParseElfFile with symbols). Checks: bad input is refused with a proper tockctl::Error; an
// accepted image keeps the Image promises (sorted, non-empty, non-overlapping, no address wrap),
// each segment holds no more bytes than the file (segments may share file bytes), and it survives
// Intel HEX / UF2 / raw binary write and read-back (image_checks.h); a file ParseElf accepts is
// accepted by ParseElfFile too, whose sections' bytes lie inside the file and whose names are
// bounded.
#include "common/elf_file.h"
#include "flasher/elf_image.h"
#include "fuzz/image_checks.h"

namespace {
namespace TOCKCTL_UNITY_ID {

void CheckElfFile(const tockctl::ElfFile& elf, std::span<const uint8_t> bytes) {
  using namespace tockctl;
  for (const ElfSection& s : elf.sections) {
    FUZZ_CHECK(s.name.size() <= kMaxElfNameLength);
    FUZZ_CHECK(SectionContents(bytes, s).size() == (s.in_file() ? s.size : 0));
  }
  for (const auto& [name, value] : elf.symbols)
    FUZZ_CHECK(!name.empty() && name.size() <= kMaxElfNameLength);
}

TOCKCTL_FUZZ_TARGET(elf) {
  using namespace tockctl;
  std::span<const uint8_t> bytes(data, size);
  flasher::Image image;
  bool image_accepted = fuzz::Accepted([&] { image = flasher::ParseElf(bytes, "fuzz.elf"); });
  if (image_accepted) {
    FUZZ_CHECK(LooksLikeElf(bytes));
    fuzz::CheckImageInvariants(image);
    for (const auto& s : image.segments) FUZZ_CHECK(s.data.size() <= size);
    fuzz::CheckWriteReadBack(image);
  }
  fuzz::Accepted([&] { fuzz::CheckImageInvariants(flasher::ParseImage(bytes, "fuzz.elf")); });
  ElfFile elf;
  bool file_accepted = fuzz::Accepted([&] { elf = ParseElfFile(bytes, "fuzz.elf"); });
  FUZZ_CHECK(file_accepted || !image_accepted);
  if (file_accepted) CheckElfFile(elf, bytes);
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
