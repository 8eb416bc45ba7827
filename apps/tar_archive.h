// POSIX ustar archives (IEEE Std 1003.1 "pax" ustar interchange format), the container of a TAB:
// read (ustar, GNU "ustar  " and pax extended headers for long names) and written (plain ustar).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tockctl::apps {

/// One regular file of an archive.
struct TarEntry {
  std::string name;           ///< Path inside the archive.
  std::vector<uint8_t> data;  ///< Its contents.
  uint64_t offset = 0;        ///< Offset of its header block in the archive (0 when written).
};

/// The regular files of the tar archive `data`, in order; directories are skipped. `what` names
/// the archive in errors. Throws Error(kInvalidInput) naming `what` and the block offset when a
/// header's checksum is wrong, a size field is not octal, or a file runs past the end.
std::vector<TarEntry> ReadTar(std::span<const uint8_t> data, const std::string& what);

/// A ustar archive of `entries` (mode 0644, mtime `mtime`, owner 0), ended by two zero blocks.
/// Throws Error(kInvalidInput) if a name does not fit ustar's 100 + 155 bytes.
std::vector<uint8_t> WriteTar(const std::vector<TarEntry>& entries, uint64_t mtime = 0);

}  // namespace tockctl::apps
