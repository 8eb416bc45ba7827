// A fixed-capacity FIFO of bytes: the bounded queue between USB transfer completions and Read().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tockctl::tracer {

/// First-in first-out bytes with a capacity fixed at construction; never allocates afterwards.
class ByteRing {
 public:
  explicit ByteRing(size_t capacity) : storage_(capacity) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t free() const { return storage_.size() - size_; }

  /// Appends all of `bytes`; the caller checks free() first (extra bytes are not stored).
  void Push(std::span<const uint8_t> bytes) {
    bytes = bytes.first(std::min(bytes.size(), free()));
    size_t tail = (head_ + size_) % storage_.size();
    size_t first = std::min(bytes.size(), storage_.size() - tail);
    std::copy_n(bytes.begin(), first, storage_.begin() + static_cast<ptrdiff_t>(tail));
    std::copy(bytes.begin() + static_cast<ptrdiff_t>(first), bytes.end(), storage_.begin());
    size_ += bytes.size();
  }

  /// Moves up to out.size() of the oldest bytes into `out`; returns how many.
  size_t Pop(std::span<uint8_t> out) {
    size_t n = std::min(out.size(), size_);
    size_t first = std::min(n, storage_.size() - head_);
    std::copy_n(storage_.begin() + static_cast<ptrdiff_t>(head_), first, out.begin());
    std::copy_n(storage_.begin(), n - first, out.begin() + static_cast<ptrdiff_t>(first));
    head_ = (head_ + n) % storage_.size();
    size_ -= n;
    return n;
  }

  void Clear() { head_ = size_ = 0; }

 private:
  std::vector<uint8_t> storage_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace tockctl::tracer
