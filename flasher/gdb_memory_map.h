// The flash regions of a GDB server's memory map (qXfer:memory-map:read), which say where writes
// must go through vFlashErase/vFlashWrite/vFlashDone instead of X/M.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tockctl::flasher {

/// One <memory type="flash"> element.
struct GdbFlashRegion {
  uint64_t start = 0;
  uint64_t length = 0;
  uint64_t block_size = 0;  ///< Erase block; from <property name="blocksize">.
  uint64_t end() const { return start + length; }
};

/// The flash regions of a memory-map XML document (other memory types are ignored). Throws
/// Error(kTransport) for a flash element without start, length or a positive blocksize, numbers
/// that are not numbers, or regions that wrap past 2^64.
std::vector<GdbFlashRegion> ParseGdbMemoryMap(std::string_view xml);

}  // namespace tockctl::flasher
