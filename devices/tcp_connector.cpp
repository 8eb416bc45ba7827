#include "devices/tcp_connector.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "devices/device_context.h"

namespace tockctl::devices {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

namespace {

Error EndpointUsage(std::string_view text, const std::string& what) {
  return Error(ErrorCategory::kUsage, "invalid TCP endpoint '" + std::string(text) + "': " + what,
               {}, "expected HOST:PORT, e.g. 127.0.0.1:4444, localhost:4444 or [::1]:4444");
}

uint16_t ParsePort(std::string_view text, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty()) throw EndpointUsage(text, "the port is missing");
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    throw EndpointUsage(text, "the port must be a number from 1 to 65535");
  }
  return static_cast<uint16_t>(value);
}

int PollMs(Steady::time_point deadline) {
  auto left = std::chrono::ceil<milliseconds>(deadline - Steady::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, INT32_MAX));
}

}  // namespace

std::string TcpEndpoint::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

TcpEndpoint ParseTcpEndpoint(std::string_view text) {
  TcpEndpoint out;
  size_t colon = 0;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) throw EndpointUsage(text, "missing ']'");
    out.host = std::string(text.substr(1, close - 1));
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      throw EndpointUsage(text, "the port is missing");
    }
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos) throw EndpointUsage(text, "the port is missing");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      throw EndpointUsage(text, "write IPv6 addresses in brackets, e.g. [::1]:4444");
    }
  }
  if (out.host.empty()) throw EndpointUsage(text, "the host is missing");
  out.port = ParsePort(text, text.substr(colon + 1));
  return out;
}

TcpConnector::TcpConnector(TcpEndpoint endpoint, milliseconds attempt_timeout)
    : endpoint_(std::move(endpoint)), attempt_timeout_(attempt_timeout) {}

void TcpConnector::Start() {
  active_ = true;
  failure_.reset();
  addresses_.clear();
  next_address_ = 0;
  last_errno_ = 0;
  refused_ = false;
  socket_.Reset();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc =
      ::getaddrinfo(endpoint_.host.c_str(), std::to_string(endpoint_.port).c_str(), &hints, &found);
  if (rc != 0) {
    Fail(Error(ErrorCategory::kTransport,
               "cannot resolve host '" + endpoint_.host + "': " + ::gai_strerror(rc),
               DeviceContext(endpoint_.ToString(), "resolve")),
         rc == EAI_AGAIN);
    return;
  }
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    Address address{};
    std::memcpy(&address.storage, a->ai_addr, a->ai_addrlen);
    address.length = a->ai_addrlen;
    address.family = a->ai_family;
    addresses_.push_back(address);
  }
  ::freeaddrinfo(found);
  if (!StartNextAddress()) FailAfterAllAddresses();
}

// Starts a non-blocking connect to the next address; false when none is left.
bool TcpConnector::StartNextAddress() {
  while (next_address_ < addresses_.size()) {
    const Address& a = addresses_[next_address_++];
    socket_ = UniqueFd(::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket_.valid()) {
      last_errno_ = errno;
      continue;
    }
    attempt_deadline_ = Steady::now() + attempt_timeout_;
    if (::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) == 0 ||
        errno == EINPROGRESS) {
      return true;
    }
    last_errno_ = errno;
    refused_ = refused_ || errno == ECONNREFUSED;
    socket_.Reset();
  }
  return false;
}

TcpConnector::Progress TcpConnector::Advance(TimePoint deadline) {
  if (!active_) return failure_ ? Progress::kFailed : Progress::kPending;
  while (socket_.valid()) {
    Progress p = CheckPending(deadline);
    if (p != Progress::kFailed) return p;
    if (!StartNextAddress()) break;
  }
  return FailAfterAllAddresses();
}

// Waits for the current connect to finish; kFailed means "this address failed, try the next".
TcpConnector::Progress TcpConnector::CheckPending(TimePoint deadline) {
  pollfd pfd{socket_.get(), POLLOUT, 0};
  int ready = ::poll(&pfd, 1, PollMs(std::min(deadline, attempt_deadline_)));
  if (ready == 0) {
    if (Steady::now() < attempt_deadline_) return Progress::kPending;
    last_errno_ = ETIMEDOUT;
    socket_.Reset();
    return Progress::kFailed;
  }
  int err = 0;
  socklen_t len = sizeof(err);
  if (ready < 0)
    err = errno;
  else
    ::getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == EINTR) return Progress::kPending;
  if (err == 0) {
    active_ = false;
    return Progress::kConnected;
  }
  last_errno_ = err;
  refused_ = refused_ || err == ECONNREFUSED;
  socket_.Reset();
  return Progress::kFailed;
}

TcpConnector::Progress TcpConnector::FailAfterAllAddresses() {
  std::string where = endpoint_.ToString();
  std::string prefix = "cannot connect to " + where + ": ";
  ErrorContext ctx = DeviceContext(where, "connect");
  if (refused_) {
    return Fail(
        Error(ErrorCategory::kTransport, prefix + "connection refused", ctx,
              "check that the server (QEMU, a gdb server) is running and listening on " + where),
        true);
  }
  if (last_errno_ == ETIMEDOUT) {
    return Fail(
        Error(ErrorCategory::kTransport,
              prefix + "no answer within " + std::to_string(attempt_timeout_.count()) + " ms", ctx,
              "check the host and port"),
        true);
  }
  bool transient = last_errno_ == ENETUNREACH || last_errno_ == EHOSTUNREACH;
  return Fail(Error(ErrorCategory::kTransport, prefix + ErrnoText(last_errno_), ctx), transient);
}

TcpConnector::Progress TcpConnector::Fail(Error error, bool retryable) {
  active_ = false;
  socket_.Reset();
  failure_ = std::move(error);
  retryable_ = retryable;
  return Progress::kFailed;
}

UniqueFd ConnectTcpWithin(const TcpEndpoint& endpoint, milliseconds timeout,
                          std::optional<Error>* error) {
  TcpConnector connector(endpoint, timeout);
  connector.Start();
  auto deadline = Steady::now() + timeout;
  TcpConnector::Progress progress = connector.Advance(deadline);
  while (progress == TcpConnector::Progress::kPending && Steady::now() < deadline) {
    progress = connector.Advance(deadline);
  }
  if (progress != TcpConnector::Progress::kConnected) {
    if (error != nullptr && progress == TcpConnector::Progress::kFailed)
      *error = connector.failure();
    if (error != nullptr && progress != TcpConnector::Progress::kFailed) {
      *error = Error(ErrorCategory::kTransport,
                     "cannot connect to " + endpoint.ToString() + ": no answer within " +
                         std::to_string(timeout.count()) + " ms",
                     DeviceContext(endpoint.ToString(), "connect"), "check the host and port");
    }
    return {};
  }
  UniqueFd socket = connector.TakeSocket();
  int one = 1;
  ::setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return socket;
}

SocketRead ReadSocket(int fd, std::span<uint8_t> buf, milliseconds timeout) {
  using Status = SocketRead::Status;
  pollfd pfd{fd, POLLIN, 0};
  int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(timeout.count(), INT32_MAX)));
  if (ready <= 0) {
    if (ready < 0 && errno != EINTR)
      return {Status::kClosed, 0, "poll failed: " + ErrnoText(errno)};
    return {};
  }
  ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
  if (n > 0) return {Status::kData, static_cast<size_t>(n), {}};
  if (n == 0) return {Status::kClosed, 0, "the peer closed the connection"};
  if (errno == EAGAIN || errno == EINTR) return {};
  return {Status::kClosed, 0, ErrnoText(errno)};
}

void WriteSocket(int fd, std::span<const uint8_t> bytes, const std::string& where,
                 milliseconds timeout) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      throw Error(ErrorCategory::kTransport, "link failed: " + ErrnoText(errno),
                  DeviceContext(where, "write"));
    }
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 0) {
      throw Error(ErrorCategory::kTransport, "timed out sending data",
                  DeviceContext(where, "write"));
    }
  }
}

uint16_t PickFreeLocalPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto fail = [](const std::string& what) {
    return Error(ErrorCategory::kTransport, what + ErrnoText(errno),
                 DeviceContext("127.0.0.1", {}));
  };
  if (!fd.valid()) throw fail("cannot create a socket: ");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw fail("cannot bind a local port: ");
  }
  return ntohs(addr.sin_port);
}

}  // namespace tockctl::devices
