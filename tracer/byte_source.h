// Where trace bytes come from: a serial port, a USB bulk endpoint, a TCP socket, or a recorded
// file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tockctl::tracer {

/// What one ByteSource::Read produced.
enum class ReadStatus {
  kData,          ///< `bytes` bytes were stored.
  kTimeout,       ///< Nothing arrived within the timeout; the link is still up.
  kDisconnected,  ///< The device went away (first report only); the source keeps trying to reopen.
  kReconnected,   ///< The device is back; reading continues (no bytes in this result).
  kEnd,           ///< The stream ended for good (end of a replay file, or reconnect disabled).
};

/// Result of one read.
struct ReadResult {
  ReadStatus status = ReadStatus::kTimeout;
  size_t bytes = 0;
  std::string detail;  ///< Human text for kDisconnected/kReconnected/kEnd ("USB device unplugged").
};

/// A stream of raw trace bytes. Implementations: SerialSource, TcpSource, UsbSource, ReplaySource.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Waits up to `timeout` for bytes and stores at most buf.size() of them. Throws
  /// Error(kTransport) or Error(kIo) only when the source can never deliver (e.g. cannot open it in
  /// the first place).
  virtual ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) = 0;
  /// "serial /dev/ttyACM0 @115200", "tcp 127.0.0.1:4444", "usb 1209:0001", "replay demo.raw".
  virtual std::string Describe() const = 0;
  /// Sends bytes to the device (keys typed into a console). Throws Error(kTransport) when the
  /// device is not connected or the link fails, Error(kUsage) for a source that only reads (a
  /// replay, a USB device without a bulk OUT endpoint).
  virtual void Write(std::span<const uint8_t> bytes);
};

}  // namespace tockctl::tracer
