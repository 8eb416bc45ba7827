#include "tracer/tcp_source.h"

#include <sys/socket.h>

#include <cerrno>

#include "devices/device_context.h"

namespace tockctl::tracer {

using std::chrono::milliseconds;

TcpSource::TcpSource(TcpOptions options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      log_(std::move(log)),
      connector_(options_.endpoint, options_.connect_timeout),
      schedule_(options_.reconnect_interval, SystemClock()) {
  connector_.Start();
  auto progress = connector_.Advance(schedule_.clock().Now() + options_.connect_timeout);
  if (progress == devices::TcpConnector::Progress::kConnected) {
    Connected(connector_.TakeSocket());
    return;
  }
  if (!options_.wait_for_device || !connector_.retryable()) throw connector_.failure();
  log_->info("waiting for {} to accept connections ({})", options_.endpoint.ToString(),
             connector_.failure().message());
  schedule_.Attempted();
}

ReadResult TcpSource::Read(std::span<uint8_t> buf, milliseconds timeout) {
  if (ended_) return {ReadStatus::kEnd, 0, end_detail_};
  if (socket_.valid()) return ReadConnected(buf, timeout);
  return TryToConnect(schedule_.clock().Now() + timeout);
}

ReadResult TcpSource::ReadConnected(std::span<uint8_t> buf, milliseconds timeout) {
  devices::SocketRead got = devices::ReadSocket(socket_.get(), buf, timeout);
  switch (got.status) {
    case devices::SocketRead::Status::kData:
      return {ReadStatus::kData, got.bytes, {}};
    case devices::SocketRead::Status::kTimeout:
      return {ReadStatus::kTimeout, 0, {}};
    case devices::SocketRead::Status::kClosed:
      break;
  }
  return Lost(got.why);
}

void TcpSource::Write(std::span<const uint8_t> bytes) {
  if (!socket_.valid()) {
    throw Error(ErrorCategory::kTransport, Describe() + " is not connected",
                devices::DeviceContext(options_.endpoint.ToString(), "write"),
                "wait for the link to come back");
  }
  devices::WriteSocket(socket_.get(), bytes, Describe());
}

ReadResult TcpSource::Lost(const std::string& why) {
  socket_.Reset();
  std::string gone = Describe() + ": " + why;
  if (!options_.reconnect) {
    ended_ = true;
    end_detail_ = gone;
    log_->info("{}", gone);
    return {ReadStatus::kEnd, 0, gone};
  }
  schedule_.Attempted();
  log_->warn("{}; reconnecting", gone);
  return {ReadStatus::kDisconnected, 0, gone + "; reconnecting"};
}

// Continues (or starts, once per interval) a connection attempt until `deadline`.
ReadResult TcpSource::TryToConnect(Clock::TimePoint deadline) {
  while (true) {
    if (!connector_.active()) {
      if (!schedule_.WaitUntilDue(deadline)) return {ReadStatus::kTimeout, 0, {}};
      schedule_.Attempted();
      connector_.Start();
    }
    switch (connector_.Advance(deadline)) {
      case devices::TcpConnector::Progress::kConnected:
        return Connected(connector_.TakeSocket());
      case devices::TcpConnector::Progress::kPending:
        return {ReadStatus::kTimeout, 0, {}};
      case devices::TcpConnector::Progress::kFailed:
        log_->debug("{}", connector_.failure().Describe());
        break;
    }
  }
}

ReadResult TcpSource::Connected(devices::UniqueFd socket) {
  socket_ = std::move(socket);
  int on = 1;
  if (::setsockopt(socket_.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0) {
    log_->debug("SO_KEEPALIVE: {}", devices::ErrnoText(errno));
  }
  std::string detail =
      (was_connected_ ? "reconnected to " : "connected to ") + options_.endpoint.ToString();
  was_connected_ = true;
  log_->info("{}", detail);
  return {ReadStatus::kReconnected, 0, detail};
}

std::string TcpSource::Describe() const { return "tcp " + options_.endpoint.ToString(); }

}  // namespace tockctl::tracer
