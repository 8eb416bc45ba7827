#include "tracer/trace_session.h"

#include <vector>

namespace tockctl::tracer {
namespace {

int64_t SecondsToNs(double s) { return static_cast<int64_t>(s * 1e9); }

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
      FlushSinks();
      return *end;
    }
    const ReadResult result = source.Read(buf, options_.poll);
    const bool more =
        HandleRead(result, std::span<const uint8_t>(buf).first(std::min(result.bytes, buf.size())));
    FlushSinks();
    if (!more) return count_reached_ ? SessionEnd::kCount : SessionEnd::kEndOfStream;
  }
}

bool TraceSession::HandleRead(const ReadResult& result, std::span<const uint8_t> bytes) {
  batch_host_ns_ = clock_.WallNs();
  switch (result.status) {
    case ReadStatus::kData:
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
