// Outputs of a trace session: the text view, JSON Lines, and pcapng capture files.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "tracer/pcapng_writer.h"
#include "tracer/trace_context.h"
#include "tracer/trace_decoder.h"
#include "tracer/trace_statistics.h"

namespace tockctl::tracer {

/// A change of the link state reported by the byte source.
struct LinkEvent {
  enum class Kind {
    kConnected,     ///< The device appeared for the first time (a source started with --wait).
    kDisconnected,  ///< The device went away.
    kReconnected,   ///< The device came back after kDisconnected.
  };
  Kind kind = Kind::kDisconnected;
  std::string detail;  ///< The source's own words ("USB device unplugged").
  int64_t host_ns = 0;
};

/// The statistics a sink can report.
struct StatsView {
  const DecoderStats& decoder;
  const TraceStatistics& statistics;
  const TraceContext& context;
};

/// Receives what a trace session produces. Only records that pass the filters arrive here.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  /// One record; valid only during the call.
  virtual void OnRecord(const Record& record, const RecordInfo& info,
                        const TraceContext& context) = 0;
  /// Console text from the device (protocol v2), in order with the records; `text` is a piece
  /// that ends at a line end, a frame, or after waiting (a prompt). Valid only during the call.
  virtual void OnConsole(std::span<const uint8_t> text, int64_t host_ns) {
    (void)text;
    (void)host_ns;
  }
  /// The device went away or came back.
  virtual void OnLinkEvent(const LinkEvent& event) { (void)event; }
  /// A one-line message for the user about the stream itself (the "nothing decodes" hint).
  virtual void OnNotice(const std::string& message) { (void)message; }
  /// The session is over; called once, before the last Flush().
  virtual void OnEnd() {}
  /// A statistics report was requested (--stats interval or end of the trace).
  virtual void OnStats(const StatsView& stats) { (void)stats; }
  /// Writes anything buffered; called after every batch of input.
  virtual void Flush() {}
};

/// The live text view: records on `out`, link events and statistics on `messages`. Either may be
/// null to leave that part out (no record view with -w alone; nothing on stderr with -q). `width`
/// is the terminal's width (records fit it, one line each), 0 when `out` is not a terminal.
class TextSink : public TraceSink {
 public:
  TextSink(std::FILE* out, std::FILE* messages, bool header = true, size_t width = 0);
  void OnRecord(const Record& record, const RecordInfo& info, const TraceContext& context) override;
  void OnConsole(std::span<const uint8_t> text, int64_t host_ns) override;
  void OnLinkEvent(const LinkEvent& event) override;
  void OnNotice(const std::string& message) override;
  void OnStats(const StatsView& stats) override;
  void OnEnd() override;
  void Flush() override;

 private:
  void EndConsoleLine();

  std::FILE* out_;
  std::FILE* messages_;
  bool header_pending_;
  size_t width_;
  bool console_line_open_ = false;  ///< A console line was started and has no line end yet.
  std::string buffer_;
};

/// JSON Lines: records, console text ({"type":"console",...}), link events ({"type":"status",...})
/// and statistics ({"type":"stats",...}) in one stream on `out`; notices on `messages` (may be
/// null).
class JsonSink : public TraceSink {
 public:
  explicit JsonSink(std::FILE* out, std::FILE* messages = nullptr);
  void OnRecord(const Record& record, const RecordInfo& info, const TraceContext& context) override;
  void OnConsole(std::span<const uint8_t> text, int64_t host_ns) override;
  void OnLinkEvent(const LinkEvent& event) override;
  void OnNotice(const std::string& message) override;
  void OnStats(const StatsView& stats) override;
  void Flush() override;

 private:
  std::FILE* out_;
  std::FILE* messages_;
  std::string buffer_;
};

/// pcapng capture: one interface per device interface announced in HELLO (its own link type) and
/// one LINKTYPE_USER0 interface carrying every other record's raw header+body. Frames carry a
/// comment with their record's seq and device time.
class PcapngSink : public TraceSink {
 public:
  static constexpr uint16_t kLinktypeUser0 = 147;
  static constexpr uint16_t kLinktypeUser1 = 148;

  /// Adds the USER0 interface to `writer` right away so the file is valid from the start.
  explicit PcapngSink(PcapngWriter& writer);
  void OnRecord(const Record& record, const RecordInfo& info, const TraceContext& context) override;
  /// Writes the text as a packet on a LINKTYPE_USER1 interface named "tock-console".
  void OnConsole(std::span<const uint8_t> text, int64_t host_ns) override;
  void Flush() override;

 private:
  void SyncInterfaces(const TraceContext& context);

  PcapngWriter& writer_;
  uint32_t user_iface_ = 0;
  std::optional<uint32_t> console_iface_;  ///< Added with the first console text.
  uint64_t seen_generation_ = 0;
  struct Mapped {
    InterfaceEntry entry;
    uint32_t pcapng_id = 0;
  };
  std::map<uint8_t, Mapped> mapped_;  ///< Device iface_id -> its current pcapng interface.
  std::string comment_;
};

/// The pcap LINKTYPE for a HELLO interface: its announced linktype, else one derived from its kind.
uint16_t LinktypeFor(const InterfaceEntry& entry);

}  // namespace tockctl::tracer
