// The raw `.bin` image Tock's Makefile makes with
// `objcopy --output-target=binary --strip-sections --strip-all --remove-section .apps`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/elf_file.h"

namespace tockctl::kernel {

/// Largest .bin written (a larger span means sections far apart, e.g. a wrong load address).
inline constexpr uint64_t kMaxFlatBinarySize = 256ull << 20;

/// A raw image: bytes to place at `address`.
struct FlatBinary {
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
  std::vector<std::string> sections;  ///< Sections copied in, in address order.
};

/// objcopy -O binary semantics: every allocated section with contents and a non-zero size, except
/// those named in `removed`, is copied to its load address; the image starts at the lowest load
/// address and gaps are zero-filled. Throws Error(kInvalidInput) when there is nothing to copy or
/// the image would be larger than kMaxFlatBinarySize (naming the two sections furthest apart).
FlatBinary MakeFlatBinary(const ElfFile& elf, std::span<const uint8_t> elf_bytes,
                          const std::vector<std::string>& removed = {".apps"});

}  // namespace tockctl::kernel
