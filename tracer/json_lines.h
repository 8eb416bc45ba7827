// The JSON Lines form of records (docs/trace-protocol.md section 6), byte for byte.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Appends the JSON line of `record` (ending in '\n') to `out`.
void AppendRecordJson(const Record& record, std::string& out);

/// Appends the JSON line of a piece of console text (ending in '\n'):
/// {"type":"console","text":"..."}, plus "data" (the bytes in lowercase hex) when the text is not
/// valid UTF-8, so that the exact bytes can always be recovered (spec section 6.1).
void AppendConsoleJson(std::span<const uint8_t> text, std::string& out);

/// True if `text` is valid UTF-8.
bool IsValidUtf8(std::string_view text);

/// Appends `text` as a JSON string literal with the spec's escaping; invalid UTF-8 becomes U+FFFD
/// per maximal invalid subsequence.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace tockctl::tracer
