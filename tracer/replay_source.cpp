#include "tracer/replay_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/error.h"
#include "tracer/source_errors.h"

namespace tockctl::tracer {

namespace {

using std::chrono::microseconds;

Error ReplayFileError(const std::filesystem::path& path, const std::string& why) {
  return Error(ErrorCategory::kIo, "cannot read replay file " + path.string() + ": " + why,
               FileContext(path.string()));
}

devices::UniqueFd OpenReplayFile(const std::filesystem::path& path) {
  devices::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw ReplayFileError(path, devices::ErrnoText(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw ReplayFileError(path, devices::ErrnoText(errno));
  if (S_ISDIR(st.st_mode)) throw ReplayFileError(path, "it is a directory");
  return fd;
}

// Bytes a 8N1 UART at `baud` has sent after `elapsed`.
uint64_t BytesSent(microseconds elapsed, uint32_t baud) {
  return static_cast<uint64_t>(elapsed.count()) * baud / 10 / 1'000'000;
}

// When a 8N1 UART at `baud` finishes sending byte number `count` (1-based).
microseconds TimeToSend(uint64_t count, uint32_t baud) {
  return microseconds((count * 10 * 1'000'000 + baud - 1) / baud);
}

}  // namespace

ReplaySource::ReplaySource(ReplayOptions options, Clock& clock)
    : options_(std::move(options)), clock_(&clock) {
  fd_ = OpenReplayFile(options_.path);
  options_.chunk_size = std::max<size_t>(options_.chunk_size, 1);
}

ReadResult ReplaySource::Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  if (ended_) return {ReadStatus::kEnd, 0, "end of " + Describe()};
  if (!started_) {
    started_ = true;
    start_ = clock_->Now();
  }
  size_t want = std::min(buf.size(), options_.chunk_size);
  if (options_.pace_baud != 0) want = PacedLimit(want, clock_->Now() + timeout);
  if (want == 0) return {ReadStatus::kTimeout, 0, {}};
  ssize_t n = 0;
  do {
    n = ::read(fd_.get(), buf.data(), want);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw ReplayFileError(options_.path, devices::ErrnoText(errno));
  if (n == 0) {
    ended_ = true;
    fd_.Reset();
    return {ReadStatus::kEnd, 0,
            "end of " + Describe() + " (" + std::to_string(delivered_) + " bytes)"};
  }
  delivered_ += static_cast<uint64_t>(n);
  return {ReadStatus::kData, static_cast<size_t>(n), {}};
}

// How many of `wanted` bytes the paced UART has sent by now, waiting until `deadline` for at
// least one.
size_t ReplaySource::PacedLimit(size_t wanted, Clock::TimePoint deadline) {
  auto elapsed = [&] { return std::chrono::duration_cast<microseconds>(clock_->Now() - start_); };
  uint64_t sent = BytesSent(elapsed(), options_.pace_baud);
  if (sent <= delivered_) {
    clock_->SleepUntil(std::min(deadline, start_ + TimeToSend(delivered_ + 1, options_.pace_baud)));
    sent = BytesSent(elapsed(), options_.pace_baud);
    if (sent <= delivered_) return 0;
  }
  return static_cast<size_t>(std::min<uint64_t>(wanted, sent - delivered_));
}

std::string ReplaySource::Describe() const {
  std::string out = "replay " + options_.path.string();
  if (options_.pace_baud != 0) out += " @" + std::to_string(options_.pace_baud);
  return out;
}

}  // namespace tockctl::tracer
