// A slow, literal transcription of the receiver algorithm of docs/trace-protocol.md 4.2 (byte by
// byte, bitwise CRC), used as the oracle the real TraceDecoder is compared with.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tockctl::fuzz {

/// What the spec says a receiver must count for a byte stream, and the version-1 payloads
/// (header + body, CRC removed) of the frames that passed the CRC, in stream order.
struct ReferenceResult {
  uint64_t frames = 0;
  uint64_t corrupt_cobs = 0;
  uint64_t corrupt_length = 0;
  uint64_t corrupt_crc = 0;
  uint64_t truncated_at_end = 0;
  uint64_t oversize = 0;
  uint64_t other_version = 0;
  uint64_t gap = 0;
  uint64_t seq_reset = 0;
  struct Payload {
    std::vector<uint8_t> bytes;
    bool seq_reset = false;  ///< This frame's seq went backwards or repeated.
  };
  std::vector<Payload> v1_payloads;
};

/// COBS decoding exactly as spec 2.1 words it.
inline std::optional<std::vector<uint8_t>> SpecCobsDecode(std::span<const uint8_t> in) {
  std::vector<uint8_t> out;
  size_t i = 0;
  while (i < in.size()) {
    const size_t c = in[i];
    if (c == 0 || c - 1 > in.size() - i - 1) return std::nullopt;
    out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(i + 1),
               in.begin() + static_cast<std::ptrdiff_t>(i + c));
    i += c;
    if (c < 0xFF && i < in.size()) out.push_back(0);
  }
  return out;
}

/// CRC-32C bit by bit (spec 2.2).
inline uint32_t SpecCrc32c(std::span<const uint8_t> data) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
  }
  return crc ^ 0xFFFFFFFF;
}

class ReferenceReceiver {
 public:
  ReferenceResult Run(std::span<const uint8_t> stream) {
    for (uint8_t b : stream) Byte(b);
    if (!buffer_.empty()) ++r_.truncated_at_end;
    return r_;
  }

 private:
  static constexpr size_t kMaxBuffer = 2058;

  void Byte(uint8_t b) {
    if (discarding_) {
      discarding_ = b != 0;
      return;
    }
    if (b != 0) {
      if (buffer_.size() == kMaxBuffer) {
        ++r_.oversize;
        buffer_.clear();
        discarding_ = true;
      } else {
        buffer_.push_back(b);
      }
      return;
    }
    if (buffer_.empty()) return;
    Frame();
    buffer_.clear();
  }

  void Frame() {
    ++r_.frames;
    auto payload = SpecCobsDecode(buffer_);
    if (!payload) {
      ++r_.corrupt_cobs;
      return;
    }
    if (payload->size() < 20 || payload->size() > 2048) {
      ++r_.corrupt_length;
      return;
    }
    const size_t n = payload->size() - 4;
    const uint32_t sent = uint32_t{(*payload)[n]} | uint32_t{(*payload)[n + 1]} << 8 |
                          uint32_t{(*payload)[n + 2]} << 16 | uint32_t{(*payload)[n + 3]} << 24;
    if (SpecCrc32c(std::span(*payload).first(n)) != sent) {
      ++r_.corrupt_crc;
      return;
    }
    if ((*payload)[0] != 1) {
      ++r_.other_version;
      return;
    }
    payload->resize(n);
    const bool reset = TrackSeq(*payload);
    r_.v1_payloads.push_back({std::move(*payload), reset});
  }

  // Spec 4.2 step 7; true when the seq went backwards or repeated.
  bool TrackSeq(const std::vector<uint8_t>& p) {
    const uint32_t seq =
        uint32_t{p[4]} | uint32_t{p[5]} << 8 | uint32_t{p[6]} << 16 | uint32_t{p[7]} << 24;
    const bool first = !have_seq_;
    const uint32_t expected = last_seq_ + 1;
    have_seq_ = true;
    last_seq_ = seq;
    if (first) return false;
    const uint32_t d = seq - expected;
    if (d < 0x80000000u) {
      r_.gap += d;
      return false;
    }
    ++r_.seq_reset;
    return true;
  }

  std::vector<uint8_t> buffer_;
  bool discarding_ = false;
  bool have_seq_ = false;
  uint32_t last_seq_ = 0;
  ReferenceResult r_;
};

}  // namespace tockctl::fuzz
