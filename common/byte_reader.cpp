#include "common/byte_reader.h"

#include <limits>

namespace tockctl {

std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  if (a > std::numeric_limits<uint64_t>::max() - b) return std::nullopt;
  return a + b;
}

std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

uint64_t AddOrThrow(uint64_t a, uint64_t b, std::string_view what) {
  auto sum = CheckedAdd(a, b);
  if (!sum) throw Error(ErrorCategory::kInvalidInput, std::string(what) + " overflows 64 bits");
  return *sum;
}

ByteReader::ByteReader(std::span<const uint8_t> data, std::string what, uint64_t base_offset)
    : data_(data), what_(std::move(what)), base_offset_(base_offset) {}

void ByteReader::Require(size_t n, const char* field) const {
  if (n <= remaining()) return;
  ErrorContext ctx;
  ctx.offset = base_offset_ + pos_;
  throw Error(ErrorCategory::kInvalidInput,
              what_ + " is truncated: " + field + " needs " + std::to_string(n) +
                  " bytes but only " + std::to_string(remaining()) + " remain",
              ctx);
}

uint8_t ByteReader::U8() {
  Require(1, "u8");
  return data_[pos_++];
}

namespace {
template <typename T>
T LoadLe(const uint8_t* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(p[i]) << (8 * i);
  return v;
}
template <typename T>
T LoadBe(const uint8_t* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | p[i]);
  return v;
}
}  // namespace

// `loader` names a function template, which cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define TOCKCTL_READ(name, T, loader, field) \
  T ByteReader::name() {                     \
    Require(sizeof(T), field);               \
    auto v = loader<T>(data_.data() + pos_); \
    pos_ += sizeof(T);                       \
    return v;                                \
  }
// NOLINTEND(bugprone-macro-parentheses)
TOCKCTL_READ(U16Le, uint16_t, LoadLe, "u16")
TOCKCTL_READ(U32Le, uint32_t, LoadLe, "u32")
TOCKCTL_READ(U64Le, uint64_t, LoadLe, "u64")
TOCKCTL_READ(U16Be, uint16_t, LoadBe, "u16")
TOCKCTL_READ(U32Be, uint32_t, LoadBe, "u32")
TOCKCTL_READ(U64Be, uint64_t, LoadBe, "u64")
#undef TOCKCTL_READ

std::span<const uint8_t> ByteReader::Bytes(size_t n) {
  Require(n, "field");
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::span<const uint8_t> ByteReader::Rest() { return Bytes(remaining()); }

std::string ByteReader::String(size_t n) {
  auto bytes = Bytes(n);
  return std::string(bytes.begin(), bytes.end());
}

void ByteReader::Skip(size_t n) { Bytes(n); }

ByteReader ByteReader::Sub(size_t n, std::string what) {
  uint64_t offset = base_offset_ + pos_;
  return ByteReader(Bytes(n), std::move(what), offset);
}

ByteReader ByteReader::At(uint64_t offset, uint64_t n, std::string what) const {
  auto end = CheckedAdd(offset, n);
  if (!end || *end > data_.size()) {
    ErrorContext ctx;
    ctx.offset = base_offset_ + offset;
    throw Error(ErrorCategory::kInvalidInput,
                what + " (" + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                    ") lies outside " + what_ + " (" + std::to_string(data_.size()) + " bytes)",
                ctx);
  }
  return ByteReader(data_.subspan(offset, n), std::move(what), base_offset_ + offset);
}

void StoreU16Le(uint8_t* out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
void StoreU32Le(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
void StoreU64Le(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace tockctl
