// Bounds-checked, consuming reader for every binary format tockctl parses
// (ELF, Intel HEX records, UF2, TBF, trace frames, protocol replies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace tockctl {

/// a + b, or nullopt on unsigned overflow.
std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b);
/// a * b, or nullopt on unsigned overflow.
std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b);
/// a + b; throws Error(kInvalidInput, "<what> overflows") on overflow.
uint64_t AddOrThrow(uint64_t a, uint64_t b, std::string_view what);

/// Reads little- or big-endian fields from a byte span, never past its end.
/// Every failed read throws Error(kInvalidInput) naming `what` and the absolute offset.
class ByteReader {
 public:
  /// Reads `data`; `base_offset` is added to offsets in error messages; `what` names the input.
  explicit ByteReader(std::span<const uint8_t> data, std::string what = "input",
                      uint64_t base_offset = 0);

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  /// True if at least `n` more bytes can be read.
  bool Has(size_t n) const { return n <= remaining(); }

  uint8_t U8();
  uint16_t U16Le();
  uint32_t U32Le();
  uint64_t U64Le();
  uint16_t U16Be();
  uint32_t U32Be();
  uint64_t U64Be();
  int32_t I32Le() { return static_cast<int32_t>(U32Le()); }
  /// The next `n` bytes, consumed.
  std::span<const uint8_t> Bytes(size_t n);
  /// Everything left, consumed.
  std::span<const uint8_t> Rest();
  /// A string of `n` bytes, consumed.
  std::string String(size_t n);
  void Skip(size_t n);
  /// A reader over `n` bytes at the current position (consumed from this reader).
  ByteReader Sub(size_t n, std::string what);
  /// A reader over [offset, offset+n) of the whole input, independent of the position.
  ByteReader At(uint64_t offset, uint64_t n, std::string what) const;

 private:
  void Require(size_t n, const char* field) const;

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  std::string what_;
  uint64_t base_offset_;
};

/// Little-endian stores into a buffer the caller sized correctly.
void StoreU16Le(uint8_t* out, uint16_t v);
void StoreU32Le(uint8_t* out, uint32_t v);
void StoreU64Le(uint8_t* out, uint64_t v);

}  // namespace tockctl
