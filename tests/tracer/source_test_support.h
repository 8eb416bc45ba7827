// Shared pieces of the trace source tests: a scripted ByteSource, read loops.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tracer/byte_source.h"

namespace tockctl::tracer::testing {

/// Reads into a vector until `want` bytes arrived or `limit` passes; statuses other than kData and
/// kTimeout stop the loop and are returned.
struct Collected {
  std::vector<uint8_t> bytes;
  std::vector<ReadResult> events;  ///< Non-data, non-timeout results in order.
};
Collected ReadUntil(ByteSource& source, size_t want, std::chrono::milliseconds limit,
                    size_t chunk = 4096);

/// Reads until a result with `status` arrives (returned), or fails the test after `limit`.
/// Data read on the way is appended to `data` when given.
ReadResult WaitForStatus(ByteSource& source, ReadStatus status, std::chrono::milliseconds limit,
                         std::vector<uint8_t>* data = nullptr);

/// `n` bytes counting 0,1,2,...,255,0,... starting at `first`.
std::vector<uint8_t> CountingBytes(size_t n, uint8_t first = 0);

/// Name of a status for messages ("kDisconnected").
const char* StatusName(ReadStatus status);

/// A null spdlog logger for sources under test (set TOCKCTL_TEST_LOG=1 to see output on stderr).
std::shared_ptr<spdlog::logger> TestLogger();

}  // namespace tockctl::tracer::testing
