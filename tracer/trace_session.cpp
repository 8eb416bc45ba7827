#include "tracer/trace_session.h"

#include <cstdio>
#include <string_view>
#include <vector>

namespace tockctl::tracer {
namespace {

int64_t SecondsToNs(double s) { return static_cast<int64_t>(s * 1e9); }

constexpr size_t kHintSampleBytes = 64;

// `bytes` as a quoted C-style string: printable ASCII as is, \r \n \t, others as \xNN.
std::string QuotedSample(std::string_view bytes) {
  std::string out = "\"";
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

TraceSession::TraceSession(SessionOptions options, const Clock& clock,
                           std::vector<TraceSink*> sinks)
    : options_(std::move(options)),
      clock_(clock),
      sinks_(std::move(sinks)),
      handler_(*this),
      decoder_(handler_),
      filter_(options_.filter),
      filter_passes_all_(filter_.PassesEverything()) {}

void TraceSession::Handler::OnRecord(const Record& record, bool seq_reset) {
  session_.HandleRecord(record, seq_reset);
}

void TraceSession::Handler::OnConsole(std::span<const uint8_t> text) {
  session_.HandleConsole(text);
}

void TraceSession::HandleConsole(std::span<const uint8_t> text) {
  if (count_reached_ || !filter_.PassesConsole()) return;
  statistics_.AddConsole(text);
  for (TraceSink* sink : sinks_) sink->OnConsole(text, batch_host_ns_);
  ++console_written_;
}

void TraceSession::HandleRecord(const Record& record, bool seq_reset) {
  const RecordInfo info = context_.Observe(record, seq_reset, batch_host_ns_);
  if (count_reached_) return;
  if (!filter_passes_all_ && !filter_.Matches(record, context_)) return;
  statistics_.Add(record, info);
  for (TraceSink* sink : sinks_) sink->OnRecord(record, info, context_);
  ++written_;
  if (options_.count && written_ >= *options_.count) count_reached_ = true;
}

SessionEnd TraceSession::Run(ByteSource& source, const std::atomic<bool>& stop) {
  start_ns_ = clock_.MonotonicNs();
  if (options_.stats_interval_s)
    next_stats_ns_ = start_ns_ + SecondsToNs(*options_.stats_interval_s);
  if (options_.join_mid_stream) decoder_.Resync();
  std::vector<uint8_t> buf(options_.read_size);
  for (;;) {
    if (auto end = CheckLimits(stop)) {
      // Text waiting for a line end is shown; the up to three bytes after a 0x00 that were not
      // yet told from a frame start are most likely a frame the limit cut off (spec 2.4).
      decoder_.FlushConsole(/*undecided=*/false);
      for (TraceSink* sink : sinks_) sink->OnEnd();
      FlushSinks();
      return *end;
    }
    const ReadResult result = source.Read(buf, ReadTimeout());
    const bool more =
        HandleRead(result, std::span<const uint8_t>(buf).first(std::min(result.bytes, buf.size())));
    CheckConsoleLatency();
    CheckNothingDecodes(!more);
    if (!more) {
      for (TraceSink* sink : sinks_) sink->OnEnd();
      FlushSinks();
      return count_reached_ ? SessionEnd::kCount : SessionEnd::kEndOfStream;
    }
    FlushSinks();
  }
}

bool TraceSession::HandleRead(const ReadResult& result, std::span<const uint8_t> bytes) {
  batch_host_ns_ = clock_.WallNs();
  switch (result.status) {
    case ReadStatus::kData:
      if (sample_.size() < kHintSampleBytes) {
        sample_.append(reinterpret_cast<const char*>(bytes.data()),
                       std::min(bytes.size(), kHintSampleBytes - sample_.size()));
      }
      decoder_.Feed(bytes);
      return true;
    case ReadStatus::kTimeout:
      return true;
    case ReadStatus::kDisconnected:
      decoder_.Resync();
      statistics_.AddDisconnect();
      link_lost_ = true;
      HandleLinkEvent(LinkEvent::Kind::kDisconnected, result.detail);
      return true;
    case ReadStatus::kReconnected:
      decoder_.Resync();
      if (link_lost_) statistics_.AddReconnect();
      HandleLinkEvent(link_lost_ ? LinkEvent::Kind::kReconnected : LinkEvent::Kind::kConnected,
                      result.detail);
      link_lost_ = false;
      return true;
    case ReadStatus::kEnd:
      if (options_.end_is_link_loss) {
        statistics_.AddDisconnect();
        HandleLinkEvent(LinkEvent::Kind::kDisconnected, result.detail);
      }
      decoder_.Finish();
      return false;
  }
  return false;
}

namespace {

// Tracks since when `pending` has held; true (and forgets it) once that is `wait` ago.
bool Waited(bool pending, std::chrono::milliseconds wait, int64_t now,
            std::optional<int64_t>& since_ns) {
  if (!pending) {
    since_ns.reset();
    return false;
  }
  if (!since_ns) since_ns = now;
  const auto wait_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
  if (now - *since_ns + 1000000 < wait_ns) return false;
  since_ns.reset();
  return true;
}

}  // namespace

std::chrono::milliseconds TraceSession::ReadTimeout() const {
  if (options_.console_latency && decoder_.HasPendingConsole()) {
    return std::min(options_.poll, *options_.console_latency);
  }
  return options_.poll;
}

// Live links: console text that waits for a line end, or for the bytes that tell it from a frame
// start, is shown once it has waited console_latency (a prompt has no line end).
void TraceSession::CheckConsoleLatency() {
  if (!options_.console_latency) return;
  const int64_t now = clock_.MonotonicNs();
  if (Waited(decoder_.HasPendingText(), *options_.console_latency, now,
             console_pending_since_ns_)) {
    decoder_.FlushConsole(/*undecided=*/false);
  }
  if (Waited(decoder_.HasUndecidedBytes(), options_.undecided_wait, now, undecided_since_ns_)) {
    decoder_.FlushConsole(/*undecided=*/true);
  }
}

// Says once when a stretch of bytes held no valid frame at all: a console without a tracer, a
// wrong baud rate, or not a trace stream.
void TraceSession::CheckNothingDecodes(bool at_end) {
  const DecoderStats& d = decoder_.stats();
  if (hint_given_ || d.valid_frames > 0 || d.bytes == 0 || options_.hint_after_bytes == 0) return;
  if (!at_end && d.bytes < options_.hint_after_bytes) return;
  hint_given_ = true;
  const std::string message =
      "no trace frame in the first " + std::to_string(d.bytes) + " bytes (they begin " +
      QuotedSample(sample_) +
      "); likely causes: the device sends console text only (its kernel has no tracer), the baud "
      "rate is wrong (try --baud), or this is not a tockctl trace stream";
  for (TraceSink* sink : sinks_) sink->OnNotice(message);
}

void TraceSession::HandleLinkEvent(LinkEvent::Kind kind, const std::string& detail) {
  LinkEvent event{kind, detail, batch_host_ns_};
  for (TraceSink* sink : sinks_) sink->OnLinkEvent(event);
}

std::optional<SessionEnd> TraceSession::CheckLimits(const std::atomic<bool>& stop) {
  if (stop.load(std::memory_order_relaxed)) return SessionEnd::kStopped;
  if (count_reached_) return SessionEnd::kCount;
  const int64_t now = clock_.MonotonicNs();
  if (options_.duration_s && now - start_ns_ >= SecondsToNs(*options_.duration_s)) {
    return SessionEnd::kDuration;
  }
  if (options_.stats_interval_s && now >= next_stats_ns_) {
    ReportStats();
    next_stats_ns_ = now + SecondsToNs(*options_.stats_interval_s);
  }
  return std::nullopt;
}

void TraceSession::ReportStats() {
  FlushSinks();
  StatsView view{decoder_.stats(), statistics_, context_};
  for (TraceSink* sink : sinks_) sink->OnStats(view);
}

void TraceSession::FlushSinks() {
  for (TraceSink* sink : sinks_) sink->Flush();
}

}  // namespace tockctl::tracer
