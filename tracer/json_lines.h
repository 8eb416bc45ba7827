// The JSON Lines form of records (docs/trace-protocol.md section 6), byte for byte.
#pragma once

#include <string>
#include <string_view>

#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Appends the JSON line of `record` (ending in '\n') to `out`.
void AppendRecordJson(const Record& record, std::string& out);

/// Appends `text` as a JSON string literal with the spec's escaping; invalid UTF-8 becomes U+FFFD
/// per maximal invalid subsequence.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace tockctl::tracer
