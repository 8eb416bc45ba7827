// Loadable images (ELF, raw binary, Intel HEX, UF2): what a flash back-end writes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tockctl::flasher {

/// A contiguous run of bytes to place at a target address.
struct Segment {
  uint64_t address = 0;
  std::vector<uint8_t> data;
  std::string name;  ///< e.g. "PT_LOAD[0] (.text .rodata)", "hex lines 2-130"
  /// One past the last byte (parsers guarantee address + size does not overflow).
  uint64_t end() const { return address + data.size(); }
};

/// A loadable image: segments sorted by address, non-overlapping, plus the entry point if known.
struct Image {
  std::vector<Segment> segments;
  std::optional<uint64_t> entry;
  std::string source;                  ///< File it came from.
  std::string format;                  ///< elf | bin | ihex | uf2
  std::optional<uint32_t> uf2_family;  ///< UF2 family ID of the blocks that were taken.
  std::vector<std::string>
      notes;  ///< What the parser skipped ("2 UF2 blocks flagged NOT_MAIN_FLASH").

  /// Total bytes over all segments.
  uint64_t TotalBytes() const;
};

/// Image file formats tockctl reads and writes.
enum class ImageFormat { kElf, kBin, kIhex, kUf2 };

/// "elf", "bin", "ihex", "uf2".
const char* ImageFormatName(ImageFormat format);
/// Parses "elf" | "bin" | "ihex" (or "hex") | "uf2"; throws Error(kUsage) naming the valid ones.
ImageFormat ParseImageFormat(const std::string& name);

/// How to read an image file.
struct ImageLoadOptions {
  std::optional<ImageFormat> format;  ///< Forced format; otherwise detected from content/extension.
  std::optional<uint64_t> address;    ///< Load address for raw binaries (required for them).
  std::optional<uint32_t> uf2_family;  ///< Take only UF2 blocks of this family.
};

/// Format of `bytes` from its content (ELF magic, UF2 magic, ':' of Intel HEX), else from the
/// extension of `path` (.bin/.hex/.ihex/.elf/.uf2); throws Error(kInvalidInput) if neither tells.
ImageFormat DetectImageFormat(std::span<const uint8_t> bytes, const std::string& path);

/// Reads and parses an image file. Throws Error(kIo) if unreadable, Error(kInvalidInput) with the
/// file and offset/line for malformed content, Error(kUsage) for a raw binary without an address.
Image LoadImage(const std::string& path, const ImageLoadOptions& options = {});

/// Parses image bytes already in memory (same errors as LoadImage, `path` names the input).
Image ParseImage(std::span<const uint8_t> bytes, const std::string& path,
                 const ImageLoadOptions& options = {});

/// Parses a command-line address or size ("0x80100000", "1048576"); throws Error(kUsage) naming
/// `what` otherwise.
uint64_t ParseAddressArgument(const std::string& text, const std::string& what);

/// "0x80000000".
std::string HexAddress(uint64_t address);
/// "0x80000000..0x80000400" for [start, end).
std::string AddressRange(uint64_t start, uint64_t end);

/// Sorts segments by address and throws Error(kInvalidInput) naming both segments if two overlap.
void SortAndCheckOverlaps(Image& image);

}  // namespace tockctl::flasher
