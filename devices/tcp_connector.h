// TCP for every tockctl command: the one HOST:PORT grammar, a non-blocking connect that can be
// advanced a little at a time (so a source can keep reconnecting without ever blocking a read
// longer than its timeout), a blocking connect for protocols, and reads and writes on the socket.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "devices/unique_fd.h"

namespace tockctl::devices {

/// A TCP host and port ("127.0.0.1:4444", "[::1]:4444", "qemu-host:4444").
struct TcpEndpoint {
  std::string host;
  uint16_t port = 0;

  /// "host:port", with brackets around IPv6 literals.
  std::string ToString() const;
  bool operator==(const TcpEndpoint&) const = default;
};

/// Parses HOST:PORT. IPv6 literals must be in brackets ("[::1]:4444"); the bare "::1:4444" is
/// refused because its last colon is ambiguous. Throws Error(kUsage) saying what is wrong and
/// showing the expected form. Every command (trace, flash, extcap, board files) uses this.
TcpEndpoint ParseTcpEndpoint(std::string_view text);

/// One connection attempt, trying each resolved address in turn.
class TcpConnector {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  enum class Progress { kConnected, kPending, kFailed };

  TcpConnector(TcpEndpoint endpoint, std::chrono::milliseconds attempt_timeout);

  /// Begins a fresh attempt (resolving the host again).
  void Start();
  /// Works on the attempt until it connects, fails, or `deadline` passes (kPending).
  Progress Advance(TimePoint deadline);
  /// The connected socket after kConnected.
  UniqueFd TakeSocket() { return std::move(socket_); }
  /// Why the attempt failed, after kFailed.
  const Error& failure() const { return *failure_; }
  /// True if the failure may go away by itself (refused, unreachable, timed out, DNS try again).
  bool retryable() const { return retryable_; }
  bool active() const { return active_; }

 private:
  Progress Fail(Error error, bool retryable);
  Progress FailAfterAllAddresses();
  bool StartNextAddress();
  Progress CheckPending(TimePoint deadline);

  TcpEndpoint endpoint_;
  std::chrono::milliseconds attempt_timeout_;
  struct Address {
    sockaddr_storage storage;
    socklen_t length;
    int family;
  };
  std::vector<Address> addresses_;
  size_t next_address_ = 0;
  UniqueFd socket_;
  TimePoint attempt_deadline_{};
  int last_errno_ = 0;
  bool refused_ = false;
  bool active_ = false;
  bool retryable_ = false;
  std::optional<Error> failure_;
};

/// Connects to `endpoint`, trying each address, within `timeout`, and sets TCP_NODELAY. Returns
/// the socket, or an invalid UniqueFd with the reason in `error` (a TcpConnector failure).
UniqueFd ConnectTcpWithin(const TcpEndpoint& endpoint, std::chrono::milliseconds timeout,
                          std::optional<Error>* error);

/// What one ReadSocket produced.
struct SocketRead {
  enum class Status { kData, kTimeout, kClosed };
  Status status = Status::kTimeout;
  size_t bytes = 0;
  std::string why;  ///< kClosed: "the peer closed the connection", or the errno text.
};

/// Waits up to `timeout` for bytes on the connected socket `fd`. Never throws.
SocketRead ReadSocket(int fd, std::span<uint8_t> buf, std::chrono::milliseconds timeout);

/// Sends every byte on the connected socket `fd`. Throws Error(kTransport) naming `where`
/// ("tcp 127.0.0.1:1234") when the peer is gone or takes nothing for `timeout`.
void WriteSocket(int fd, std::span<const uint8_t> bytes, const std::string& where,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
/// Throws Error(kTransport) if no socket can be bound.
uint16_t PickFreeLocalPort();

}  // namespace tockctl::devices
