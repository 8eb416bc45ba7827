// Sharing one serial port between a long-running reader (`tockctl console`, `tockctl trace`) and a
// short job (`tockctl flash`, later app installs), the way tockloader's `listen` yields to
// `install`: the job asks, the reader lets go, the job works, the reader takes the port back. The
// port's exclusive lock is never shared: at any moment one process reads it.
//
// How they talk, through two files in the lock directory:
// - the reader's lock file (SerialLockFilePath) says it lends: "PID\nlends console\n";
// - the job takes an exclusive flock on the borrow file (SerialBorrowFilePath) and writes its pid
//   and command there for as long as it needs the port; the reader sees the lock held, closes the
//   port, and waits until the lock is free (the job finished, or died) to open it again.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "devices/unique_fd.h"

namespace tockctl::devices {

/// LOCK_DIR/tockctl-<port>.borrow, beside the port's lock file.
std::filesystem::path SerialBorrowFilePath(const std::filesystem::path& lock_dir,
                                           const std::filesystem::path& port);

/// The process a lock file names, and what it lends the port as ("console"), if it lends it.
struct SerialLockHolder {
  long pid = 0;
  std::string lends_as;  ///< Empty: the holder does not lend (another flash, another program).
  /// "tockctl console, pid 1234"; "process, pid 1234" when its name cannot be read.
  std::string Describe() const;
};

/// The live process named in `lock_path`, or nullopt when the file is missing, names no pid or a
/// process that is gone.
std::optional<SerialLockHolder> ReadSerialLockHolder(const std::filesystem::path& lock_path);

/// The lock file's text for process `pid`: "PID\n", plus "lends WHAT\n" when `lends_as` is set.
std::string SerialLockFileText(long pid, const std::string& lends_as);

/// Reader side: who is borrowing `port` right now ("tockctl flash, pid 4242"), or nullopt when
/// nobody is (no borrow file, or a stale one left by a job that died). Never blocks.
std::optional<std::string> ActiveSerialBorrower(const std::filesystem::path& lock_dir,
                                                const std::filesystem::path& port);

/// Job side: while one of these lives, OpenSerialPort asks a tockctl that holds a busy port and
/// lends it to let go, and keeps the loan until the scope ends, across reopens (a board that
/// re-enumerates during a flash is not grabbed back half-way). One scope per process at a time.
class SerialLoanScope {
 public:
  /// What a job tells its user when it borrows a port ("borrowing serial port ... from ...").
  using Notice = std::function<void(const std::string& text)>;
  /// `command` names the job in the holder's messages ("flash"); `wait` is how long a holder
  /// gets to let go; `notice` (if set) hears of each port borrowed.
  explicit SerialLoanScope(std::string command,
                           std::chrono::milliseconds wait = std::chrono::milliseconds(3000),
                           Notice notice = {});
  ~SerialLoanScope();
  SerialLoanScope(const SerialLoanScope&) = delete;
  SerialLoanScope& operator=(const SerialLoanScope&) = delete;

  /// The scope of this process, or null.
  static SerialLoanScope* Active();

  /// Takes the borrow file of `port` (once per port; later calls return at once). False if
  /// another job holds it for longer than the wait.
  bool Borrow(const std::filesystem::path& lock_dir, const std::filesystem::path& port,
              spdlog::logger& log);
  /// How long a holder gets to let go.
  std::chrono::milliseconds wait() const { return wait_; }
  /// Tells the user that `port` is borrowed from `holder` ("tockctl console, pid 1234").
  void NoteBorrowed(const std::filesystem::path& port, const std::string& holder) const;
  /// Ports borrowed so far.
  size_t borrowed() const { return loans_.size(); }

 private:
  std::string command_;
  std::chrono::milliseconds wait_;
  Notice notice_;
  std::map<std::filesystem::path, UniqueFd> loans_;  ///< Borrow file path -> its locked fd.
};

}  // namespace tockctl::devices
