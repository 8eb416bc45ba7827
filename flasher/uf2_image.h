// UF2: 512-byte blocks for drag-and-drop bootloaders (RP2040, RP2350, many others).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flasher/image.h"

namespace tockctl::flasher {

inline constexpr uint32_t kUf2FlagNotMainFlash = 0x00000001;
inline constexpr uint32_t kUf2FlagFileContainer = 0x00001000;
inline constexpr uint32_t kUf2FlagFamilyIdPresent = 0x00002000;
inline constexpr size_t kUf2BlockSize = 512;
inline constexpr size_t kUf2MaxPayload = 476;
/// Payload size tockctl writes, as picotool does (one RP2040 flash page).
inline constexpr size_t kUf2WritePayload = 256;

/// True if `bytes` starts with a UF2 block's two start magics.
bool LooksLikeUf2(std::span<const uint8_t> bytes);

/// Parses UF2 blocks. Blocks flagged NOT_MAIN_FLASH or file-container are skipped (counted in
/// Image::notes); when `family` is set only blocks of that family are taken, otherwise the file
/// must hold one family. Block numbers must run 0..numBlocks-1 within each run. Contiguous
/// payloads merge into segments named "uf2 blocks A-B". Throws Error(kInvalidInput) with the
/// byte offset for a size that is not a multiple of 512, bad magics, payloads over 476 bytes,
/// broken numbering, mixed families, or overlapping blocks.
Image ParseUf2(std::span<const uint8_t> bytes, const std::string& source,
               std::optional<uint32_t> family);

/// Renders an image as UF2 with 256-byte payloads at 256-byte-aligned addresses (bytes of a page
/// the image does not cover are 0x00), FAMILY_ID_PRESENT set. Throws Error(kInvalidInput) for
/// data above 4 GiB.
std::vector<uint8_t> WriteUf2(const Image& image, uint32_t family_id);

/// Family ID for a known name or a number, or nullopt.
std::optional<uint32_t> Uf2FamilyFromText(const std::string& text);

/// Family ID for "rp2040", "rp2350-arm-s", "rp2350-riscv", "rp2350-arm-ns", "absolute", "data",
/// or a number ("0xe48bff56"); throws Error(kUsage) listing the names otherwise.
uint32_t ParseUf2Family(const std::string& text);

/// The name of a known family ID ("rp2040"), or its hex value.
std::string Uf2FamilyName(uint32_t family_id);

}  // namespace tockctl::flasher
