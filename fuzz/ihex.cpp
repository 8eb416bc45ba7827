// Fuzz target ihex: ParseIntelHex on arbitrary text, and the same text through ParseImage's
// format detection. Checks: bad input is refused with a proper tockctl::Error (file, line,
// column); an accepted image keeps the Image promises, holds at most one byte per two hex
// digits of input, and survives Intel HEX / UF2 / raw binary write and read-back
// (image_checks.h).
#include "flasher/ihex_image.h"
#include "fuzz/image_checks.h"

namespace {
namespace TOCKCTL_UNITY_ID {

TOCKCTL_FUZZ_TARGET(ihex) {
  using namespace tockctl;
  std::span<const uint8_t> bytes(data, size);
  flasher::Image image;
  if (fuzz::Accepted([&] { image = flasher::ParseIntelHex(bytes, "fuzz.hex"); })) {
    fuzz::CheckImageInvariants(image);
    FUZZ_CHECK(image.TotalBytes() <= size / 2);
    fuzz::CheckWriteReadBack(image);
  }
  fuzz::Accepted([&] { fuzz::CheckImageInvariants(flasher::ParseImage(bytes, "fuzz.hex")); });
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
