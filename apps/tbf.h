// Tock Binary Format (TBF) version 2: the header every Tock app starts with, its TLVs and the
// credentials footers after the program (the Tock book's chapter "Tock Binary Format" and the
// kernel's tock-tbf parser), read through ByteReader and written back byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tockctl::apps {

/// Size of the TBF v2 base header: version, header_size, total_size, flags, checksum.
inline constexpr uint32_t kTbfBaseHeaderSize = 16;
/// Flag bit 0: the kernel starts the app.
inline constexpr uint32_t kTbfFlagEnabled = 1u << 0;
/// Flag bit 1: tools keep the app unless forced.
inline constexpr uint32_t kTbfFlagSticky = 1u << 1;
/// FixedAddresses value meaning "no fixed address".
inline constexpr uint32_t kTbfNoFixedAddress = 0xFFFFFFFF;

/// TLV type numbers of the header (the kernel's TbfHeaderTypes) and of footers.
enum TbfTlvType : uint16_t {
  kTbfMain = 1,
  kTbfWriteableFlashRegions = 2,
  kTbfPackageName = 3,
  kTbfPicOption1 = 4,
  kTbfFixedAddresses = 5,
  kTbfPermissions = 6,
  kTbfStoragePermissions = 7,
  kTbfKernelVersion = 8,
  kTbfProgram = 9,
  kTbfShortId = 10,
  kTbfCredentials = 128,
};

/// The name of a TLV type ("Main", "Program", ...; "unknown" otherwise).
const char* TbfTlvName(uint16_t type);

/// Main (deprecated) and the first three fields of Program.
struct TbfMain {
  uint32_t init_fn_offset = 0;
  uint32_t protected_trailer_size = 0;
  uint32_t minimum_ram_size = 0;
};

/// Program: Main's fields, where the binary ends (footers follow) and the app's version.
struct TbfProgram {
  TbfMain main;
  uint32_t binary_end_offset = 0;
  uint32_t version = 0;
};

/// One WriteableFlashRegions entry, offsets from the start of the TBF.
struct TbfFlashRegion {
  uint32_t offset = 0;
  uint32_t size = 0;
};

/// FixedAddresses: where the app must run (kTbfNoFixedAddress = anywhere).
struct TbfFixedAddresses {
  uint32_t ram = kTbfNoFixedAddress;
  uint32_t flash = kTbfNoFixedAddress;
};

/// One Permissions entry: commands offset*64 .. offset*64+63 of `driver` allowed by bitmask.
struct TbfPermission {
  uint32_t driver = 0;
  uint32_t offset = 0;
  uint64_t allowed_commands = 0;
};

/// StoragePermissions: the id the app writes with and the ids it may read and modify.
struct TbfStoragePermissions {
  uint32_t write_id = 0;
  std::vector<uint32_t> read_ids;
  std::vector<uint32_t> modify_ids;
};

/// KernelVersion: the app runs on kernels ^major.minor.
struct TbfKernelVersion {
  uint16_t major = 0;
  uint16_t minor = 0;
};

/// A TLV kept as bytes: unknown types, and footers other than credentials.
struct TbfRawTlv {
  uint16_t type = 0;
  std::vector<uint8_t> data;
};

/// One credentials footer: a format number and its data (a hash, key and signature, ...).
struct TbfCredential {
  uint32_t format = 0;
  std::vector<uint8_t> data;
};

/// The name of a credentials format ("SHA256", "EcdsaNistP256", ...; "unknown" otherwise).
const char* TbfCredentialFormatName(uint32_t format);
/// Data length the kernel requires for `format`, or nullopt when any length goes (Reserved,
/// formats the kernel does not know).
std::optional<size_t> TbfCredentialDataSize(uint32_t format);

/// A TBF v2 header, its TLVs decoded, and its footers.
struct TbfHeader {
  uint16_t version = 2;
  uint16_t header_size = kTbfBaseHeaderSize;
  uint32_t total_size = kTbfBaseHeaderSize;
  uint32_t flags = 0;
  uint32_t checksum = 0;  ///< As stored; TbfChecksum() computes the right one.
  std::optional<TbfMain> main;
  std::optional<TbfProgram> program;
  std::vector<TbfFlashRegion> writeable_flash_regions;
  std::optional<std::string> package_name;
  std::optional<std::vector<uint8_t>> pic_option1;
  std::optional<TbfFixedAddresses> fixed_addresses;
  std::optional<std::vector<TbfPermission>> permissions;
  std::optional<TbfStoragePermissions> storage_permissions;
  std::optional<TbfKernelVersion> kernel_version;
  std::optional<uint32_t> short_id;
  std::vector<TbfRawTlv> unknown_tlvs;     ///< Types this reader does not know, in order.
  std::vector<uint16_t> tlv_order;         ///< Every header TLV's type, in file order.
  std::vector<TbfCredential> credentials;  ///< Credentials footers, in order.
  std::vector<TbfRawTlv> other_footers;    ///< Footer TLVs other than credentials.
  uint32_t footer_padding = 0;             ///< Zero bytes after the last footer, up to total_size.

  bool enabled() const { return (flags & kTbfFlagEnabled) != 0; }
  bool sticky() const { return (flags & kTbfFlagSticky) != 0; }
  /// A padding app: a base header alone (header_size 16, no TLVs).
  bool IsPadding() const { return header_size == kTbfBaseHeaderSize && tlv_order.empty(); }
  /// Where the program binary ends: Program's binary_end_offset, else total_size.
  uint32_t BinaryEnd() const { return program ? program->binary_end_offset : total_size; }
  /// Main's fields from Program, else from Main, else nullopt.
  std::optional<TbfMain> Entry() const;
  /// The package name, or "" for padding and unnamed apps.
  std::string Name() const { return package_name.value_or(""); }
};

/// A parsed TBF: its header and every finding the kernel would act on (wrong checksum, ...).
struct TbfFile {
  TbfHeader header;
  std::vector<uint8_t> bytes;         ///< The whole TBF, total_size bytes.
  std::vector<std::string> findings;  ///< One line each; empty when the kernel accepts it.
};

/// XOR of the header's 32-bit little-endian words except the checksum word.
uint32_t TbfChecksum(std::span<const uint8_t> header);

/// Parses the TBF at the start of `data` (total_size bytes of it; the rest is ignored). `what`
/// names it in errors ("blink.tbf", "blink.tab: cortex-m4.tbf"). Throws Error(kInvalidInput)
/// naming `what`, the offset and the field when the structure is broken (version not 2, sizes
/// past the data, TLVs past the header or of the wrong length); a wrong checksum, a missing
/// KernelVersion and a footer the kernel refuses are findings instead.
TbfFile ParseTbf(std::span<const uint8_t> data, const std::string& what);

/// Parses only the 16-byte base header at the start of `data` (for walking a flash image).
/// Throws Error(kInvalidInput) when fewer than 16 bytes are given.
TbfHeader ParseTbfBaseHeader(std::span<const uint8_t> data, const std::string& what);

/// What BuildTbf writes: a header, the program bytes after it, and the footers.
struct TbfBuild {
  TbfHeader header;  ///< header_size, total_size, checksum and binary_end_offset are computed.
  std::vector<uint8_t> binary;  ///< The program: from the end of the header to binary_end.
  /// Pads to at least this size with a Reserved credentials footer (as elf2tab reserves room
  /// for signatures); the padding is at least 8 bytes, so the TBF may end up a little larger.
  uint32_t minimum_total_size = 0;
  /// Zero bytes after the footers, counted in total_size (elf2tab's trailing padding when the
  /// room left is too small for a footer).
  uint32_t zero_padding = 0;
};

/// Serialises a TBF: TLVs in the order Main, Program, PackageName, WriteableFlashRegions,
/// FixedAddresses, Permissions, StoragePermissions, KernelVersion, ShortId, PicOption1, then the
/// unknown ones; each padded to 4 bytes; the checksum computed; then the binary and footers.
/// Program's binary_end_offset is set to header_size + binary.size().
std::vector<uint8_t> BuildTbf(const TbfBuild& build);

/// A padding app of `total_size` (at least 16) bytes: a base header alone, flags 0, then 0xFF.
std::vector<uint8_t> BuildPaddingTbf(uint32_t total_size);

/// A copy of `tbf` (a whole TBF) with the base header's flags set to `flags` and the checksum
/// recomputed. Throws Error(kInvalidInput) if `tbf` is shorter than its header.
std::vector<uint8_t> WithTbfFlags(std::span<const uint8_t> tbf, uint32_t flags);

}  // namespace tockctl::apps
