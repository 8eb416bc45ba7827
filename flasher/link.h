// A byte link to a debug server or probe: TCP (gdb servers, QEMU) or a serial port (Black Magic
// Probe). Protocol code talks to this interface so tests can use in-memory peers and ptys; the
// sockets and ports themselves are devices/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "devices/tcp_connector.h"

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

/// Connects to a TCP server at HOST:PORT (devices/tcp_connector.h grammar; Error(kUsage) if
/// malformed). Throws Error(kTransport) naming the endpoint when the name does not resolve, the
/// connection is refused, or `timeout` passes.
std::unique_ptr<Link> ConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout);

/// ConnectTcp that returns nullptr instead of throwing when the server does not accept (yet);
/// `error` receives the reason. Still throws Error(kUsage) for a malformed HOST:PORT.
std::unique_ptr<Link> TryConnectTcp(const std::string& host_port, std::chrono::milliseconds timeout,
                                    std::string* error = nullptr);

/// Opens and locks a serial port (or pty) raw, 8N1, at `baud` (devices/serial_port.h). Throws
/// Error(kTransport) naming the port if it cannot be opened, is busy, or cannot be configured.
std::unique_ptr<Link> OpenSerialLink(const std::string& path, uint32_t baud);

using devices::PickFreeLocalPort;

}  // namespace tockctl::flasher
