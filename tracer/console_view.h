// The view of `tockctl console`: the device's console text exactly as it arrives (prompts, echo,
// backspaces and escape sequences reach the terminal untouched), decoded trace records as one
// marked line each in between.
#pragma once

#include <cstdio>
#include <span>
#include <string>

#include "tracer/trace_sink.h"

namespace tockctl::tracer {

/// Marks a record line in the console view.
inline constexpr std::string_view kConsoleRecordMark = "[trace] ";

/// What the console view shows.
struct ConsoleViewOptions {
  bool records = true;      ///< Decoded trace records (off with --no-records).
  bool timestamps = false;  ///< Host time "[HH:MM:SS.mmm] " before each line (--timestamps).
  bool color = false;       ///< Record lines dimmed with ANSI colour (a terminal).
  size_t width = 0;         ///< Terminal columns record lines are fitted to; 0: full layout.
};

/// Console text on `out` byte for byte; records as "[trace] " + the text view's line, starting on
/// a line of their own; link events as "console: ..." lines on `messages` (may be null).
class ConsoleViewSink : public TraceSink {
 public:
  ConsoleViewSink(std::FILE* out, std::FILE* messages, ConsoleViewOptions options);
  void OnRecord(const Record& record, const RecordInfo& info, const TraceContext& context) override;
  void OnConsole(std::span<const uint8_t> text, int64_t host_ns) override;
  void OnLinkEvent(const LinkEvent& event) override;
  void OnNotice(const std::string& message) override;
  void OnEnd() override;
  void Flush() override;

 private:
  void StartLine(int64_t host_ns);

  std::FILE* out_;
  std::FILE* messages_;
  ConsoleViewOptions options_;
  bool line_open_ = false;  ///< Console text without a line end is on the screen.
  std::string buffer_;
};

/// "[HH:MM:SS.mmm] " for `host_ns` (ns since the Unix epoch) in local time.
std::string ConsoleTimestamp(int64_t host_ns);

}  // namespace tockctl::tracer
