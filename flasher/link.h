// A byte link to a debug server or probe: TCP (gdb servers, QEMU) or a serial port (Black Magic
// Probe). Protocol code talks to this interface so tests can use in-memory peers and ptys.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace tockctl::flasher {

/// A bidirectional byte stream.
class Link {
 public:
  virtual ~Link() = default;
  /// Sends all of `data`; throws Error(kTransport) if the link fails or the peer is gone.
  virtual void Write(std::span<const uint8_t> data) = 0;
  /// Waits up to `timeout` for bytes and stores at most buffer.size() of them; returns 0 on
  /// timeout. Throws Error(kTransport) when the peer closed the link or it failed.
  virtual size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds timeout) = 0;
  /// "tcp 127.0.0.1:1234", "serial /dev/ttyACM0".
  virtual std::string Describe() const = 0;
};

/// HOST and PORT of "HOST:PORT" ("[::1]:1234" for IPv6); throws Error(kUsage) if malformed.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
HostPort ParseHostPort(const std::string& text);

/// Connects to a TCP server (TCP_NODELAY). Throws Error(kTransport) naming the endpoint when the
/// name does not resolve, the connection is refused, or `timeout` passes.
std::unique_ptr<Link> ConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout);

/// ConnectTcp that returns nullptr instead of throwing when the server does not accept (yet);
/// `error` receives the reason. Still throws Error(kUsage) for a malformed HOST:PORT.
std::unique_ptr<Link> TryConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout,
                                    std::string* error = nullptr);

/// Opens a serial port (or pty) raw, 8N1, at `baud` (ignored by USB CDC devices). Throws
/// Error(kTransport) naming the port if it cannot be opened or configured.
std::unique_ptr<Link> OpenSerialLink(const std::string& path, uint32_t baud);

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
/// Throws Error(kTransport) if no socket can be bound.
uint16_t PickFreeLocalPort();

}  // namespace tockctl::flasher
