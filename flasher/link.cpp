#include "flasher/link.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace tockctl::flasher {
namespace {

using MonotonicClock = std::chrono::steady_clock;

Error TransportError(const std::string& device, const std::string& message,
                     const std::string& operation = {}, const std::string& hint = {}) {
  ErrorContext ctx;
  ctx.device = device;
  ctx.operation = operation;
  return Error(ErrorCategory::kTransport, message, ctx, hint);
}

// A link over one file descriptor (socket or tty); closes it on destruction.
class FdLink : public Link {
 public:
  FdLink(int fd, std::string description, bool is_socket)
      : fd_(fd), description_(std::move(description)), is_socket_(is_socket) {}
  ~FdLink() override { ::close(fd_); }
  FdLink(const FdLink&) = delete;
  FdLink& operator=(const FdLink&) = delete;

  void Write(std::span<const uint8_t> data) override;
  size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) override;
  std::string Describe() const override { return description_; }

 private:
  bool WaitFor(short events, std::chrono::milliseconds timeout);

  int fd_;
  std::string description_;
  bool is_socket_;
};

bool FdLink::WaitFor(short events, std::chrono::milliseconds timeout) {
  pollfd p{fd_, events, 0};
  auto deadline = MonotonicClock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - MonotonicClock::now());
    int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR)
      throw TransportError(description_, std::string("poll failed: ") + strerror(errno));
  }
}

void FdLink::Write(std::span<const uint8_t> data) {
  constexpr auto kWriteTimeout = std::chrono::seconds(10);
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = is_socket_ ? ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL)
                           : ::write(fd_, data.data() + sent, data.size() - sent);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(POLLOUT, kWriteTimeout))
        throw TransportError(description_, "timed out sending data", "write");
    } else if (n < 0 && errno != EINTR) {
      throw TransportError(description_, std::string("link failed: ") + strerror(errno), "write");
    }
  }
}

size_t FdLink::Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) {
  if (!WaitFor(POLLIN, timeout)) return 0;
  for (;;) {
    ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) throw TransportError(description_, "the peer closed the connection", "read");
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR)
      throw TransportError(description_, std::string("link failed: ") + strerror(errno), "read");
  }
}

int ConnectOne(const addrinfo* ai, std::chrono::milliseconds timeout, int& error) {
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) {
    error = errno;
    return -1;
  }
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = errno;
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  socklen_t len = sizeof error;
  if (r <= 0) {
    error = r == 0 ? ETIMEDOUT : errno;
  } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
    error = errno;
  }
  if (error != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

speed_t BaudConstant(uint32_t baud) {
  switch (baud) {
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    case 921600:
      return B921600;
    case 1000000:
      return B1000000;
    default:
      return B115200;
  }
}

}  // namespace

HostPort ParseHostPort(const std::string& text) {
  auto bad = [&] {
    return Error(ErrorCategory::kUsage, "`" + text + "` is not HOST:PORT", ErrorContext{},
                 "write it like 127.0.0.1:1234 or [::1]:1234");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) throw bad();
  HostPort hp;
  hp.host = text.substr(0, colon);
  if (hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  std::string port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) throw bad();
  unsigned long v = std::stoul(port);
  if (v == 0 || v > 65535) throw bad();
  hp.port = static_cast<uint16_t>(v);
  return hp;
}

std::unique_ptr<Link> TryConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout,
                                    std::string* error_text) {
  HostPort hp = ParseHostPort(host_port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = ::getaddrinfo(hp.host.c_str(), std::to_string(hp.port).c_str(), &hints, &result);
  if (rc != 0) {
    if (error_text) *error_text = "cannot resolve " + hp.host + ": " + gai_strerror(rc);
    return nullptr;
  }
  int error = 0;
  int fd = -1;
  for (addrinfo* ai = result; ai && fd < 0; ai = ai->ai_next) fd = ConnectOne(ai, timeout, error);
  ::freeaddrinfo(result);
  if (fd < 0) {
    if (error_text) *error_text = std::string("cannot connect: ") + strerror(error);
    return nullptr;
  }
  return std::make_unique<FdLink>(fd, "tcp " + host_port, true);
}

std::unique_ptr<Link> ConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout) {
  std::string error;
  auto link = TryConnectTcp(host_port, timeout, &error);
  if (!link)
    throw TransportError(host_port, error, "connect",
                         "check that the gdb server is running and listening on " + host_port);
  return link;
}

std::unique_ptr<Link> OpenSerialLink(const std::string& path, uint32_t baud) {
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw TransportError(path, std::string("cannot open serial port: ") + strerror(errno), "open",
                         errno == EACCES ? "add yourself to the dialout group or fix the udev rules"
                                         : "check the port with `tockctl devices`");
  termios tio{};
  if (::tcgetattr(fd, &tio) == 0) {
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    ::cfsetispeed(&tio, BaudConstant(baud));
    ::cfsetospeed(&tio, BaudConstant(baud));
    if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
      int e = errno;
      ::close(fd);
      throw TransportError(path, std::string("cannot configure serial port: ") + strerror(e),
                           "open");
    }
  }
  return std::make_unique<FdLink>(fd, "serial " + path, false);
}

uint16_t PickFreeLocalPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw TransportError("127.0.0.1", std::string("cannot create a socket: ") + strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    ::close(fd);
    throw TransportError("127.0.0.1", std::string("cannot bind a local port: ") + strerror(e));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace tockctl::flasher
