#include "tracer/serial_source.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "tracer/source_errors.h"

namespace tockctl::tracer {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

SerialSource::SerialSource(SerialOptions options, std::shared_ptr<spdlog::logger> log,
                           std::shared_ptr<SourceClock> clock)
    : options_(std::move(options)),
      log_(std::move(log)),
      schedule_(options_.reconnect_interval, std::move(clock)),
      current_path_(options_.path) {
  SerialOpenAttempt attempt =
      OpenSerialPort(options_.path, options_.baud, options_.lock_dir, *log_);
  if (attempt.port) {
    Adopt(std::move(attempt.port));
    return;
  }
  if (!(attempt.absent && options_.wait_for_device)) throw *attempt.error;
  log_->info("waiting for serial port {} to appear", options_.path.string());
}

ReadResult SerialSource::Read(std::span<uint8_t> buf, milliseconds timeout) {
  if (ended_) return {ReadStatus::kEnd, 0, end_detail_};
  if (port_) return ReadOpenPort(buf, timeout);
  return TryToReturn(schedule_.clock().Now() + timeout);
}

ReadResult SerialSource::ReadOpenPort(std::span<uint8_t> buf, milliseconds timeout) {
  pollfd pfd{port_->fd(), POLLIN, 0};
  int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(timeout.count(), INT32_MAX)));
  if (ready < 0 && errno != EINTR) return Lost("poll failed: " + ErrnoText(errno));
  if (ready <= 0) {
    std::string vanished = PathVanishedReason();
    if (!vanished.empty()) return Lost(vanished);
    return {ReadStatus::kTimeout, 0, {}};
  }
  if (pfd.revents & POLLNVAL) return Lost("the port was closed");
  ssize_t n = ::read(port_->fd(), buf.data(), buf.size());
  if (n > 0) return {ReadStatus::kData, static_cast<size_t>(n), {}};
  if (n == 0) return Lost("the line hung up");
  if (errno == EAGAIN || errno == EINTR) return {ReadStatus::kTimeout, 0, {}};
  return Lost("read failed: " + ErrnoText(errno));
}

// Why the open port's path no longer leads to it, or empty if it still does.
std::string SerialSource::PathVanishedReason() const {
  struct stat st {};
  if (::stat(current_path_.c_str(), &st) != 0) {
    return errno == ENOENT ? current_path_.string() + " vanished"
                           : "cannot check " + current_path_.string() + ": " + ErrnoText(errno);
  }
  if (st.st_rdev != port_->device()) return current_path_.string() + " now names another device";
  return {};
}

ReadResult SerialSource::Lost(const std::string& why) {
  port_.reset();
  std::string gone = "serial port " + current_path_.string() + " disappeared (" + why + ")";
  if (!options_.reconnect) {
    ended_ = true;
    end_detail_ = gone;
    log_->warn("{}", gone);
    return {ReadStatus::kEnd, 0, gone};
  }
  schedule_.Attempted();
  log_->warn("{}; waiting for it to come back", gone);
  return {ReadStatus::kDisconnected, 0, gone + "; waiting for it to come back"};
}

ReadResult SerialSource::TryToReturn(SourceClock::TimePoint deadline) {
  while (schedule_.WaitUntilDue(deadline)) {
    schedule_.Attempted();
    std::optional<fs::path> path = ReturningPath();
    if (!path) continue;
    SerialOpenAttempt attempt = OpenSerialPort(*path, options_.baud, options_.lock_dir, *log_);
    if (!attempt.port) {
      log_->debug("serial port not back yet: {}", attempt.error->Describe());
      continue;
    }
    fs::path before = current_path_;
    bool first = !was_open_;
    Adopt(std::move(attempt.port));
    std::string detail = "serial port " + before.string() + (first ? " appeared" : " is back");
    if (current_path_ != before) detail += " as " + current_path_.string();
    log_->info("{}", detail);
    return {ReadStatus::kReconnected, 0, detail};
  }
  return {ReadStatus::kTimeout, 0, {}};
}

// Where the device is now: found by USB serial number when it has one (it may have been renamed,
// and another device may have taken its old name), otherwise the configured path.
std::optional<fs::path> SerialSource::ReturningPath() const {
  if (!identity_) return options_.path;
  std::optional<std::string> name = FindTtyByUsbIdentity(options_.sysfs_root, *identity_);
  if (!name) return std::nullopt;
  if (TtyNameOf(options_.sysfs_root, options_.path) == *name) return options_.path;
  return options_.dev_dir / *name;
}

void SerialSource::Adopt(std::unique_ptr<SerialPort> port) {
  port_ = std::move(port);
  was_open_ = true;
  current_path_ = port_->path();
  std::string name = TtyNameOf(options_.sysfs_root, current_path_);
  if (auto id = LookUpTtyUsbIdentity(options_.sysfs_root, name)) identity_ = id;
  if (identity_) {
    log_->debug("serial port {} is USB {}:{} serial {} interface {}", current_path_.string(),
                identity_->vendor_id, identity_->product_id, identity_->serial,
                identity_->interface_number);
  }
}

std::string SerialSource::Describe() const {
  return "serial " + current_path_.string() + " @" + std::to_string(options_.baud);
}

}  // namespace tockctl::tracer
