// Streaming decoder of the trace byte stream: COBS deframing, CRC-32C check, sequence tracking and
// record parsing with bounded memory (docs/trace-protocol.md section 4.2).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "tracer/record_parser.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Counters of section 4.2 of the spec, plus finer detail for diagnostics.
struct DecoderStats {
  uint64_t bytes = 0;    ///< Bytes fed to the decoder.
  uint64_t frames = 0;   ///< Non-empty frames seen (delimited runs, including corrupt ones).
  uint64_t records = 0;  ///< Records emitted.
  std::array<uint64_t, kRecordTypeCount> by_type{};  ///< `records` per type, spec order.
  uint64_t gap = 0;                                  ///< Missing sequence numbers (link loss).
  uint64_t corrupt = 0;         ///< corrupt_cobs + corrupt_length + corrupt_crc + truncated_at_end.
  uint64_t corrupt_cobs = 0;    ///< Frames whose COBS encoding is invalid.
  uint64_t corrupt_length = 0;  ///< Payloads shorter than 20 or longer than 2048 bytes.
  uint64_t corrupt_crc = 0;     ///< Payloads whose CRC-32C does not match.
  uint64_t truncated_at_end = 0;  ///< Incomplete frame at the end of the stream.
  uint64_t oversize = 0;          ///< Runs of more than 2058 bytes without a delimiter.
  uint64_t malformed = 0;         ///< Known type, body too short.
  uint64_t unknown_type = 0;      ///< Valid frames of a type v1 does not define.
  std::array<uint64_t, 256> unknown_by_type{};  ///< `unknown_type` per type byte.
  uint64_t other_version = 0;                   ///< Valid frames of another major version.
  uint64_t device_dropped = 0;                  ///< Sum of OVERFLOW `dropped`.
  uint64_t seq_reset = 0;                       ///< Times seq went backwards or repeated.

  /// Records of `type` emitted so far.
  uint64_t Count(RecordType type) const;
};

/// Receives each record the decoder emits. The record is valid only during the call.
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  /// Called once per emitted record, in stream order. `seq_reset` is true for the first record
  /// after the device's seq went backwards (device restart).
  virtual void OnRecord(const Record& record, bool seq_reset) = 0;
};

/// Decodes a byte stream fed in arbitrary pieces. Never throws on bad input; counts it instead.
/// Memory use is fixed (two 2 KiB frame buffers plus the record scratch).
class TraceDecoder {
 public:
  explicit TraceDecoder(RecordHandler& handler);

  /// Decodes `bytes`, calling the handler for every complete, valid record they finish.
  void Feed(std::span<const uint8_t> bytes);
  /// Ends the stream: an incomplete frame still buffered counts as corrupt (truncated_at_end).
  void Finish();
  /// Drops any partial frame without counting it and ignores bytes up to the next 0x00; for a
  /// live link that is joined mid-stream or came back after a disconnect.
  void Resync();

  const DecoderStats& stats() const { return stats_; }

 private:
  void AppendPartial(std::span<const uint8_t> bytes);
  void ProcessFrame(std::span<const uint8_t> encoded);
  void ProcessPayload(std::span<const uint8_t> payload);
  bool TrackSeq(uint32_t seq);
  void Emit(const RecordHeader& header, std::span<const uint8_t> payload);

  RecordHandler& handler_;
  DecoderStats stats_;
  RecordScratch scratch_;
  Record record_;
  std::array<uint8_t, kMaxEncodedFrame> partial_{};
  size_t partial_len_ = 0;
  bool discarding_ = false;  ///< Skipping bytes up to the next 0x00.
  std::array<uint8_t, kMaxEncodedFrame> payload_{};
  bool have_seq_ = false;
  uint32_t last_seq_ = 0;
  bool pending_reset_ = false;
};

}  // namespace tockctl::tracer
