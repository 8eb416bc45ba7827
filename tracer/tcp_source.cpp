#include "tracer/tcp_source.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace tockctl::tracer {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TcpSource::TcpSource(TcpOptions options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      log_(std::move(log)),
      connector_(options_.endpoint, options_.connect_timeout),
      schedule_(options_.reconnect_interval, RealSourceClock()) {
  connector_.Start();
  auto progress = connector_.Advance(Clock::now() + options_.connect_timeout);
  if (progress == TcpConnector::Progress::kConnected) {
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
  return TryToConnect(Clock::now() + timeout);
}

ReadResult TcpSource::ReadConnected(std::span<uint8_t> buf, milliseconds timeout) {
  pollfd pfd{socket_.get(), POLLIN, 0};
  int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(timeout.count(), INT32_MAX)));
  if (ready <= 0) {
    if (ready < 0 && errno != EINTR) return Lost("poll failed: " + ErrnoText(errno));
    return {ReadStatus::kTimeout, 0, {}};
  }
  ssize_t n = ::recv(socket_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
  if (n > 0) return {ReadStatus::kData, static_cast<size_t>(n), {}};
  if (n == 0) return Lost("the peer closed the connection");
  if (errno == EAGAIN || errno == EINTR) return {ReadStatus::kTimeout, 0, {}};
  return Lost(ErrnoText(errno));
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
ReadResult TcpSource::TryToConnect(Clock::time_point deadline) {
  while (true) {
    if (!connector_.active()) {
      if (!schedule_.WaitUntilDue(deadline)) return {ReadStatus::kTimeout, 0, {}};
      schedule_.Attempted();
      connector_.Start();
    }
    switch (connector_.Advance(deadline)) {
      case TcpConnector::Progress::kConnected:
        return Connected(connector_.TakeSocket());
      case TcpConnector::Progress::kPending:
        return {ReadStatus::kTimeout, 0, {}};
      case TcpConnector::Progress::kFailed:
        log_->debug("{}", connector_.failure().Describe());
        break;
    }
  }
}

ReadResult TcpSource::Connected(UniqueFd socket) {
  socket_ = std::move(socket);
  int on = 1;
  if (::setsockopt(socket_.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0) {
    log_->debug("SO_KEEPALIVE: {}", ErrnoText(errno));
  }
  std::string detail =
      (was_connected_ ? "reconnected to " : "connected to ") + options_.endpoint.ToString();
  was_connected_ = true;
  log_->info("{}", detail);
  return {ReadStatus::kReconnected, 0, detail};
}

std::string TcpSource::Describe() const { return "tcp " + options_.endpoint.ToString(); }

}  // namespace tockctl::tracer
