// A listening TCP socket on the loopback interface for the tests of sources that connect (TCP,
// QEMU's UART, extcap captures), and a send that writes everything.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <span>

#include "devices/unique_fd.h"
#include "tracer/tcp_source.h"

namespace tockctl::tracer::testing {

/// A listening socket on 127.0.0.1 (or ::1 with AF_INET6); port 0 picks a free one.
class LoopbackServer {
 public:
  explicit LoopbackServer(uint16_t port = 0, int family = AF_INET);
  /// False if bind or listen failed (e.g. the port is taken).
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  /// 127.0.0.1:port, for AF_INET servers.
  devices::TcpEndpoint endpoint() const { return {"127.0.0.1", port_}; }
  /// Accepts one client; an invalid fd if none connects within `patience`.
  devices::UniqueFd Accept(std::chrono::milliseconds patience = std::chrono::seconds(10));

 private:
  devices::UniqueFd fd_;
  uint16_t port_ = 0;
  bool ok_ = false;
};

/// Sends all of `bytes` to `client` (a test failure if the peer is gone).
void SendAll(const devices::UniqueFd& client, std::span<const uint8_t> bytes);

}  // namespace tockctl::tracer::testing
