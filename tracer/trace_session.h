// The trace loop: reads a ByteSource, decodes, filters, and hands records to the sinks until the
// stream ends, a limit is reached, or the caller asks it to stop.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "tracer/byte_source.h"
#include "tracer/record_filter.h"
#include "tracer/trace_context.h"
#include "tracer/trace_decoder.h"
#include "tracer/trace_sink.h"
#include "tracer/trace_statistics.h"

namespace tockctl::tracer {

/// How a session is run.
struct SessionOptions {
  FilterOptions filter;
  std::optional<uint64_t> count;           ///< Stop after this many records reached the outputs.
  std::optional<double> duration_s;        ///< Stop after this many seconds.
  std::optional<double> stats_interval_s;  ///< Report statistics to the sinks this often.
  bool join_mid_stream = false;  ///< Live link: ignore bytes up to the first 0x00 (uncounted).
  /// Live link without reconnect: its end means the device went away; report it as a lost link.
  bool end_is_link_loss = false;
  std::chrono::milliseconds poll{100};  ///< Longest wait in one read (bounds reaction time).
  /// Live link: console text waiting for a line end (or for the bytes that tell it from a frame)
  /// is shown after this long; nullopt (files) shows it at line ends and frames only.
  std::optional<std::chrono::milliseconds> console_latency;
  /// Live link: how long the up to three bytes after a 0x00 may wait to be told from a frame
  /// start before they are shown as console text (a frame stalled that long is broken anyway).
  std::chrono::milliseconds undecided_wait{500};
  /// Bytes without a valid frame after which the "nothing decodes" hint is given (0: never).
  uint64_t hint_after_bytes = 4096;
  size_t read_size = size_t{256} * 1024;  ///< Bytes asked for per read.
};

/// Why a session ended.
enum class SessionEnd {
  kEndOfStream,  ///< The source reported kEnd.
  kCount,        ///< --count records were written.
  kDuration,     ///< --duration elapsed.
  kStopped,      ///< The stop flag was set (Ctrl-C, SIGTERM).
};

/// Runs one trace. Sinks are borrowed and must outlive the session.
class TraceSession {
 public:
  TraceSession(SessionOptions options, const Clock& clock, std::vector<TraceSink*> sinks);

  /// Reads `source` until it ends, a limit is reached, or `stop` becomes true. Errors thrown by
  /// the source (it can never deliver) or a sink (capture file unwritable) propagate.
  SessionEnd Run(ByteSource& source, const std::atomic<bool>& stop);

  /// Sends a statistics report to every sink.
  void ReportStats();

  const DecoderStats& decoder_stats() const { return decoder_.stats(); }
  const TraceStatistics& statistics() const { return statistics_; }
  const TraceContext& context() const { return context_; }
  /// Records that passed the filters and reached the sinks.
  uint64_t written() const { return written_; }
  /// Pieces of console text that passed the filters and reached the sinks (each is one packet
  /// in a capture, one "console" line in JSON Lines).
  uint64_t console_written() const { return console_written_; }

 private:
  class Handler : public RecordHandler {
   public:
    explicit Handler(TraceSession& session) : session_(session) {}
    void OnRecord(const Record& record, bool seq_reset) override;
    void OnConsole(std::span<const uint8_t> text) override;

   private:
    TraceSession& session_;
  };

  void HandleRecord(const Record& record, bool seq_reset);
  void HandleConsole(std::span<const uint8_t> text);
  void CheckConsoleLatency();
  void CheckNothingDecodes(bool at_end);
  std::chrono::milliseconds ReadTimeout() const;
  bool HandleRead(const ReadResult& result, std::span<const uint8_t> buf);
  void HandleLinkEvent(LinkEvent::Kind kind, const std::string& detail);
  std::optional<SessionEnd> CheckLimits(const std::atomic<bool>& stop);
  void FlushSinks();

  SessionOptions options_;
  const Clock& clock_;
  std::vector<TraceSink*> sinks_;
  Handler handler_;
  TraceDecoder decoder_;
  TraceContext context_;
  RecordFilter filter_;
  bool filter_passes_all_;
  TraceStatistics statistics_;
  uint64_t written_ = 0;
  uint64_t console_written_ = 0;
  bool count_reached_ = false;
  bool link_lost_ = false;  ///< A kDisconnected has not been followed by kReconnected yet.
  int64_t batch_host_ns_ = 0;
  int64_t start_ns_ = 0;
  int64_t next_stats_ns_ = 0;
  std::optional<int64_t> console_pending_since_ns_;
  std::optional<int64_t> undecided_since_ns_;
  bool hint_given_ = false;
  std::string sample_;  ///< The first bytes read, for the "nothing decodes" hint.
};

}  // namespace tockctl::tracer
