// Fuzz target gdb_memory_map: ParseGdbMemoryMap (the qXfer:memory-map:read document a GDB server
// sends) on arbitrary text. Checks: bad input is refused with a proper tockctl::Error; every
// flash region it returns has a positive block size and does not wrap past 2^64.
#include "flasher/gdb_memory_map.h"

#include "fuzz/fuzz_support.h"

namespace {
namespace TOCKCTL_UNITY_ID {

TOCKCTL_FUZZ_TARGET(gdb_memory_map) {
  using namespace tockctl;
  std::vector<flasher::GdbFlashRegion> regions;
  if (!fuzz::Accepted([&] { regions = flasher::ParseGdbMemoryMap(fuzz::AsText({data, size})); }))
    return 0;
  for (const auto& r : regions) {
    FUZZ_CHECK(r.block_size > 0);
    FUZZ_CHECK(r.end() >= r.start);
  }
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
