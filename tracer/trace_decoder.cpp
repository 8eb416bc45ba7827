#include "tracer/trace_decoder.h"

#include <algorithm>
#include <cstring>

#include "tracer/cobs.h"
#include "tracer/crc32c.h"

namespace tockctl::tracer {
namespace {

constexpr uint8_t kZeroByte = 0;

uint32_t ReadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) |
         (uint32_t{p[3]} << 24);
}

// True if `payload` (header, body, CRC) is 20..2048 bytes long and its CRC matches.
bool CrcMatches(std::span<const uint8_t> payload) {
  if (payload.size() < kMinPayload || payload.size() > kMaxPayload) return false;
  const size_t covered = payload.size() - kCrcSize;
  return Crc32c(payload.first(covered)) == ReadLe32(payload.data() + covered);
}

bool HasMarker(std::span<const uint8_t> decoded) {
  return decoded.size() >= sizeof(kFrameMarker) && decoded[0] == kFrameMarker[0] &&
         decoded[1] == kFrameMarker[1];
}

}  // namespace

uint64_t DecoderStats::Count(RecordType type) const {
  return by_type[RecordTypeIndex(static_cast<uint8_t>(type))];
}

TraceDecoder::TraceDecoder(RecordHandler& handler) : handler_(handler) {
  text_.reserve(kMaxConsolePiece);
}

void TraceDecoder::Feed(std::span<const uint8_t> bytes) {
  stats_.bytes += bytes.size();
  FeedBytes(bytes);
}

void TraceDecoder::FeedBytes(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    if (stats_.version == 0) {
      FeedUnknown(bytes);
      return;
    }
    const size_t used = stats_.version == kProtocolVersion1 ? FeedV1(bytes) : FeedV2(bytes);
    bytes = bytes.subspan(used);
  }
}

// Holds the bytes and checks each 0x00-delimited segment until one is a valid frame; its framing
// decides the version and the held bytes are decoded again as that version.
void TraceDecoder::FeedUnknown(std::span<const uint8_t> bytes) {
  held_.insert(held_.end(), bytes.begin(), bytes.end());
  while (stats_.version == 0) {
    const auto begin = held_.begin() + static_cast<std::ptrdiff_t>(held_scanned_);
    const auto zero = std::find(begin, held_.end(), uint8_t{0});
    if (zero == held_.end()) break;
    if (static_cast<size_t>(zero - held_.begin()) >= kMaxHeldBytes)
      break;  // the same for any split
    const auto size = static_cast<size_t>(zero - begin);
    const std::span<const uint8_t> segment(held_.data() + held_scanned_, size);
    held_scanned_ += size + 1;
    if (size == 0 || size > kMaxEncodedFrameV2) continue;
    if (const uint8_t version = ValidFrameVersion(segment)) DecideVersion(version);
  }
  if (stats_.version == 0 && held_.size() >= kMaxHeldBytes) DecideVersion(kProtocolVersion);
}

uint8_t TraceDecoder::ValidFrameVersion(std::span<const uint8_t> encoded) {
  const auto len = CobsDecode(encoded, payload_);
  if (!len) return 0;
  const std::span<const uint8_t> decoded(payload_.data(), *len);
  if (HasMarker(decoded) && CrcMatches(decoded.subspan(sizeof(kFrameMarker)))) {
    return kProtocolVersion;
  }
  return CrcMatches(decoded) ? kProtocolVersion1 : 0;
}

void TraceDecoder::DecideVersion(uint8_t version) {
  stats_.version = version;
  const std::vector<uint8_t> held = std::move(held_);
  held_ = {};
  held_scanned_ = 0;
  if (version == kProtocolVersion1 && joined_) Resync();
  FeedBytes(held);
}

size_t TraceDecoder::FeedV1(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  const uint8_t* const end = p + bytes.size();
  while (p < end) {
    const auto* zero = static_cast<const uint8_t*>(std::memchr(p, 0, end - p));
    if (zero == nullptr) {
      AppendPartial({p, end});
      break;
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
  return bytes.size();
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

// v2 (section 2.4): outside a candidate every non-zero byte is console text; a 0x00 opens a
// candidate that becomes text as soon as its first bytes cannot start a frame. Returns the bytes
// used, fewer than given only when a v1 frame switched the stream to v1.
size_t TraceDecoder::FeedV2(std::span<const uint8_t> bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (in_candidate_) {
      i += FeedCandidate(bytes.subspan(i));
      if (stats_.version == kProtocolVersion1) return i;
      continue;
    }
    const auto* start = bytes.data() + i;
    const auto* zero = static_cast<const uint8_t*>(std::memchr(start, 0, bytes.size() - i));
    const size_t run = zero != nullptr ? static_cast<size_t>(zero - start) : bytes.size() - i;
    AppendText({start, run});
    i += run;
    if (zero == nullptr) break;
    ++i;
    StartCandidate(true);
  }
  return bytes.size();
}

size_t TraceDecoder::FeedCandidate(std::span<const uint8_t> bytes) {
  size_t i = 0;
  while (i < bytes.size() && in_candidate_) {
    if (candidate_ == Candidate::kUndetermined && !discarding_) {
      const uint8_t b = bytes[i++];
      if (b == 0) {
        if (CloseCandidate()) return i;
        continue;
      }
      partial_[partial_len_++] = b;
      candidate_ = ClassifyCandidate();
      if (candidate_ == Candidate::kText) ReleaseCandidateAsText();
      continue;
    }
    const auto* start = bytes.data() + i;
    const auto* zero = static_cast<const uint8_t*>(std::memchr(start, 0, bytes.size() - i));
    const size_t run = zero != nullptr ? static_cast<size_t>(zero - start) : bytes.size() - i;
    const size_t limit = candidate_ == Candidate::kFrameV1 ? kMaxEncodedFrame : kMaxEncodedFrameV2;
    if (!discarding_ && run > limit - partial_len_) {
      ++stats_.oversize;
      discarding_ = true;
      partial_len_ = 0;
    }
    if (!discarding_) std::memcpy(partial_.data() + partial_len_, start, run);
    if (!discarding_) partial_len_ += run;
    i += run;
    if (zero == nullptr) break;
    ++i;
    if (CloseCandidate()) return i;
  }
  return i;
}

void TraceDecoder::StartCandidate(bool opening_is_text) {
  in_candidate_ = true;
  opening_is_text_ = opening_is_text;
  candidate_ = Candidate::kUndetermined;
  partial_len_ = 0;
}

// A v2 frame's encoding starts with a code byte >= 3 and the marker bytes; a v1 frame's (looked
// for until the first v2 frame) with a code byte >= 2 and the version byte 1.
TraceDecoder::Candidate TraceDecoder::ClassifyCandidate() const {
  const uint8_t* c = partial_.data();
  const size_t k = partial_len_;
  const bool v2 =
      c[0] >= 3 && (k < 2 || c[1] == kFrameMarker[0]) && (k < 3 || c[2] == kFrameMarker[1]);
  const bool v1 = !v2_seen_ && c[0] >= 2 && (k < 2 || c[1] == kProtocolVersion1);
  if (v2 && k >= 3) return Candidate::kFrameV2;
  if (v1 && k >= 2) return Candidate::kFrameV1;
  if (!v2 && !v1) return Candidate::kText;
  return Candidate::kUndetermined;
}

void TraceDecoder::ReleaseCandidateAsText() {
  if (opening_is_text_) AppendText({&kZeroByte, 1});
  AppendText({partial_.data(), partial_len_});
  partial_len_ = 0;
  in_candidate_ = false;
  candidate_ = Candidate::kUndetermined;
}

// The 0x00 that ends a candidate. A frame's closing delimiter may also open the next frame; any
// other 0x00 may be console text. Returns true if a v1 frame switched the stream to v1.
bool TraceDecoder::CloseCandidate() {
  if (discarding_) {
    discarding_ = false;
    StartCandidate(false);
    return false;
  }
  const std::span<const uint8_t> segment(partial_.data(), partial_len_);
  if (candidate_ == Candidate::kFrameV2) {
    EmitText(text_.size());
    ProcessFrameV2(segment);
    StartCandidate(false);
    return false;
  }
  if (candidate_ == Candidate::kFrameV1 && ValidFrameVersion(segment) == kProtocolVersion1) {
    EmitText(text_.size());
    stats_.version = kProtocolVersion1;
    ProcessFrame(segment);
    partial_len_ = 0;
    in_candidate_ = false;
    return true;
  }
  ReleaseCandidateAsText();
  StartCandidate(true);
  return false;
}

void TraceDecoder::AppendText(std::span<const uint8_t> text) {
  while (!text.empty()) {
    size_t take = std::min(text.size(), kMaxConsolePiece - text_.size());
    const void* lf = std::memchr(text.data(), '\n', take);
    if (lf != nullptr)
      take = static_cast<size_t>(static_cast<const uint8_t*>(lf) - text.data()) + 1;
    text_.insert(text_.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(take));
    text = text.subspan(take);
    if (lf != nullptr || text_.size() == kMaxConsolePiece) EmitText(text_.size());
  }
}

void ConsoleTally::Add(std::span<const uint8_t> text) {
  if (text.empty()) return;
  if (open_line_) --lines_;
  open_line_ = text.back() != '\n';
  lines_ += static_cast<uint64_t>(std::count(text.begin(), text.end(), uint8_t{'\n'})) +
            (open_line_ ? 1 : 0);
  bytes_ += text.size();
}

void TraceDecoder::EmitText(size_t n) {
  if (n == 0) return;
  console_tally_.Add({text_.data(), n});
  stats_.console_bytes = console_tally_.bytes();
  stats_.console_lines = console_tally_.lines();
  handler_.OnConsole({text_.data(), n});
  text_.clear();
}

void TraceDecoder::FlushConsole(bool undecided) {
  if (stats_.version == 0) {
    if (held_.empty()) return;
    DecideVersion(kProtocolVersion);
  }
  if (stats_.version == kProtocolVersion1) return;
  if (undecided && HasUndecidedBytes()) ReleaseCandidateAsText();
  EmitText(text_.size());
}

bool TraceDecoder::HasPendingText() const {
  if (stats_.version == 0) return !held_.empty();
  return stats_.version != kProtocolVersion1 && !text_.empty();
}

bool TraceDecoder::HasUndecidedBytes() const {
  return stats_.version != 0 && stats_.version != kProtocolVersion1 && in_candidate_ &&
         candidate_ == Candidate::kUndetermined && !discarding_ &&
         (partial_len_ > 0 || opening_is_text_);
}

void TraceDecoder::Finish() {
  if (stats_.version == 0 && !held_.empty()) DecideVersion(kProtocolVersion);
  if (stats_.version != kProtocolVersion1 && in_candidate_ && !discarding_) {
    if (candidate_ == Candidate::kFrameV2 && partial_len_ > 0) {
      ++stats_.corrupt;
      ++stats_.truncated_at_end;
      StartCandidate(false);
    } else {
      ReleaseCandidateAsText();
    }
  }
  EmitText(text_.size());
  if (stats_.version == kProtocolVersion1 && partial_len_ > 0 && !discarding_) {
    ++stats_.corrupt;
    ++stats_.truncated_at_end;
  }
  partial_len_ = 0;
  discarding_ = false;
  if (stats_.version != kProtocolVersion1) StartCandidate(false);
}

void TraceDecoder::Resync() {
  switch (stats_.version) {
    case 0:
      joined_ = true;
      return;
    case kProtocolVersion1:
      partial_len_ = 0;
      discarding_ = true;
      return;
    default:
      if (in_candidate_ && candidate_ == Candidate::kUndetermined && !discarding_) {
        ReleaseCandidateAsText();
      }
      EmitText(text_.size());
      discarding_ = false;
      StartCandidate(false);
  }
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
  ProcessDecoded({payload_.data(), *len}, kProtocolVersion1);
}

void TraceDecoder::ProcessFrameV2(std::span<const uint8_t> encoded) {
  ++stats_.frames;
  const auto len = CobsDecode(encoded, payload_);
  if (!len) {
    ++stats_.corrupt;
    ++stats_.corrupt_cobs;
    return;
  }
  v2_seen_ = true;
  const size_t marker = sizeof(kFrameMarker);
  ProcessDecoded({payload_.data() + marker, *len - std::min(*len, marker)}, kProtocolVersion);
}

// Length and CRC checks of a decoded payload (header, body, CRC), then the record.
void TraceDecoder::ProcessDecoded(std::span<const uint8_t> payload, uint8_t version) {
  if (payload.size() < kMinPayload || payload.size() > kMaxPayload) {
    ++stats_.corrupt;
    ++stats_.corrupt_length;
    return;
  }
  if (!CrcMatches(payload)) {
    ++stats_.corrupt;
    ++stats_.corrupt_crc;
    return;
  }
  ++stats_.valid_frames;
  ProcessPayload(payload.first(payload.size() - kCrcSize), version);
}

void TraceDecoder::ProcessPayload(std::span<const uint8_t> payload, uint8_t version) {
  const RecordHeader header = ParseHeader(payload);
  if (header.version != version) {
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
