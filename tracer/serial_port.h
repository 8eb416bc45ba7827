// Opening a serial port for tracing: raw 8N1 at a baud rate, locked so that no other tockctl (or
// other locking program) reads the same port at the same time.
#pragma once

#include <spdlog/logger.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "common/error.h"
#include "tracer/unique_fd.h"

namespace tockctl::tracer {

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

 private:
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
};

/// Opens `path` raw 8N1 at `baud` and locks it. Failures are returned, never thrown: missing
/// (absent), permission denied, in use (naming the process holding it), not a tty, bad baud.
SerialOpenAttempt OpenSerialPort(const std::filesystem::path& path, uint32_t baud,
                                 const std::filesystem::path& lock_dir, spdlog::logger& log);

/// The lock file that names the process using `port`: LOCK_DIR/tockctl-<resolved path with '/'
/// and other unusual characters replaced by '_'>.lock, e.g. /run/lock/tockctl-dev_ttyACM0.lock.
std::filesystem::path SerialLockFilePath(const std::filesystem::path& lock_dir,
                                         const std::filesystem::path& port);

/// /run/lock when it is a writable directory, otherwise the system temporary directory.
std::filesystem::path DefaultSerialLockDir();

}  // namespace tockctl::tracer
