// Fuzz target trace_frame: the trace decoder (COBS deframing, CRC-32C, sequence tracking, record
// parsing) on arbitrary bytes, and the formatting of every record it emits. Checks:
//  * every counter equals what a literal transcription of the spec's receiver algorithm
//    (trace_reference.h) counts, and the emitted records are exactly the CRC-valid version-1
//    frames of a known type minus the malformed ones: no record from a corrupt frame;
//  * feeding the same bytes in random pieces gives the same records, seq resets and counters;
//  * each record's JSON line parses as JSON and names its type; each text line is one line of
//    printable text; the statistics render as text and JSON.
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/trace_reference.h"
#include "tracer/json_lines.h"
#include "tracer/record_parser.h"
#include "tracer/text_view.h"
#include "tracer/trace_context.h"
#include "tracer/trace_decoder.h"
#include "tracer/trace_statistics.h"

namespace tockctl::fuzz {
namespace {
namespace TOCKCTL_UNITY_ID {

using tracer::Record;

struct Emitted {
  std::vector<uint8_t> raw;
  bool seq_reset = false;
};

// Keeps a copy of every record and, if `render` is set, formats it every way tockctl does.
class Recorder : public tracer::RecordHandler {
 public:
  explicit Recorder(bool render) : render_(render) {}

  void OnRecord(const Record& record, bool seq_reset) override {
    FUZZ_CHECK(record.raw.size() >= tracer::kHeaderSize);
    FUZZ_CHECK(record.raw.size() <= tracer::kMaxPayload - tracer::kCrcSize);
    FUZZ_CHECK(record.header.version == tracer::kProtocolVersion ||
               record.header.version == tracer::kProtocolVersion1);
    FUZZ_CHECK(tracer::RecordTypeIndex(static_cast<uint8_t>(record.header.type)) >= 0);
    FUZZ_CHECK(tracer::ParseHeader(record.raw).seq == record.header.seq);
    emitted.push_back({{record.raw.begin(), record.raw.end()}, seq_reset});
    if (record.header.type == tracer::RecordType::kOverflow)
      dropped += std::get<tracer::Overflow>(record.body).dropped;
    if (render_) Render(record, seq_reset);
  }

  std::vector<Emitted> emitted;
  uint64_t dropped = 0;
  tracer::TraceContext context;
  tracer::TraceStatistics statistics;

 private:
  void Render(const Record& record, bool seq_reset) {
    line_.clear();
    tracer::AppendRecordJson(record, line_);
    FUZZ_CHECK(nlohmann::json::accept(line_));  // no DOM: this runs for every record
    const std::string type = std::string(R"("type":")") +
                             tracer::RecordTypeName(static_cast<uint8_t>(record.header.type));
    FUZZ_CHECK(line_.find(type + '"') != std::string::npos);
    FUZZ_CHECK(line_.find('\n') == line_.size() - 1);

    host_ns_ += 1000;
    const tracer::RecordInfo info = context.Observe(record, seq_reset, host_ns_);
    line_.clear();
    tracer::AppendRecordText(record, info, context, line_);
    FUZZ_CHECK(!line_.empty() && line_.back() == '\n');
    for (size_t i = 0; i + 1 < line_.size(); ++i) {
      const auto c = static_cast<unsigned char>(line_[i]);
      FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    }
    statistics.Add(record, info);
  }

  bool render_;
  std::string line_;
  int64_t host_ns_ = 1'700'000'000'000'000'000;
};

bool SameCounters(const tracer::DecoderStats& a, const tracer::DecoderStats& b) {
  return a.bytes == b.bytes && a.frames == b.frames && a.records == b.records &&
         a.by_type == b.by_type && a.gap == b.gap && a.corrupt == b.corrupt &&
         a.corrupt_cobs == b.corrupt_cobs && a.corrupt_length == b.corrupt_length &&
         a.corrupt_crc == b.corrupt_crc && a.truncated_at_end == b.truncated_at_end &&
         a.oversize == b.oversize && a.malformed == b.malformed &&
         a.unknown_type == b.unknown_type && a.unknown_by_type == b.unknown_by_type &&
         a.other_version == b.other_version && a.device_dropped == b.device_dropped &&
         a.seq_reset == b.seq_reset && a.version == b.version &&
         a.console_bytes == b.console_bytes && a.console_lines == b.console_lines;
}

// The decoder's counters against the reference receiver's, and the records against its payloads.
void CompareWithReference(const tracer::DecoderStats& s, const Recorder& got,
                          const ReferenceResult& want) {
  FUZZ_CHECK(s.frames == want.frames);
  FUZZ_CHECK(s.corrupt_cobs == want.corrupt_cobs);
  FUZZ_CHECK(s.corrupt_length == want.corrupt_length);
  FUZZ_CHECK(s.corrupt_crc == want.corrupt_crc);
  FUZZ_CHECK(s.truncated_at_end == want.truncated_at_end);
  FUZZ_CHECK(s.corrupt == s.corrupt_cobs + s.corrupt_length + s.corrupt_crc + s.truncated_at_end);
  FUZZ_CHECK(s.oversize == want.oversize);
  FUZZ_CHECK(s.other_version == want.other_version);
  FUZZ_CHECK(s.gap == want.gap);
  FUZZ_CHECK(s.seq_reset == want.seq_reset);
  FUZZ_CHECK(s.records == got.emitted.size());
  FUZZ_CHECK(std::accumulate(s.by_type.begin(), s.by_type.end(), uint64_t{0}) == s.records);
  FUZZ_CHECK(std::accumulate(s.unknown_by_type.begin(), s.unknown_by_type.end(), uint64_t{0}) ==
             s.unknown_type);
  FUZZ_CHECK(s.device_dropped == got.dropped);
  FUZZ_CHECK(s.records + s.malformed + s.unknown_type == want.v1_payloads.size());

  // Emitted records are the CRC-valid v1 frames of known types, in order, minus malformed ones;
  // a seq reset on a skipped frame is reported on the next record.
  uint64_t unknown = 0;
  bool pending_reset = false;
  size_t next = 0;
  for (const auto& p : want.v1_payloads) {
    pending_reset |= p.seq_reset;
    if (tracer::RecordTypeIndex(p.bytes[1]) < 0) {
      ++unknown;
      continue;
    }
    if (next < got.emitted.size() && got.emitted[next].raw == p.bytes) {
      FUZZ_CHECK(got.emitted[next].seq_reset == pending_reset);
      pending_reset = false;
      ++next;
    }
  }
  FUZZ_CHECK(next == got.emitted.size());
  FUZZ_CHECK(unknown == s.unknown_type);
}

void CheckStatisticsRender(const Recorder& r, const tracer::DecoderStats& stats) {
  const std::string text = r.statistics.RenderText(stats, r.context);
  for (unsigned char c : text) FUZZ_CHECK(c == '\n' || (c >= 0x20 && c != 0x7F));
  const auto json = r.statistics.RenderJson(stats, r.context);
  const std::string dumped =
      json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  FUZZ_CHECK(nlohmann::json::accept(dumped));
}

TOCKCTL_FUZZ_TARGET(trace_frame) {
  using namespace tockctl;
  std::span<const uint8_t> bytes(data, size);

  Recorder whole(/*render=*/true);
  tracer::TraceDecoder decoder(whole);
  decoder.Feed(bytes);
  decoder.Finish();
  FUZZ_CHECK(decoder.stats().bytes == size);
  // The reference receiver is v1's; a stream recognised as v2 (console text) is checked by the
  // split comparison below and the console byte count.
  if (decoder.stats().version == tracer::kProtocolVersion1) {
    CompareWithReference(decoder.stats(), whole, ReferenceReceiver().Run(bytes));
  }
  FUZZ_CHECK(decoder.stats().console_bytes <= size);
  CheckStatisticsRender(whole, decoder.stats());

  Recorder pieces(/*render=*/false);
  tracer::TraceDecoder split(pieces);
  Xorshift rng(bytes);
  for (size_t at = 0; at < size;) {
    const size_t n = std::min(size - at, rng.Next() % 4 == 0 ? rng.Size(4096) : rng.Size(48));
    split.Feed(bytes.subspan(at, n));
    at += n;
  }
  split.Finish();
  FUZZ_CHECK(SameCounters(decoder.stats(), split.stats()));
  FUZZ_CHECK(pieces.emitted.size() == whole.emitted.size());
  for (size_t i = 0; i < whole.emitted.size(); ++i) {
    FUZZ_CHECK(pieces.emitted[i].raw == whole.emitted[i].raw);
    FUZZ_CHECK(pieces.emitted[i].seq_reset == whole.emitted[i].seq_reset);
  }
  return 0;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::fuzz
