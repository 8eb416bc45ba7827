// Tock's kernel attributes: the block that Tock's linker script (boards/build_scripts/
// tock_kernel_layout.ld, section `.attributes`) puts at the very end of kernel flash, so that host
// tools learn about an installed kernel (docs/info.md has the byte layout). Read backwards from its
// last byte: the sentinel "TOCK", a header (3 reserved bytes and the format version, 1), then
// TLVs, each stored as value, type (u16), length (u16), little-endian. `tockctl build` (kernel/:
// the memory report) and `tockctl info` (flasher/: images and boards) both read it here.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tockctl {

/// The sentinel's four bytes, at the very end of kernel flash.
inline constexpr char kKernelAttributesSentinel[] = "TOCK";
/// Sentinel plus header (3 reserved bytes and the version).
inline constexpr uint64_t kKernelAttributesHeaderSize = 8;
/// The header version tockctl reads.
inline constexpr uint8_t kKernelAttributesVersion = 1;
/// TLV types (tockloader's KATLV names them the same way).
inline constexpr uint16_t kKatlvAppMemory = 0x0101;
inline constexpr uint16_t kKatlvKernelFlash = 0x0102;  ///< tockloader: "kernel binary".
inline constexpr uint16_t kKatlvKernelVersion = 0x0103;
inline constexpr uint16_t kKatlvPublicKey = 0x0104;
/// Bytes read from the end of kernel flash when the block's start is not known (a board, a .bin):
/// room for every TLV Tock and tockloader write, with a 64-byte public key.
inline constexpr uint64_t kKernelAttributesReadSize = 256;

/// A [start, start + size) range the attributes describe.
struct AttributeRange {
  uint32_t start = 0;
  uint32_t size = 0;
};

/// The kernel version TLV: Tock's KERNEL_{MAJOR,MINOR,PATCH,PRERELEASE}_VERSION.
struct KernelVersion {
  uint16_t major = 0;
  uint16_t minor = 0;
  uint16_t patch = 0;
  uint16_t prerelease = 0;  ///< 0 = release; other values are development revisions.
  /// "2.3.0" or "2.3.0-dev" (prerelease 1), "-alpha" (2), "-beta" (3), "-pre-releaseN" (N > 3).
  std::string Text() const;
};

/// One TLV as found, whatever its type.
struct AttributeTlv {
  uint16_t type = 0;
  uint16_t length = 0;   ///< Of the value.
  uint64_t address = 0;  ///< Of the value's first byte.
};

/// A parsed attributes block.
struct KernelAttributes {
  uint64_t address = 0;  ///< Of the block's first byte (the first TLV walked, or the header).
  uint64_t end = 0;      ///< One past the sentinel: the end of kernel flash.
  uint8_t version = 0;   ///< Header format version.
  std::optional<KernelVersion> kernel_version;
  std::optional<AttributeRange> app_memory;
  std::optional<AttributeRange> kernel_flash;
  std::vector<AttributeTlv> tlvs;  ///< Every TLV walked, nearest the sentinel first.
  uint64_t Size() const { return end - address; }
};

/// Parses the block that ends with the last byte of `tail`, the bytes just before `end_address`
/// (normally the end of kernel flash). TLVs are walked back from the header until fewer than 4
/// bytes remain or a type that is not one of Tock's (0x0101-0x0104) is met: the block records no
/// length of its own, so an unknown type cannot be told from the bytes in front of the block, and
/// the walk ends there, as tockloader's does. Throws Error(kInvalidInput), naming `source` and the
/// address, when `tail` is shorter than the header, the sentinel is not "TOCK", the version is not
/// 1, a known TLV has the wrong length (8 for 0x0101-0x0103, more than 8 for 0x0104) or a value
/// longer than the bytes in front of it, or a known TLV appears twice.
KernelAttributes ParseKernelAttributes(std::span<const uint8_t> tail, uint64_t end_address,
                                       const std::string& source);

/// "kernel version", "app memory", "kernel flash", "public key" or "unknown".
const char* AttributeTypeName(uint16_t type);

/// Aligned lines for people (docs/info.md).
std::string FormatKernelAttributes(const KernelAttributes& attributes);

/// The attributes as JSON: addresses as "0x..." strings, sizes as numbers (docs/info.md).
nlohmann::ordered_json KernelAttributesToJson(const KernelAttributes& attributes);

}  // namespace tockctl
