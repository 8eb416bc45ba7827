#include "flasher/image.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/elf_file.h"
#include "common/error.h"
#include "common/file_io.h"
#include "flasher/bin_image.h"
#include "flasher/elf_image.h"
#include "flasher/ihex_image.h"
#include "flasher/uf2_image.h"

namespace tockctl::flasher {

uint64_t Image::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& s : segments) total += s.data.size();
  return total;
}

const char* ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kElf:
      return "elf";
    case ImageFormat::kBin:
      return "bin";
    case ImageFormat::kIhex:
      return "ihex";
    case ImageFormat::kUf2:
      return "uf2";
  }
  return "bin";
}

ImageFormat ParseImageFormat(const std::string& name) {
  if (name == "elf") return ImageFormat::kElf;
  if (name == "bin") return ImageFormat::kBin;
  if (name == "ihex" || name == "hex") return ImageFormat::kIhex;
  if (name == "uf2") return ImageFormat::kUf2;
  throw Error(ErrorCategory::kUsage, "unknown image format `" + name + "`", ErrorContext{},
              "use one of: elf, bin, ihex, uf2");
}

uint64_t ParseAddressArgument(const std::string& text, const std::string& what) {
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  std::string digits = hex ? text.substr(2) : text;
  const char* allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
  if (digits.empty() || digits.size() > (hex ? 16u : 20u) ||
      digits.find_first_not_of(allowed) != std::string::npos)
    throw Error(ErrorCategory::kUsage, what + " `" + text + "` is not a number", ErrorContext{},
                "write it like 0x80100000 or 1048576");
  errno = 0;
  unsigned long long v = std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10);
  if (errno == ERANGE)
    throw Error(ErrorCategory::kUsage, what + " `" + text + "` does not fit in 64 bits");
  return v;
}

std::string HexAddress(uint64_t address) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(address));
  return buf;
}

std::string AddressRange(uint64_t start, uint64_t end) {
  return HexAddress(start) + ".." + HexAddress(end);
}

namespace {

std::optional<ImageFormat> FormatFromExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".elf" || ext == ".axf" || ext == ".out") return ImageFormat::kElf;
  if (ext == ".bin" || ext == ".tbf" || ext == ".tab") return ImageFormat::kBin;
  if (ext == ".hex" || ext == ".ihex" || ext == ".ihx") return ImageFormat::kIhex;
  if (ext == ".uf2") return ImageFormat::kUf2;
  return std::nullopt;
}

bool LooksLikeIntelHex(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
    return b == ':';
  }
  return false;
}

}  // namespace

ImageFormat DetectImageFormat(std::span<const uint8_t> bytes, const std::string& path) {
  if (LooksLikeElf(bytes)) return ImageFormat::kElf;
  if (LooksLikeUf2(bytes)) return ImageFormat::kUf2;
  if (LooksLikeIntelHex(bytes)) return ImageFormat::kIhex;
  if (auto ext = FormatFromExtension(path)) return *ext;
  ErrorContext ctx;
  ctx.file = path;
  throw Error(ErrorCategory::kInvalidInput, "cannot tell the image format", ctx,
              "pass --input-format elf|bin|ihex|uf2 (raw binaries also need --address)");
}

Image ParseImage(std::span<const uint8_t> bytes, const std::string& path,
                 const ImageLoadOptions& options) {
  ImageFormat format = options.format ? *options.format : DetectImageFormat(bytes, path);
  ErrorContext where;
  where.file = path;
  try {
    switch (format) {
      case ImageFormat::kElf:
        return ParseElf(bytes, path);
      case ImageFormat::kIhex:
        return ParseIntelHex(bytes, path);
      case ImageFormat::kUf2:
        return ParseUf2(bytes, path, options.uf2_family);
      case ImageFormat::kBin:
        break;
    }
    if (!options.address)
      throw Error(ErrorCategory::kUsage, "a raw binary image needs a load address", ErrorContext{},
                  "pass --address 0x...");
    return ParseRawBinary(bytes, path, *options.address);
  } catch (const Error& e) {
    throw e.WithContext(where);
  }
}

Image LoadImage(const std::string& path, const ImageLoadOptions& options) {
  std::vector<uint8_t> bytes = ReadBinaryFile(path);
  return ParseImage(bytes, path, options);
}

void SortAndCheckOverlaps(Image& image) {
  auto& segs = image.segments;
  std::stable_sort(segs.begin(), segs.end(),
                   [](const Segment& a, const Segment& b) { return a.address < b.address; });
  for (size_t i = 1; i < segs.size(); ++i) {
    const Segment& a = segs[i - 1];
    const Segment& b = segs[i];
    if (a.end() <= b.address) continue;
    throw Error(ErrorCategory::kInvalidInput,
                "segments " + a.name + " " + AddressRange(a.address, a.end()) + " and " + b.name +
                    " " + AddressRange(b.address, b.end()) + " overlap");
  }
}

}  // namespace tockctl::flasher
