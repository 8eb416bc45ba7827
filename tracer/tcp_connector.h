// A non-blocking TCP connect to HOST:PORT that can be advanced a little at a time, so a source
// can keep reconnecting without ever blocking a read longer than its timeout.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "tracer/unique_fd.h"

namespace tockctl::tracer {

/// A TCP host and port ("127.0.0.1:4444", "[::1]:4444", "qemu-host:4444").
struct TcpEndpoint {
  std::string host;
  uint16_t port = 0;

  /// "host:port", with brackets around IPv6 literals.
  std::string ToString() const;
  bool operator==(const TcpEndpoint&) const = default;
};

/// Parses HOST:PORT (IPv6 literals in brackets). Throws Error(kUsage) saying what is wrong and
/// showing the expected form.
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

}  // namespace tockctl::tracer
