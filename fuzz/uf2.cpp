// Fuzz target uf2: ParseUf2 on arbitrary bytes, taking the file's one family, filtering for the
// first block's family and for rp2040's; and the same bytes through ParseImage. Checks:
// bad input is refused with a proper tockctl::Error; an accepted image keeps the Image promises,
// holds at most 476 bytes per 512-byte block, and survives Intel HEX / UF2 / raw binary write
// and read-back (image_checks.h).
#include "flasher/uf2_image.h"
#include "fuzz/image_checks.h"

namespace {
namespace TOCKCTL_UNITY_ID {

TOCKCTL_FUZZ_TARGET(uf2) {
  using namespace tockctl;
  std::span<const uint8_t> bytes(data, size);
  fuzz::InputReader first_block(data, size);
  first_block.Bytes(28);
  for (std::optional<uint32_t> family :
       {std::optional<uint32_t>{}, std::optional<uint32_t>{0xe48bff56},
        std::optional<uint32_t>{first_block.U32()}}) {
    flasher::Image image;
    if (!fuzz::Accepted([&] { image = flasher::ParseUf2(bytes, "fuzz.uf2", family); })) continue;
    fuzz::CheckImageInvariants(image);
    FUZZ_CHECK(image.TotalBytes() <= size / flasher::kUf2BlockSize * flasher::kUf2MaxPayload);
    fuzz::CheckWriteReadBack(image);
  }
  fuzz::Accepted([&] { fuzz::CheckImageInvariants(flasher::ParseImage(bytes, "fuzz.uf2")); });
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
