// Encodes typed records into wire frames: the inverse of TraceDecoder. Test and benchmark code
// only (library tockctl_trace_encoding): the shipped tockctl decodes traces, it never writes them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Appends the body bytes of `body` (section 5 layout) to `out`. Strings longer than their length
/// prefix allows are cut to fit.
void AppendBody(const RecordBody& body, std::vector<uint8_t>& out);

/// Appends one wire frame to `wire`: for header.version 1 COBS(header || body || CRC-32C) || 0x00,
/// otherwise the v2 form 0x00 || COBS(C0 C1 || header || body || CRC-32C) || 0x00.
void AppendFrame(const RecordHeader& header, std::span<const uint8_t> body,
                 std::vector<uint8_t>& wire);

/// Appends the wire frame of a typed record to `wire`.
void AppendRecordFrame(const RecordHeader& header, const RecordBody& body,
                       std::vector<uint8_t>& wire);

}  // namespace tockctl::tracer
