// Fuzz target kernel_attributes: ParseKernelAttributes (Tock's attributes block at the end of
// kernel flash) on arbitrary bytes. Input: the end address (u32, little-endian), then the bytes
// just before it. Checks: bad input is refused with a proper tockctl::Error; an accepted block
// ends at the given address, starts inside the input, is at least the 8-byte header, every TLV
// lies inside it, and both formatters take it.
#include "common/kernel_attributes.h"

#include "fuzz/fuzz_support.h"

namespace {
namespace TOCKCTL_UNITY_ID {

TOCKCTL_FUZZ_TARGET(kernel_attributes) {
  using namespace tockctl;
  if (size < 4) return 0;
  uint64_t end = data[0] | (data[1] << 8) | (data[2] << 16) | (uint64_t{data[3]} << 24);
  std::span<const uint8_t> tail(data + 4, size - 4);
  KernelAttributes a;
  if (!fuzz::Accepted([&] { a = ParseKernelAttributes(tail, end, "fuzz"); })) return 0;
  FUZZ_CHECK(a.end == end);
  FUZZ_CHECK(a.address <= a.end);
  FUZZ_CHECK(a.Size() >= kKernelAttributesHeaderSize);
  FUZZ_CHECK(a.Size() <= tail.size());
  for (const AttributeTlv& t : a.tlvs) {
    FUZZ_CHECK(t.address >= a.address);
    FUZZ_CHECK(t.address + t.length + 4 <= a.end - kKernelAttributesHeaderSize);
  }
  FUZZ_CHECK(!FormatKernelAttributes(a).empty());
  FUZZ_CHECK(KernelAttributesToJson(a).is_object());
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
