#include "tests/tracer/loopback_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>

#include <cerrno>

namespace tockctl::tracer::testing {

LoopbackServer::LoopbackServer(uint16_t port, int family)
    : fd_(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  int on = 1;
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = in6addr_loopback;
    len = sizeof(sockaddr_in6);
  }
  ok_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        ::listen(fd_.get(), 4) == 0;
  ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                  : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

devices::UniqueFd LoopbackServer::Accept(std::chrono::milliseconds patience) {
  pollfd pfd{fd_.get(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(patience.count())) != 1) return devices::UniqueFd();
  return devices::UniqueFd(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
}

void SendAll(const devices::UniqueFd& client, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(client.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << devices::ErrnoText(errno);
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

}  // namespace tockctl::tracer::testing
