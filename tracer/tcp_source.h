// Trace bytes from a TCP socket, e.g. QEMU's `-serial tcp:127.0.0.1:4444,server=on,wait=off`,
// reconnecting when the peer goes away (QEMU restarted).
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>

#include "devices/tcp_connector.h"
#include "devices/unique_fd.h"
#include "tracer/byte_source.h"
#include "tracer/reconnect_schedule.h"

namespace tockctl::tracer {

/// Where to connect and how to behave when the connection is missing or lost.
struct TcpOptions {
  devices::TcpEndpoint endpoint;
  /// After the peer closes, connect again (kDisconnected, then kReconnected). If false, a closed
  /// connection ends the stream with kEnd.
  bool reconnect = true;
  /// If nothing listens yet, keep trying (Read returns kTimeout, then kReconnected once
  /// connected) instead of throwing.
  bool wait_for_device = false;
  std::chrono::milliseconds connect_timeout{3000};    ///< Per connection attempt.
  std::chrono::milliseconds reconnect_interval{250};  ///< Between attempts.
};

/// Reads a TCP stream.
class TcpSource : public ByteSource {
 public:
  /// Connects. Throws Error(kTransport) when the connection is refused (with a hint to start
  /// QEMU), times out, or the host does not resolve, unless wait_for_device is set (then only for
  /// a host that does not resolve).
  TcpSource(TcpOptions options, std::shared_ptr<spdlog::logger> log);

  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  /// "tcp 127.0.0.1:4444".
  std::string Describe() const override;
  /// Sends bytes to the peer; Error(kTransport) while not connected or when the link fails.
  void Write(std::span<const uint8_t> bytes) override;

 private:
  ReadResult ReadConnected(std::span<uint8_t> buf, std::chrono::milliseconds timeout);
  ReadResult Lost(const std::string& why);
  ReadResult TryToConnect(Clock::TimePoint deadline);
  ReadResult Connected(devices::UniqueFd socket);

  TcpOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  devices::TcpConnector connector_;
  ReconnectSchedule schedule_;
  devices::UniqueFd socket_;
  bool was_connected_ = false;
  bool ended_ = false;
  std::string end_detail_;
};

}  // namespace tockctl::tracer
