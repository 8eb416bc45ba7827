#include "flasher/image.h"

namespace tockctl::flasher {

uint64_t Image::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& s : segments) total += s.data.size();
  return total;
}

}  // namespace tockctl::flasher
