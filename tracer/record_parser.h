// Parses the header and body of one CRC-checked trace payload into a typed Record.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tracer/trace_record.h"

namespace tockctl::tracer {

/// Outcome of parsing a record body.
enum class BodyStatus {
  kOk,           ///< `out` holds the record.
  kMalformed,    ///< Known type but the body is shorter than its fields.
  kUnknownType,  ///< Type not defined by protocol v1.
};

/// Storage for the variable-length parts of a record (HELLO interfaces, NET_DELIVER pids), reused
/// from record to record so that parsing does not allocate in steady state.
class RecordScratch {
 public:
  RecordScratch();
  std::vector<InterfaceInfo> interfaces;
  std::vector<uint16_t> pids;
};

/// Reads the 16-byte header at the start of `payload`; `payload` must hold at least 16 bytes.
RecordHeader ParseHeader(std::span<const uint8_t> payload);

/// Parses the body of a record of type `type`; the record's spans point into `body` and `scratch`.
BodyStatus ParseBody(uint8_t type, std::span<const uint8_t> body, RecordScratch& scratch,
                     RecordBody& out);

}  // namespace tockctl::tracer
