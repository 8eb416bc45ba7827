// The one serial port of tockctl (UART, USB CDC-ACM, or a pseudo-terminal in tests): raw 8N1 at
// any baud rate the driver accepts, modem lines, and an exclusive lock held by every user of a
// port (tracer, flasher, console), so that a second tockctl on the same port is refused with the
// process that holds it instead of stealing its bytes.
#pragma once

#include <spdlog/logger.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/error.h"
#include "devices/unique_fd.h"

namespace tockctl::devices {

/// Largest baud rate accepted anywhere (--baud, board files, bootloader settings).
inline constexpr uint32_t kMaxSerialBaud = 16'000'000;

/// True if `baud` is a rate tockctl may ask a port for (1 to kMaxSerialBaud; non-standard rates
/// such as 250000 are set with termios2, the driver decides whether it can do them).
bool IsSupportedBaudRate(uint32_t baud);

/// "serial port PATH vanished" with what to do: the one error for a port that went away while
/// a command needed it.
Error SerialVanishedError(const std::filesystem::path& path);

/// What one SerialPort::Read produced.
struct SerialRead {
  enum class Status { kData, kTimeout, kGone };
  Status status = Status::kTimeout;
  size_t bytes = 0;
  std::string why;  ///< kGone: "the line hung up", "/dev/ttyACM0 vanished", ...
};

/// An open, locked, configured serial port. The device fd holds flock(LOCK_EX) and TIOCEXCL; a
/// lock file beside it names our pid for the error a second opener sees. Destruction releases all.
class SerialPort {
 public:
  SerialPort(std::filesystem::path path, UniqueFd fd, UniqueFd lock_file,
             std::filesystem::path lock_path, dev_t device);
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  int fd() const { return fd_.get(); }
  const std::filesystem::path& path() const { return path_; }
  /// The device number the fd refers to (to notice when the path now names another device).
  dev_t device() const { return device_; }

  /// Waits up to `timeout` for bytes. An empty read() is kGone only when the device really is
  /// gone (hang-up, its node removed or replaced); otherwise it is kTimeout. Never throws.
  SerialRead Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout);
  /// Writes every byte. Throws Error(kTransport): SerialVanishedError when the port is gone,
  /// "stopped accepting data" when it takes nothing for `timeout`.
  void Write(std::span<const uint8_t> bytes,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  /// Changes the line rate; throws Error(kUsage) for a rate outside IsSupportedBaudRate and
  /// Error(kTransport) when the driver refuses it.
  void SetBaud(uint32_t baud);
  /// Sets DTR and RTS (a flasher pulses DTR to reset a board); false if the port has no modem
  /// lines (a pseudo-terminal).
  bool SetModemLines(bool dtr, bool rts);
  /// Drops bytes received but not yet read.
  void DiscardInput();
  /// Why the port is gone (hung up, its path vanished or names another device), or empty if it is
  /// still there. Never blocks.
  std::string GoneReason() const;

 private:
  std::string PathGoneReason() const;

  std::filesystem::path path_;
  UniqueFd fd_;
  UniqueFd lock_file_;
  std::filesystem::path lock_path_;
  dev_t device_;
};

/// Result of one attempt to open a port: the port, or the error and whether the device is merely
/// absent (missing path, or gone while opening), which a reconnecting source waits out.
struct SerialOpenAttempt {
  std::unique_ptr<SerialPort> port;
  std::optional<Error> error;
  bool absent = false;
  bool busy = false;  ///< Another process holds the port (its lock, or TIOCEXCL).
};

/// Opens `path` raw 8N1 at `baud` and locks it. Failures are returned, never thrown: missing
/// (absent), permission denied, in use (busy, naming the process holding it), not a tty, bad baud.
/// `lends_as` ("console"): the lock file says this process lends the port (serial_lending.h).
/// Inside a SerialLoanScope, a port held by a tockctl that lends it is borrowed: the holder is
/// asked to let go and the open waits up to the scope's wait for it.
SerialOpenAttempt OpenSerialPort(const std::filesystem::path& path, uint32_t baud,
                                 const std::filesystem::path& lock_dir, spdlog::logger& log,
                                 const std::string& lends_as = {});

/// OpenSerialPort that throws the error instead of returning it.
std::unique_ptr<SerialPort> OpenSerialPortOrThrow(const std::filesystem::path& path, uint32_t baud,
                                                  const std::filesystem::path& lock_dir,
                                                  spdlog::logger& log);

/// The lock file that names the process using `port`: LOCK_DIR/tockctl-<resolved path with '/'
/// and other unusual characters replaced by '_'>.lock, e.g. /run/lock/tockctl-dev_ttyACM0.lock.
std::filesystem::path SerialLockFilePath(const std::filesystem::path& lock_dir,
                                         const std::filesystem::path& port);

/// /run/lock when it is a writable directory, otherwise the system temporary directory.
std::filesystem::path DefaultSerialLockDir();

}  // namespace tockctl::devices
