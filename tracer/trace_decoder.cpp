#include "tracer/trace_decoder.h"

#include <cstring>

#include "tracer/cobs.h"
#include "tracer/crc32c.h"

namespace tockctl::tracer {

uint64_t DecoderStats::Count(RecordType type) const {
  return by_type[RecordTypeIndex(static_cast<uint8_t>(type))];
}

TraceDecoder::TraceDecoder(RecordHandler& handler) : handler_(handler) {}

void TraceDecoder::Feed(std::span<const uint8_t> bytes) {
  stats_.bytes += bytes.size();
  const uint8_t* p = bytes.data();
  const uint8_t* const end = p + bytes.size();
  while (p < end) {
    const auto* zero = static_cast<const uint8_t*>(std::memchr(p, 0, end - p));
    if (zero == nullptr) {
      AppendPartial({p, end});
      return;
    }
    std::span<const uint8_t> segment(p, zero);
    p = zero + 1;
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (partial_len_ == 0) {
      if (segment.size() > kMaxEncodedFrame) {
        ++stats_.oversize;
        continue;
      }
      ProcessFrame(segment);
      continue;
    }
    AppendPartial(segment);
    if (discarding_) {  // the frame grew too long; the delimiter ends the discard
      discarding_ = false;
      continue;
    }
    ProcessFrame({partial_.data(), partial_len_});
    partial_len_ = 0;
  }
}

void TraceDecoder::AppendPartial(std::span<const uint8_t> bytes) {
  if (discarding_) return;
  if (bytes.size() > kMaxEncodedFrame - partial_len_) {
    ++stats_.oversize;
    partial_len_ = 0;
    discarding_ = true;
    return;
  }
  std::memcpy(partial_.data() + partial_len_, bytes.data(), bytes.size());
  partial_len_ += bytes.size();
}

void TraceDecoder::Finish() {
  if (partial_len_ > 0 && !discarding_) {
    ++stats_.corrupt;
    ++stats_.truncated_at_end;
  }
  partial_len_ = 0;
  discarding_ = false;
}

void TraceDecoder::Resync() {
  partial_len_ = 0;
  discarding_ = true;
}

void TraceDecoder::ProcessFrame(std::span<const uint8_t> encoded) {
  if (encoded.empty()) return;
  ++stats_.frames;
  const auto len = CobsDecode(encoded, payload_);
  if (!len) {
    ++stats_.corrupt;
    ++stats_.corrupt_cobs;
    return;
  }
  if (*len < kMinPayload || *len > kMaxPayload) {
    ++stats_.corrupt;
    ++stats_.corrupt_length;
    return;
  }
  const size_t covered = *len - kCrcSize;
  const uint8_t* crc_bytes = payload_.data() + covered;
  const uint32_t sent = static_cast<uint32_t>(crc_bytes[0]) | (uint32_t{crc_bytes[1]} << 8) |
                        (uint32_t{crc_bytes[2]} << 16) | (uint32_t{crc_bytes[3]} << 24);
  if (Crc32c({payload_.data(), covered}) != sent) {
    ++stats_.corrupt;
    ++stats_.corrupt_crc;
    return;
  }
  ProcessPayload({payload_.data(), covered});
}

void TraceDecoder::ProcessPayload(std::span<const uint8_t> payload) {
  const RecordHeader header = ParseHeader(payload);
  if (header.version != kProtocolVersion) {
    ++stats_.other_version;
    return;
  }
  if (TrackSeq(header.seq)) pending_reset_ = true;
  Emit(header, payload);
}

bool TraceDecoder::TrackSeq(uint32_t seq) {
  const bool first = !have_seq_;
  const uint32_t expected = last_seq_ + 1;
  have_seq_ = true;
  last_seq_ = seq;
  if (first) return false;
  const uint32_t d = seq - expected;
  if (d < 0x80000000u) {
    stats_.gap += d;
    return false;
  }
  ++stats_.seq_reset;
  return true;
}

void TraceDecoder::Emit(const RecordHeader& header, std::span<const uint8_t> payload) {
  const auto type = static_cast<uint8_t>(header.type);
  switch (ParseBody(type, payload.subspan(kHeaderSize), scratch_, record_.body)) {
    case BodyStatus::kUnknownType:
      ++stats_.unknown_type;
      ++stats_.unknown_by_type[type];
      return;
    case BodyStatus::kMalformed:
      ++stats_.malformed;
      return;
    case BodyStatus::kOk:
      break;
  }
  record_.header = header;
  record_.raw = payload;
  ++stats_.records;
  ++stats_.by_type[RecordTypeIndex(type)];
  if (header.type == RecordType::kOverflow) {
    stats_.device_dropped += std::get<Overflow>(record_.body).dropped;
  }
  const bool reset = pending_reset_;
  pending_reset_ = false;
  handler_.OnRecord(record_, reset);
}

}  // namespace tockctl::tracer
