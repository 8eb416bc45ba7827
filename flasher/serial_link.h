// A byte link over a serial port (UART, USB CDC-ACM, or a pseudo-terminal in tests) as the
// flasher's protocols see it: calls that throw when the port is gone. The port itself (locking,
// termios, modem lines) is devices/serial_port.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/device_discovery.h"
#include "devices/serial_baud.h"
#include "devices/serial_port.h"

namespace tockctl::flasher {

/// A serial port opened for raw 8N1 I/O without flow control. A port that disappears (unplugged,
/// reset, pty master closed) throws Error(kTransport) from the call that notices it.
class SerialLink {
 public:
  virtual ~SerialLink() = default;
  /// The device path this link was opened on ("/dev/ttyACM0").
  virtual const std::string& path() const = 0;
  /// Writes every byte; throws Error(kTransport) if the port vanished or stalls past the write
  /// timeout.
  virtual void Write(std::span<const uint8_t> bytes) = 0;
  /// Reads what is available (up to out.size()), waiting at most `timeout` for the first byte;
  /// returns 0 on timeout; throws Error(kTransport) if the port vanished.
  virtual size_t Read(std::span<uint8_t> out, std::chrono::milliseconds timeout) = 0;
  /// Changes the line rate; throws Error(kUsage) for a rate the host cannot set.
  virtual void SetBaudRate(uint32_t baud) = 0;
  /// Sets DTR and RTS; returns false if the port has no modem lines (e.g. a pseudo-terminal).
  virtual bool SetModemLines(bool dtr, bool rts) = 0;
  /// Drops bytes received but not yet read.
  virtual void DiscardInput() = 0;
  /// False once the port has hung up (the device reset or was unplugged); never blocks or throws.
  virtual bool StillPresent() = 0;
};

/// Opens a serial port at a baud rate; throws Error(kTransport) if it cannot (missing, busy,
/// permission denied — the message says which and what to do).
using SerialOpener =
    std::function<std::unique_ptr<SerialLink>(const std::string& path, uint32_t baud)>;

// The port list lives with device discovery; these names keep the flasher's spelling.
using devices::SerialPortInfo;
using devices::SerialPortLister;

/// The host's serial port (devices::SerialPort: locked, termios) as a SerialLink.
class TermiosSerialLink : public SerialLink {
 public:
  /// Opens and locks `path` raw 8N1 at `baud`; throws Error(kTransport) naming the port (missing,
  /// permission denied, busy with the process holding it) or Error(kUsage) for a bad rate.
  static std::unique_ptr<SerialLink> Open(const std::string& path, uint32_t baud);
  explicit TermiosSerialLink(std::unique_ptr<devices::SerialPort> port);

  const std::string& path() const override { return path_; }
  void Write(std::span<const uint8_t> bytes) override;
  size_t Read(std::span<uint8_t> out, std::chrono::milliseconds timeout) override;
  void SetBaudRate(uint32_t baud) override;
  bool SetModemLines(bool dtr, bool rts) override;
  void DiscardInput() override;
  bool StillPresent() override;

 private:
  [[noreturn]] void ThrowVanished() const;

  std::unique_ptr<devices::SerialPort> port_;
  std::string path_;
};

/// True if `baud` is a standard rate (the ones bootloaders and USB-serial adapters share); the
/// port itself (devices/serial_port.h) can also be set to other rates.
inline bool IsSupportedBaudRate(uint32_t baud) { return devices::IsStandardBaudRate(baud); }

}  // namespace tockctl::flasher
