// Shared by the fuzz targets: reading structured values from the fuzz input, the check that
// refused input was refused with a well-formed tockctl::Error, and failing loudly when an
// invariant breaks (libFuzzer reports the abort as a crash and saves the input).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace tockctl::fuzz {

/// A fuzz target's entry: returns 0, as libFuzzer's LLVMFuzzerTestOneInput does.
using TargetFn = int (*)(const uint8_t* data, size_t size);

/// Declared by TOCKCTL_FUZZ_TARGET: adds a target to the registry in fuzz/fuzz_targets.cpp, whose
/// LLVMFuzzerTestOneInput runs the target the executable is named after (fuzz_NAME).
struct TargetRegistration {
  TargetRegistration(const char* name, TargetFn fn);
};

/// Defines the fuzz target NAME (the name in fuzz/targets.txt); the body follows, with `data` and
/// `size` in scope. Every target is compiled into one executable (fuzz/CMakeLists.txt), so each
/// file keeps its code, this included, in `namespace { namespace TOCKCTL_UNITY_ID {`.
#define TOCKCTL_FUZZ_TARGET(NAME)                                                        \
  int FuzzTarget(const uint8_t* data, size_t size);                                      \
  const ::tockctl::fuzz::TargetRegistration kFuzzTargetRegistration{#NAME, &FuzzTarget}; \
  int FuzzTarget(const uint8_t* data, size_t size)

/// Prints what broke and aborts.
[[noreturn]] inline void Fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what.c_str());
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(cond)                                           \
  do {                                                             \
    if (!(cond)) ::tockctl::fuzz::Fail(__FILE__, __LINE__, #cond); \
  } while (0)

/// Bad input must become an Error users can read: a message, on one line (STYLE: messages are
/// one line), and not "internal" (exit 70 means a bug in tockctl).
inline void CheckError(const Error& e) {
  const std::string line = e.Describe();
  if (e.message().empty()) Fail(__FILE__, __LINE__, "empty error message: " + line);
  if (line.find_first_of("\r\n") != std::string::npos)
    Fail(__FILE__, __LINE__, "error message spans lines: " + line);
  if (e.category() == ErrorCategory::kInternal)
    Fail(__FILE__, __LINE__, "internal error for bad input: " + line);
}

/// True when TOCKCTL_FUZZ_VERBOSE is set: Accepted prints each refusal (for checking seeds).
inline bool Verbose() {
  static const bool verbose = std::getenv("TOCKCTL_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

/// Runs `fn`; true if it returned, false if it threw a well-formed tockctl::Error. Any other
/// exception escapes and is a crash: the contract is bad input = Error.
template <typename F>
bool Accepted(F&& fn) {
  try {
    fn();
    if (Verbose()) std::fprintf(stderr, "  accepted\n");
    return true;
  } catch (const Error& e) {
    CheckError(e);
    if (Verbose()) std::fprintf(stderr, "  refused: %s\n", e.Describe().c_str());
    return false;
  }
}

/// Takes values from the front of the fuzz input; reads past the end give zeros / empty spans.
class InputReader {
 public:
  InputReader(const uint8_t* data, size_t size) : data_(data, size) {}

  bool empty() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

  uint8_t U8() { return static_cast<uint8_t>(Le(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Le(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Le(4)); }
  uint64_t U64() { return Le(8); }

  /// The next `n` bytes (fewer at the end).
  std::span<const uint8_t> Bytes(size_t n) {
    n = std::min(n, remaining());
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  /// Everything not read yet.
  std::span<const uint8_t> Rest() { return Bytes(remaining()); }
  /// Bytes up to the next `separator` (consumed, not returned) or the end.
  std::span<const uint8_t> Until(uint8_t separator) {
    auto rest = data_.subspan(pos_);
    auto it = std::find(rest.begin(), rest.end(), separator);
    size_t n = static_cast<size_t>(it - rest.begin());
    pos_ += n + (it == rest.end() ? 0 : 1);
    return rest.first(n);
  }

 private:
  uint64_t Le(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && !empty(); ++i) v |= uint64_t{data_[pos_++]} << (8 * i);
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

/// A deterministic pseudo-random sequence (xorshift64) seeded from the input, for choosing
/// chunk sizes and the like without consuming input bytes.
class Xorshift {
 public:
  explicit Xorshift(std::span<const uint8_t> seed_from) {
    for (uint8_t b : seed_from) state_ = (state_ ^ b) * 0x100000001b3ull;
    if (state_ == 0) state_ = 1;
  }
  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  /// A value in [1, max].
  size_t Size(size_t max) { return 1 + static_cast<size_t>(Next() % max); }

 private:
  uint64_t state_ = 0xcbf29ce484222325ull;
};

inline std::string_view AsText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace tockctl::fuzz
