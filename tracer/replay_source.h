// Replays a recorded raw trace stream (e.g. from --save-raw) from a file, in bounded chunks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "common/clock.h"
#include "devices/unique_fd.h"
#include "tracer/byte_source.h"

namespace tockctl::tracer {

/// What to replay and how fast.
struct ReplayOptions {
  std::filesystem::path path;
  /// 0: as fast as the reader asks. Otherwise paced like a UART at this baud rate with 8N1
  /// framing, i.e. baud / 10 bytes per second.
  uint32_t pace_baud = 0;
  /// Largest read from the file at once; memory use never depends on the file's size.
  size_t chunk_size = size_t{64} * 1024;
};

/// A ByteSource reading a file from start to end, then reporting kEnd.
class ReplaySource : public ByteSource {
 public:
  /// Opens the file. Throws Error(kIo) naming it when it is missing, a directory or unreadable.
  explicit ReplaySource(ReplayOptions options, Clock& clock = SystemClock());

  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  std::string Describe() const override;

  /// Bytes delivered so far.
  uint64_t bytes_delivered() const { return delivered_; }

 private:
  size_t PacedLimit(size_t wanted, Clock::TimePoint deadline);

  ReplayOptions options_;
  Clock* clock_;
  devices::UniqueFd fd_;
  uint64_t delivered_ = 0;
  bool started_ = false;
  bool ended_ = false;
  Clock::TimePoint start_{};
};

}  // namespace tockctl::tracer
