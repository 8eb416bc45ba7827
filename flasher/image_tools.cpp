#include "flasher/image_tools.h"

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "flasher/bin_image.h"
#include "flasher/ihex_image.h"
#include "flasher/progress.h"
#include "flasher/uf2_image.h"

namespace tockctl::flasher {
namespace {

std::optional<ImageFormat> OutputFormatFromExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".bin") return ImageFormat::kBin;
  if (ext == ".hex" || ext == ".ihex" || ext == ".ihx") return ImageFormat::kIhex;
  if (ext == ".uf2") return ImageFormat::kUf2;
  return std::nullopt;
}

std::vector<uint8_t> Render(const Image& image, ImageFormat format,
                            std::optional<uint32_t> family) {
  switch (format) {
    case ImageFormat::kBin:
      return WriteRawBinary(image);
    case ImageFormat::kIhex: {
      std::string text = WriteIntelHex(image);
      return {text.begin(), text.end()};
    }
    case ImageFormat::kUf2:
      if (!family)
        throw Error(ErrorCategory::kUsage, "UF2 output needs a family ID", ErrorContext{},
                    "pass --family rp2040|rp2350-arm-s|rp2350-riscv|0x...");
      return WriteUf2(image, *family);
    case ImageFormat::kElf:
      break;
  }
  throw Error(ErrorCategory::kUsage, "tockctl does not write ELF files", ErrorContext{},
              "convert to bin, ihex or uf2");
}

// "1 segment", "2 segments".
std::string Count(uint64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

std::optional<uint32_t> Uf2FamilyForBoard(const config::HardwareBoard& board) {
  auto text = [](const config::FlashMethod* m, const char* key) -> std::optional<std::string> {
    if (!m || !m->settings.is_object() || !m->settings.contains(key)) return std::nullopt;
    const auto& v = m->settings.at(key);
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    if (v.is_string()) return v.get<std::string>();
    return std::nullopt;
  };
  std::optional<std::string> name = text(board.FindFlashMethod("uf2"), "family_id");
  if (!name) name = text(board.FindFlashMethod("picoboot"), "family");
  if (!name) return std::nullopt;
  if (*name == "rp2350") name = "rp2350-arm-s";
  if (auto id = Uf2FamilyFromText(*name)) return id;
  throw Error(ErrorCategory::kInvalidInput, "board " + board.name + " names UF2 family `" + *name +
                                                "`, which tockctl does not know");
}

nlohmann::ordered_json ImageToJson(const Image& image) {
  nlohmann::ordered_json j;
  j["file"] = image.source;
  j["format"] = image.format;
  j["entry"] = image.entry ? nlohmann::ordered_json(HexAddress(*image.entry)) : nullptr;
  j["uf2_family"] =
      image.uf2_family ? nlohmann::ordered_json(Uf2FamilyName(*image.uf2_family)) : nullptr;
  j["bytes"] = image.TotalBytes();
  j["segments"] = nlohmann::ordered_json::array();
  for (const auto& s : image.segments)
    j["segments"].push_back({{"name", s.name},
                             {"start", HexAddress(s.address)},
                             {"end", HexAddress(s.end())},
                             {"size", s.data.size()}});
  j["notes"] = image.notes;
  return j;
}

std::string RenderImageInfo(const Image& image) {
  std::string out = image.source + ": " + image.format + ", " +
                    Count(image.segments.size(), "segment") + ", " +
                    Count(image.TotalBytes(), "byte");
  if (image.entry) out += ", entry " + HexAddress(*image.entry);
  if (image.uf2_family) out += ", UF2 family " + Uf2FamilyName(*image.uf2_family);
  out += "\n";
  size_t width = 7;
  for (const auto& s : image.segments) width = std::max(width, s.name.size());
  auto row = [&](const std::string& name, const std::string& start, const std::string& end,
                 const std::string& size) {
    std::string line = "  " + name + std::string(width - name.size() + 2, ' ') + start;
    line += std::string(start.size() < 12 ? 12 - start.size() : 1, ' ') + end;
    line += std::string(end.size() < 12 ? 12 - end.size() : 1, ' ') + size;
    return line + "\n";
  };
  out += row("SEGMENT", "START", "END", "SIZE");
  for (const auto& s : image.segments)
    out += row(s.name, HexAddress(s.address), HexAddress(s.end()), std::to_string(s.data.size()));
  for (const auto& n : image.notes) out += "Note: " + n + "\n";
  return out;
}

ConvertResult ConvertImageFile(const std::string& input, const std::string& output,
                               const ConvertOptions& options) {
  std::optional<ImageFormat> format = options.output_format;
  if (!format) format = OutputFormatFromExtension(output);
  if (!format)
    throw Error(ErrorCategory::kUsage, "cannot tell the output format of " + output, ErrorContext{},
                "pass --format bin|ihex|uf2");
  CheckWritable(output);
  ConvertResult result;
  result.image = LoadImage(input, options.input);
  result.output_format = *format;
  std::optional<uint32_t> family =
      options.uf2_family ? options.uf2_family : result.image.uf2_family;
  std::vector<uint8_t> bytes = Render(result.image, *format, family);
  WriteFileAtomic(output, bytes);
  result.output_bytes = bytes.size();
  if (!result.image.segments.empty()) result.base_address = result.image.segments.front().address;
  if (*format == ImageFormat::kUf2) result.image.uf2_family = family;
  return result;
}

std::string RenderConvertResult(const std::string& output, const ConvertResult& r) {
  std::string out = "Wrote " + output + " (" + ImageFormatName(r.output_format) + ", " +
                    FormatBytes(r.output_bytes);
  if (r.output_format == ImageFormat::kBin) out += ", starts at " + HexAddress(r.base_address);
  if (r.output_format == ImageFormat::kUf2 && r.image.uf2_family)
    out += ", " + Count(r.output_bytes / 512, "block") + ", family " +
           Uf2FamilyName(*r.image.uf2_family);
  return out + ") from " + r.image.source + " (" + r.image.format + ", " +
         Count(r.image.segments.size(), "segment") + ")";
}

}  // namespace tockctl::flasher
