// `tockctl image info` and `tockctl image convert`.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/board.h"
#include "flasher/image.h"

namespace tockctl::flasher {

/// The image as JSON: {file, format, entry, uf2_family, bytes, segments: [{name, start, end,
/// size}], notes}.
nlohmann::ordered_json ImageToJson(const Image& image);
/// The image for people: a header line, a segment table, notes.
std::string RenderImageInfo(const Image& image);

/// The UF2 family of a board: its "uf2" method's family_id, else its "picoboot" method's family
/// (rp2040, rp2350 = rp2350-arm-s); nullopt when it has neither. Throws Error(kInvalidInput) for
/// a family_id that is not a number.
std::optional<uint32_t> Uf2FamilyForBoard(const config::HardwareBoard& board);

/// How to convert.
struct ConvertOptions {
  ImageLoadOptions input;                    ///< Input format/address/UF2 family.
  std::optional<ImageFormat> output_format;  ///< Default: from the output file's extension.
  std::optional<uint32_t> uf2_family;  ///< Required for UF2 output (or taken from a UF2 input).
};

/// What a conversion wrote.
struct ConvertResult {
  Image image;
  ImageFormat output_format = ImageFormat::kBin;
  uint64_t output_bytes = 0;
  uint64_t base_address = 0;  ///< Address of the first byte, for raw binary output.
};

/// Reads `input`, writes it to `output` (atomically) in the chosen format. Throws Error(kUsage)
/// when the output format cannot be told from the extension or UF2 output has no family, and the
/// errors of LoadImage and the writers.
ConvertResult ConvertImageFile(const std::string& input, const std::string& output,
                               const ConvertOptions& options);

/// "Wrote out.uf2 (uf2, 1.00 MiB of data in 4096 blocks, family rp2040)".
std::string RenderConvertResult(const std::string& output, const ConvertResult& result);

}  // namespace tockctl::flasher
