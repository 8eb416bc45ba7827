#include "devices/serial_port.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/fmt/fmt.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <thread>

#include "devices/device_context.h"
#include "devices/serial_baud.h"
#include "devices/serial_lending.h"

namespace tockctl::devices {

namespace fs = std::filesystem;

namespace {

SerialOpenAttempt Failed(Error error, bool absent = false) {
  SerialOpenAttempt attempt;
  attempt.error = std::move(error);
  attempt.absent = absent;
  return attempt;
}

Error PortError(const fs::path& path, const std::string& message, const std::string& operation,
                std::string hint = {}) {
  return Error(ErrorCategory::kTransport, message, DeviceContext(path.string(), operation),
               std::move(hint));
}

Error BusyError(const fs::path& path, const fs::path& lock_dir) {
  std::optional<SerialLockHolder> holder = ReadSerialLockHolder(SerialLockFilePath(lock_dir, path));
  return PortError(path,
                   "serial port " + path.string() + " is in use by " +
                       (holder ? holder->Describe() : "another program"),
                   "lock", "stop the other program or use another port");
}

SerialOpenAttempt Busy(const fs::path& path, const fs::path& lock_dir) {
  SerialOpenAttempt attempt = Failed(BusyError(path, lock_dir));
  attempt.busy = true;
  return attempt;
}

SerialOpenAttempt OpenFailure(const fs::path& path, int err, const fs::path& lock_dir) {
  std::string what = "cannot open serial port " + path.string() + ": " + ErrnoText(err);
  switch (err) {
    case ENOENT:
    case ENXIO:
    case ENODEV:
      return Failed(PortError(path, what, "open",
                              "check the path; ls /dev/serial/by-id/ lists "
                              "USB serial ports"),
                    true);
    case EACCES:
    case EPERM:
      return Failed(PortError(path, "permission denied opening serial port " + path.string(),
                              "open",
                              "add yourself to the dialout group (sudo usermod -aG dialout $USER) "
                              "and log in again"));
    case EBUSY:
      return Busy(path, lock_dir);
    default:
      return Failed(PortError(path, what, "open"));
  }
}

// Raw 8N1, no flow control, reads return whatever is there.
int ConfigureRaw(int fd) {
  struct termios tio {};
  if (::tcgetattr(fd, &tio) != 0) return errno;
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &tio) != 0) return errno;
  return 0;
}

// Writes our pid, and whether we lend the port, into the lock file (best effort: without it a
// second opener is still refused, it just cannot say by whom or borrow the port).
UniqueFd WriteLockFile(const fs::path& lock_path, const std::string& lends_as,
                       spdlog::logger& log) {
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) {
    log.debug("cannot create lock file {}: {}", lock_path.string(), ErrnoText(errno));
    return fd;
  }
  std::string text = SerialLockFileText(::getpid(), lends_as);
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    log.debug("cannot write lock file {}: {}", lock_path.string(), ErrnoText(errno));
  }
  return fd;
}

SerialOpenAttempt LockAndConfigure(const fs::path& path, UniqueFd fd, uint32_t baud,
                                   const fs::path& lock_dir, const std::string& lends_as,
                                   spdlog::logger& log) {
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return Busy(path, lock_dir);
  if (::ioctl(fd.get(), TIOCEXCL) != 0) {
    log.debug("TIOCEXCL on {} failed: {}", path.string(), ErrnoText(errno));
  }
  if (int err = ConfigureRaw(fd.get()); err != 0) {
    return Failed(PortError(path,
                            "cannot configure serial port " + path.string() + ": " + ErrnoText(err),
                            "configure"));
  }
  if (!IsSupportedBaudRate(baud)) {
    return Failed(
        Error(ErrorCategory::kUsage, "unsupported baud rate " + std::to_string(baud),
              DeviceContext(path.string(), "configure"),
              "use a rate from 1 to " + std::to_string(kMaxSerialBaud) + ", e.g. 115200"));
  }
  if (int err = SetSerialBaud(fd.get(), baud); err != 0) {
    return Failed(PortError(path,
                            "serial port " + path.string() + " does not accept " +
                                std::to_string(baud) + " baud: " + ErrnoText(err),
                            "configure", "pick a baud rate the adapter supports, e.g. 115200"));
  }
  struct stat st {};
  ::fstat(fd.get(), &st);
  fs::path lock_path = SerialLockFilePath(lock_dir, path);
  UniqueFd lock_file = WriteLockFile(lock_path, lends_as, log);
  SerialOpenAttempt attempt;
  attempt.port = std::make_unique<SerialPort>(path, std::move(fd), std::move(lock_file),
                                              std::move(lock_path), st.st_rdev);
  return attempt;
}

}  // namespace

SerialPort::SerialPort(fs::path path, UniqueFd fd, UniqueFd lock_file, fs::path lock_path,
                       dev_t device)
    : path_(std::move(path)),
      fd_(std::move(fd)),
      lock_file_(std::move(lock_file)),
      lock_path_(std::move(lock_path)),
      device_(device) {}

SerialPort::~SerialPort() {
  ::ioctl(fd_.get(), TIOCNXCL);
  if (lock_file_.valid()) ::unlink(lock_path_.c_str());
}

Error SerialVanishedError(const fs::path& path) {
  // errno (EIO, ENXIO, or none for end-of-file) varies with the driver; the message does not.
  return Error(ErrorCategory::kTransport, "serial port " + path.string() + " vanished", {},
               "the board was unplugged or reset; reconnect it and run the command again");
}

bool IsSupportedBaudRate(uint32_t baud) { return baud >= 1 && baud <= kMaxSerialBaud; }

SerialRead SerialPort::Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  using Status = SerialRead::Status;
  pollfd pfd{fd_.get(), POLLIN, 0};
  int wait_ms = static_cast<int>(std::min<int64_t>(timeout.count(), INT32_MAX));
  int ready = ::poll(&pfd, 1, wait_ms);
  if (ready < 0 && errno != EINTR) return {Status::kGone, 0, "poll failed: " + ErrnoText(errno)};
  if (ready <= 0) {
    std::string gone = PathGoneReason();
    return gone.empty() ? SerialRead{} : SerialRead{Status::kGone, 0, gone};
  }
  if (pfd.revents & POLLNVAL) return {Status::kGone, 0, "the port was closed"};
  ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
  if (n > 0) return {Status::kData, static_cast<size_t>(n), {}};
  if (n < 0 && errno != EAGAIN && errno != EINTR) {
    return {Status::kGone, 0, "read failed: " + ErrnoText(errno)};
  }
  if (n == 0 && (pfd.revents & (POLLHUP | POLLERR))) return {Status::kGone, 0, "the line hung up"};
  // Readable but empty: someone else took the bytes, or a signal came. Gone only if it is.
  std::string gone = PathGoneReason();
  return gone.empty() ? SerialRead{} : SerialRead{Status::kGone, 0, gone};
}

void SerialPort::Write(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      throw SerialVanishedError(path_);
    }
    pollfd p{fd_.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 0) {
      throw PortError(path_, "serial port " + path_.string() + " stopped accepting data", "write",
                      "check flow control and the cable");
    }
  }
}

void SerialPort::SetBaud(uint32_t baud) {
  if (!IsSupportedBaudRate(baud)) {
    throw Error(ErrorCategory::kUsage, "unsupported baud rate " + std::to_string(baud),
                DeviceContext(path_.string(), "configure"),
                "use a rate from 1 to " + std::to_string(kMaxSerialBaud) + ", e.g. 115200");
  }
  if (int err = SetSerialBaud(fd_.get(), baud); err != 0) {
    throw PortError(path_,
                    "serial port " + path_.string() + " does not accept " + std::to_string(baud) +
                        " baud: " + ErrnoText(err),
                    "configure", "pick a baud rate the adapter supports, e.g. 115200");
  }
}

bool SerialPort::SetModemLines(bool dtr, bool rts) {
  int set = (dtr ? TIOCM_DTR : 0) | (rts ? TIOCM_RTS : 0);
  int clear = (dtr ? 0 : TIOCM_DTR) | (rts ? 0 : TIOCM_RTS);
  if (set != 0 && ::ioctl(fd_.get(), TIOCMBIS, &set) != 0) return false;
  if (clear != 0 && ::ioctl(fd_.get(), TIOCMBIC, &clear) != 0) return false;
  return true;
}

void SerialPort::DiscardInput() { ::tcflush(fd_.get(), TCIFLUSH); }

std::string SerialPort::GoneReason() const {
  pollfd p{fd_.get(), POLLIN, 0};
  if (::poll(&p, 1, 0) < 0) return "poll failed: " + ErrnoText(errno);
  if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return "the line hung up";
  return PathGoneReason();
}

// Why the open port's path no longer leads to it, or empty if it still does.
std::string SerialPort::PathGoneReason() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return errno == ENOENT ? path_.string() + " vanished"
                           : "cannot check " + path_.string() + ": " + ErrnoText(errno);
  }
  if (st.st_rdev != device_) return path_.string() + " now names another device";
  return {};
}

namespace {

SerialOpenAttempt OpenOnce(const fs::path& path, uint32_t baud, const fs::path& lock_dir,
                           const std::string& lends_as, spdlog::logger& log) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return OpenFailure(path, errno, lock_dir);
  if (!::isatty(fd.get())) {
    return Failed(
        PortError(path, path.string() + " is not a serial port (not a terminal device)", "open"));
  }
  return LockAndConfigure(path, std::move(fd), baud, lock_dir, lends_as, log);
}

// `busy` came from a port another process holds. Inside a loan scope, when that process is a
// tockctl that lends the port, asks it to let go and waits for the port to be free.
SerialOpenAttempt BorrowFromLender(const fs::path& path, uint32_t baud, const fs::path& lock_dir,
                                   spdlog::logger& log, SerialOpenAttempt busy) {
  SerialLoanScope* scope = SerialLoanScope::Active();
  std::optional<SerialLockHolder> holder = ReadSerialLockHolder(SerialLockFilePath(lock_dir, path));
  if (scope == nullptr || !holder || holder->lends_as.empty()) return busy;
  const std::string who = holder->Describe();
  if (!scope->Borrow(lock_dir, path, log)) {
    return Failed(PortError(path,
                            "serial port " + path.string() + " is held by " + who +
                                " and another tockctl is borrowing it",
                            "lock", "wait for that command to finish and run this one again"));
  }
  log.info("asking {} to lend serial port {}", who, path.string());
  const auto deadline = std::chrono::steady_clock::now() + scope->wait();
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    SerialOpenAttempt attempt = OpenOnce(path, baud, lock_dir, {}, log);
    if (attempt.port) scope->NoteBorrowed(path, who);
    if (!attempt.busy) return attempt;
  }
  const auto seconds = std::chrono::duration<double>(scope->wait()).count();
  SerialOpenAttempt refused =
      Failed(PortError(path,
                       who + " holds serial port " + path.string() + " and did not let go within " +
                           spdlog::fmt_lib::format("{:g}", seconds) + " s",
                       "lock", "if it is stopped (Ctrl-Z), resume it with fg; or end it"));
  refused.busy = true;
  return refused;
}

}  // namespace

SerialOpenAttempt OpenSerialPort(const fs::path& path, uint32_t baud, const fs::path& lock_dir,
                                 spdlog::logger& log, const std::string& lends_as) {
  SerialOpenAttempt attempt = OpenOnce(path, baud, lock_dir, lends_as, log);
  if (!attempt.busy || !lends_as.empty()) return attempt;  // a lender never borrows
  return BorrowFromLender(path, baud, lock_dir, log, std::move(attempt));
}

std::unique_ptr<SerialPort> OpenSerialPortOrThrow(const fs::path& path, uint32_t baud,
                                                  const fs::path& lock_dir, spdlog::logger& log) {
  SerialOpenAttempt attempt = OpenSerialPort(path, baud, lock_dir, log);
  if (!attempt.port) throw *attempt.error;
  return std::move(attempt.port);
}

fs::path SerialLockFilePath(const fs::path& lock_dir, const fs::path& port) {
  std::error_code ec;
  fs::path resolved = fs::canonical(port, ec);
  std::string name = (ec ? port : resolved).string();
  std::string sanitised;
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-';
    sanitised += plain ? c : '_';
  }
  size_t start = sanitised.find_first_not_of('_');
  sanitised = start == std::string::npos ? "port" : sanitised.substr(start);
  return lock_dir / ("tockctl-" + sanitised + ".lock");
}

fs::path DefaultSerialLockDir() {
  if (::access("/run/lock", W_OK) == 0) return "/run/lock";
  return fs::temp_directory_path();
}

}  // namespace tockctl::devices
