// --save-raw: a ByteSource decorator that appends every byte it passes on to a file.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <memory>

#include "devices/unique_fd.h"
#include "tracer/byte_source.h"

namespace tockctl::tracer {

/// Where to record and whether an existing file may be replaced.
struct RawRecorderOptions {
  std::filesystem::path path;
  bool overwrite = false;  ///< Truncate an existing file instead of refusing it.
};

/// Throws the Error RawRecorder would throw for an existing file, without creating anything, so a
/// caller can refuse before opening a device.
void CheckRawRecordingTarget(const RawRecorderOptions& options);

/// Passes reads through from `inner` and writes each chunk of bytes to the file with write(2) as
/// it arrives, so a SIGINT/SIGTERM (or a crash) loses nothing that was already returned.
class RawRecorder : public ByteSource {
 public:
  /// Creates the file. Throws Error(kIo) if it exists (unless options.overwrite) or cannot be
  /// created, naming the path.
  RawRecorder(std::unique_ptr<ByteSource> inner, RawRecorderOptions options,
              std::shared_ptr<spdlog::logger> log);
  /// Syncs the file to disk.
  ~RawRecorder() override;

  /// Reads from the inner source and records the bytes. Throws Error(kIo) if the file cannot be
  /// written (disk full): the recording the user asked for would be incomplete.
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  std::string Describe() const override;
  /// Writes to the inner source (what is sent is not recorded).
  void Write(std::span<const uint8_t> bytes) override { inner_->Write(bytes); }

  /// Bytes written to the file so far.
  uint64_t bytes_recorded() const { return recorded_; }

 private:
  void Append(std::span<const uint8_t> bytes);

  std::unique_ptr<ByteSource> inner_;
  RawRecorderOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  devices::UniqueFd fd_;
  uint64_t recorded_ = 0;
};

}  // namespace tockctl::tracer
