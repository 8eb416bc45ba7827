#include "flasher/bin_image.h"

#include <algorithm>

#include "common/byte_reader.h"
#include "common/error.h"

namespace tockctl::flasher {

Image ParseRawBinary(std::span<const uint8_t> bytes, const std::string& source, uint64_t address) {
  AddOrThrow(address, bytes.size(), "raw binary address " + HexAddress(address) + " plus its size");
  Image image;
  image.source = source;
  image.format = "bin";
  if (!bytes.empty())
    image.segments.push_back(
        Segment{address, std::vector<uint8_t>(bytes.begin(), bytes.end()), "binary"});
  return image;
}

std::vector<uint8_t> WriteRawBinary(const Image& image, uint8_t fill) {
  if (image.segments.empty())
    throw Error(ErrorCategory::kInvalidInput, "the image has no data to write as a raw binary");
  uint64_t start = image.segments.front().address;
  uint64_t end = 0;
  for (const auto& s : image.segments) end = std::max(end, s.end());
  if (end - start > kMaxRawBinarySize)
    throw Error(ErrorCategory::kInvalidInput,
                "a raw binary of " + AddressRange(start, end) + " would be " +
                    std::to_string(end - start) + " bytes, more than 64 MiB",
                ErrorContext{}, "convert to ihex or uf2, which keep addresses");
  std::vector<uint8_t> out(end - start, fill);
  for (const auto& s : image.segments)
    std::copy(s.data.begin(), s.data.end(),
              out.begin() + static_cast<std::ptrdiff_t>(s.address - start));
  return out;
}

}  // namespace tockctl::flasher
