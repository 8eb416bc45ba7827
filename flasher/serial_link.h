// A byte link over a serial port (UART, USB CDC-ACM, or a pseudo-terminal in tests), and the
// port list used to find a board again after it re-enumerates.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

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

/// A serial port as the host sees it, with its USB identity when it has one.
struct SerialPortInfo {
  std::string path;  ///< "/dev/ttyACM0"
  std::optional<uint16_t> vid;
  std::optional<uint16_t> pid;
  std::string serial_number;  ///< USB iSerialNumber, empty if none.
  std::string manufacturer;
  std::string product;
  std::string driver;  ///< Kernel driver ("cdc_acm", "ftdi_sio"), empty if unknown.
};

/// Lists the host's serial ports (tests substitute a list of pseudo-terminals).
class SerialPortLister {
 public:
  virtual ~SerialPortLister() = default;
  /// Current ports; never throws for a host without ports (returns an empty list).
  virtual std::vector<SerialPortInfo> ListSerialPorts() = 0;
};

/// The real serial port on a POSIX host, configured with termios.
class TermiosSerialLink : public SerialLink {
 public:
  /// Opens `path` raw 8N1 at `baud`; throws Error(kTransport) with a hint on failure.
  static std::unique_ptr<SerialLink> Open(const std::string& path, uint32_t baud);
  ~TermiosSerialLink() override;
  TermiosSerialLink(const TermiosSerialLink&) = delete;
  TermiosSerialLink& operator=(const TermiosSerialLink&) = delete;

  const std::string& path() const override { return path_; }
  void Write(std::span<const uint8_t> bytes) override;
  size_t Read(std::span<uint8_t> out, std::chrono::milliseconds timeout) override;
  void SetBaudRate(uint32_t baud) override;
  bool SetModemLines(bool dtr, bool rts) override;
  void DiscardInput() override;
  bool StillPresent() override;

 private:
  TermiosSerialLink(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  [[noreturn]] void ThrowVanished() const;

  std::string path_;
  int fd_;
};

/// True if the host can set `baud` on a serial port.
bool IsSupportedBaudRate(uint32_t baud);

}  // namespace tockctl::flasher
