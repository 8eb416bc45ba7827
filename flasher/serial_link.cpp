#include "flasher/serial_link.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

// How long one Write may wait for the port to accept more bytes before the link counts as stuck.
constexpr std::chrono::milliseconds kSerialWriteTimeout{5000};

struct BaudEntry {
  uint32_t baud;
  speed_t code;
};

constexpr BaudEntry kBaudTable[] = {
    {1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},
    {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},
    {921600, B921600},   {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000},
    {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000},
};

std::optional<speed_t> SpeedCode(uint32_t baud) {
  for (const auto& e : kBaudTable)
    if (e.baud == baud) return e.code;
  return std::nullopt;
}

Error OpenError(const std::string& path, int err) {
  ErrorContext ctx = DeviceContext(path, "open serial port");
  std::string why = std::strerror(err);
  if (err == ENOENT)
    return Error(ErrorCategory::kTransport, "serial port " + path + " does not exist", ctx,
                 "check the cable and list ports with: tockctl devices");
  if (err == EACCES)
    return Error(ErrorCategory::kTransport, "no permission to open serial port " + path, ctx,
                 "add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in "
                 "again, or install udev/60-tockctl.rules");
  if (err == EBUSY)
    return Error(ErrorCategory::kTransport, "serial port " + path + " is busy", ctx,
                 "close the other program using it (a terminal, tockctl trace, ModemManager)");
  return Error(ErrorCategory::kTransport, "cannot open serial port " + path + ": " + why, ctx);
}

void ApplyRaw(int fd, speed_t speed) {
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) return;  // not a tty: nothing to configure
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
  tio.c_iflag &= ~(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  ::cfsetispeed(&tio, speed);
  ::cfsetospeed(&tio, speed);
  ::tcsetattr(fd, TCSANOW, &tio);
}

}  // namespace

bool IsSupportedBaudRate(uint32_t baud) { return SpeedCode(baud).has_value(); }

std::unique_ptr<SerialLink> TermiosSerialLink::Open(const std::string& path, uint32_t baud) {
  auto speed = SpeedCode(baud);
  if (!speed)
    throw Error(ErrorCategory::kUsage, "unsupported baud rate " + std::to_string(baud),
                DeviceContext(path), "use a standard rate such as 115200 or 921600");
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw OpenError(path, errno);
  ApplyRaw(fd, *speed);
  return std::unique_ptr<SerialLink>(new TermiosSerialLink(path, fd));
}

TermiosSerialLink::~TermiosSerialLink() { ::close(fd_); }

void TermiosSerialLink::ThrowVanished() const {
  // errno (EIO, ENXIO, or none for end-of-file) varies with the driver; the message does not.
  throw Error(ErrorCategory::kTransport, "serial port " + path_ + " vanished", ErrorContext{},
              "the board was unplugged or reset; reconnect it and run the command again");
}

void TermiosSerialLink::Write(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) ThrowVanished();
    pollfd p{fd_, POLLOUT, 0};
    int r = ::poll(&p, 1, static_cast<int>(kSerialWriteTimeout.count()));
    if (r == 0)
      throw Error(ErrorCategory::kTransport, "serial port " + path_ + " stopped accepting data",
                  DeviceContext(path_), "check flow control and the cable");
    if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) ThrowVanished();
  }
}

size_t TermiosSerialLink::Read(std::span<uint8_t> out, std::chrono::milliseconds timeout) {
  if (out.empty()) return 0;
  pollfd p{fd_, POLLIN, 0};
  int r = 0;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  if (r == 0) return 0;
  if (r < 0) ThrowVanished();
  ssize_t n = ::read(fd_, out.data(), out.size());
  if (n > 0) return static_cast<size_t>(n);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  // Readable with no data (EOF) or an error: the other end hung up.
  ThrowVanished();
}

void TermiosSerialLink::SetBaudRate(uint32_t baud) {
  auto speed = SpeedCode(baud);
  if (!speed)
    throw Error(ErrorCategory::kUsage, "unsupported baud rate " + std::to_string(baud),
                DeviceContext(path_), "use a standard rate such as 115200 or 921600");
  termios tio{};
  if (::tcgetattr(fd_, &tio) != 0) ThrowVanished();
  ::cfsetispeed(&tio, *speed);
  ::cfsetospeed(&tio, *speed);
  if (::tcsetattr(fd_, TCSADRAIN, &tio) != 0) ThrowVanished();
}

bool TermiosSerialLink::SetModemLines(bool dtr, bool rts) {
  int set = (dtr ? TIOCM_DTR : 0) | (rts ? TIOCM_RTS : 0);
  int clear = (dtr ? 0 : TIOCM_DTR) | (rts ? 0 : TIOCM_RTS);
  if (set && ::ioctl(fd_, TIOCMBIS, &set) != 0) return false;
  if (clear && ::ioctl(fd_, TIOCMBIC, &clear) != 0) return false;
  return true;
}

void TermiosSerialLink::DiscardInput() { ::tcflush(fd_, TCIFLUSH); }

bool TermiosSerialLink::StillPresent() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) < 0) return false;
  return !(p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

}  // namespace tockctl::flasher
