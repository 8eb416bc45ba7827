#include "tracer/raw_recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.h"
#include "tracer/source_errors.h"

namespace tockctl::tracer {

namespace {

Error ExistsError(const RawRecorderOptions& options) {
  return Error(ErrorCategory::kIo, "refusing to overwrite existing file " + options.path.string(),
               FileContext(options.path.string()),
               "choose another file name for the raw recording, or remove the file first");
}

devices::UniqueFd CreateRecording(const RawRecorderOptions& options) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.overwrite ? O_TRUNC : O_EXCL);
  devices::UniqueFd fd(::open(options.path.c_str(), flags, 0644));
  if (fd.valid()) return fd;
  int err = errno;
  ErrorContext where = FileContext(options.path.string());
  if (err == EEXIST) throw ExistsError(options);
  throw Error(
      ErrorCategory::kIo,
      "cannot create raw recording " + options.path.string() + ": " + devices::ErrnoText(err),
      where);
}

}  // namespace

void CheckRawRecordingTarget(const RawRecorderOptions& options) {
  std::error_code ec;
  if (!options.overwrite && std::filesystem::exists(options.path, ec)) throw ExistsError(options);
}

RawRecorder::RawRecorder(std::unique_ptr<ByteSource> inner, RawRecorderOptions options,
                         std::shared_ptr<spdlog::logger> log)
    : inner_(std::move(inner)), options_(std::move(options)), log_(std::move(log)) {
  fd_ = CreateRecording(options_);
  log_->debug("recording raw trace bytes to {}", options_.path.string());
}

RawRecorder::~RawRecorder() {
  if (::fdatasync(fd_.get()) != 0) {
    log_->warn("cannot sync raw recording {}: {}", options_.path.string(),
               devices::ErrnoText(errno));
  }
}

ReadResult RawRecorder::Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  ReadResult result = inner_->Read(buf, timeout);
  if (result.status == ReadStatus::kData) Append(buf.first(result.bytes));
  return result;
}

void RawRecorder::Append(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw Error(
          ErrorCategory::kIo,
          "cannot write raw recording " + options_.path.string() + ": " + devices::ErrnoText(errno),
          FileContext(options_.path.string(), recorded_));
    }
    recorded_ += static_cast<uint64_t>(n);
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

std::string RawRecorder::Describe() const {
  return inner_->Describe() + ", saving raw bytes to " + options_.path.string();
}

}  // namespace tockctl::tracer
