// The live text view: one aligned line per record.
#pragma once

#include <string>

#include "tracer/trace_context.h"
#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Appends the text line of `record` (ending in '\n') to `out`. Columns: device time in seconds
/// (or raw ticks with a "t" suffix before the first HELLO), kind, who (processes, service,
/// interface), size in bytes, details. `width` 0 gives the full layout (files, pipes: stable);
/// otherwise narrower columns, and the line is cut to `width` columns with a final "…".
void AppendRecordText(const Record& record, const RecordInfo& info, const TraceContext& context,
                      std::string& out, size_t width = 0);

/// The column header matching AppendRecordText with the same `width`, ending in '\n'.
std::string TextHeader(size_t width = 0);

/// Cuts `line` (no '\n') to at most `width` columns (UTF-8 code points), ending a cut line in "…".
void FitWidth(std::string& line, size_t width);

/// Seconds with microseconds: 1234567890 ns -> "1.234567".
std::string FormatSeconds(uint64_t ns);
/// A duration in the most readable unit: "850 ns", "12.3 us", "4.56 ms", "1.20 s".
std::string FormatDuration(uint64_t ns);

}  // namespace tockctl::tracer
