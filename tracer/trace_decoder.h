// Streaming decoder of the trace byte stream: COBS deframing, CRC-32C check, sequence tracking and
// record parsing with bounded memory (docs/trace-protocol.md section 4.2), and the separation of
// console text from v2 frames on a shared link (section 2.4).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "tracer/record_parser.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Counts console text the way `--stats` reports it: bytes, and lines as '\n' bytes plus one for
/// an unfinished last line (a prompt without a line end is a line).
class ConsoleTally {
 public:
  void Add(std::span<const uint8_t> text);
  uint64_t bytes() const { return bytes_; }
  uint64_t lines() const { return lines_; }

 private:
  uint64_t bytes_ = 0;
  uint64_t lines_ = 0;
  bool open_line_ = false;  ///< The text so far does not end in '\n'.
};

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
  uint64_t console_bytes = 0;  ///< Console text bytes handed on (v2 streams; section 2.4).
  uint64_t console_lines = 0;  ///< Console lines: '\n' bytes, plus one for an unfinished last line.
  uint64_t valid_frames = 0;   ///< Frames whose CRC matched (any version or type).
  uint8_t version = 0;         ///< Protocol version the stream was recognised as; 0 = not yet.

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
  /// Called with console text in stream order relative to the records (v2 streams). A piece ends
  /// after a '\n', before a frame, at kMaxConsolePiece bytes, or when FlushConsole() is called.
  virtual void OnConsole(std::span<const uint8_t> text) { (void)text; }
};

/// Longest piece of console text handed to RecordHandler::OnConsole at once.
inline constexpr size_t kMaxConsolePiece = 1024;

/// Decodes a byte stream fed in arbitrary pieces. Never throws on bad input; counts it instead.
/// The stream's version is recognised from its first valid frame (section 2.5): until then bytes
/// are held (at most kMaxHeldBytes, or until FlushConsole() or Finish()); a stream with no frame
/// is taken as v2, i.e. console text. Memory use is bounded.
class TraceDecoder {
 public:
  /// Bytes held while the version is not known yet.
  static constexpr size_t kMaxHeldBytes = size_t{64} * 1024;

  explicit TraceDecoder(RecordHandler& handler);

  /// Decodes `bytes`, calling the handler for every complete, valid record they finish and for
  /// the console text among them.
  void Feed(std::span<const uint8_t> bytes);
  /// Ends the stream: an incomplete frame still buffered counts as corrupt (truncated_at_end);
  /// pending console text is handed on.
  void Finish();
  /// Drops any partial frame without counting it; in a v1 stream also ignores bytes up to the
  /// next 0x00. For a live link that is joined mid-stream or came back after a disconnect.
  void Resync();
  /// Hands on console text that is waiting for a line end and, with `undecided`, also the up to
  /// three bytes after a 0x00 that wait to be told from a frame start; a live session calls it
  /// when such bytes have waited long enough. Before the version is known this decides v2.
  void FlushConsole(bool undecided = true);
  /// True if FlushConsole(false) would hand on bytes.
  bool HasPendingText() const;
  /// True if bytes after a 0x00 wait to be told from a frame start.
  bool HasUndecidedBytes() const;
  /// True if FlushConsole() would hand on bytes.
  bool HasPendingConsole() const { return HasPendingText() || HasUndecidedBytes(); }

  const DecoderStats& stats() const { return stats_; }

 private:
  /// What the bytes after a possible opening delimiter look like so far.
  enum class Candidate { kUndetermined, kFrameV2, kFrameV1, kText };

  void FeedBytes(std::span<const uint8_t> bytes);
  void FeedUnknown(std::span<const uint8_t> bytes);
  void DecideVersion(uint8_t version);
  size_t FeedV1(std::span<const uint8_t> bytes);
  size_t FeedV2(std::span<const uint8_t> bytes);
  size_t FeedCandidate(std::span<const uint8_t> bytes);
  void StartCandidate(bool opening_is_text);
  void ReleaseCandidateAsText();
  bool CloseCandidate();
  Candidate ClassifyCandidate() const;
  uint8_t ValidFrameVersion(std::span<const uint8_t> encoded);
  void AppendText(std::span<const uint8_t> text);
  void EmitText(size_t n);
  void AppendPartial(std::span<const uint8_t> bytes);
  void ProcessFrame(std::span<const uint8_t> encoded);
  void ProcessFrameV2(std::span<const uint8_t> encoded);
  void ProcessDecoded(std::span<const uint8_t> payload, uint8_t version);
  void ProcessPayload(std::span<const uint8_t> payload, uint8_t version);
  bool TrackSeq(uint32_t seq);
  void Emit(const RecordHeader& header, std::span<const uint8_t> payload);

  RecordHandler& handler_;
  DecoderStats stats_;
  RecordScratch scratch_;
  Record record_;
  std::array<uint8_t, kMaxEncodedFrameV2> partial_{};
  size_t partial_len_ = 0;
  bool discarding_ = false;  ///< Skipping bytes up to the next 0x00.
  std::array<uint8_t, kMaxEncodedFrameV2> payload_{};
  bool have_seq_ = false;
  uint32_t last_seq_ = 0;
  bool pending_reset_ = false;
  // Before the version is known:
  std::vector<uint8_t> held_;
  size_t held_scanned_ = 0;  ///< Start of the first segment of held_ not yet checked.
  bool joined_ = false;      ///< Resync() was called before the version was known.
  // v2: console text and frames.
  bool in_candidate_ = true;      ///< After a 0x00 that may open a frame (else: console text).
  bool opening_is_text_ = false;  ///< That 0x00 is a console byte if no frame follows.
  Candidate candidate_ = Candidate::kUndetermined;
  bool v2_seen_ = false;       ///< A valid v2 frame was seen (v1 frames are then never looked for).
  std::vector<uint8_t> text_;  ///< Console text not handed on yet.
  ConsoleTally console_tally_;  ///< Feeds stats_.console_bytes and console_lines.
};

}  // namespace tockctl::tracer
