// Fuzz target elf: ParseElf (ELF32/ELF64, both byte orders) on arbitrary bytes, and the same
// bytes through ParseImage's format detection. Checks: bad input is refused with a proper
// tockctl::Error; an accepted image keeps the Image promises (sorted, non-empty, non-overlapping,
// no address wrap), each segment holds no more bytes than the file (segments may share file
// bytes), and it survives Intel HEX / UF2 / raw binary write and read-back (image_checks.h).
#include "flasher/elf_image.h"
#include "fuzz/image_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tockctl;
  std::span<const uint8_t> bytes(data, size);
  flasher::Image image;
  if (fuzz::Accepted([&] { image = flasher::ParseElf(bytes, "fuzz.elf"); })) {
    FUZZ_CHECK(flasher::LooksLikeElf(bytes));
    fuzz::CheckImageInvariants(image);
    for (const auto& s : image.segments) FUZZ_CHECK(s.data.size() <= size);
    fuzz::CheckWriteReadBack(image);
  }
  fuzz::Accepted([&] { fuzz::CheckImageInvariants(flasher::ParseImage(bytes, "fuzz.elf")); });
  return 0;
}
