#include "tests/support/pty_pair.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/clock.h"

namespace tockctl::testing {
namespace {

struct SpeedName {
  speed_t code;
  uint32_t baud;
};

constexpr SpeedName kSpeeds[] = {
    {B1200, 1200},       {B2400, 2400},       {B4800, 4800},       {B9600, 9600},
    {B19200, 19200},     {B38400, 38400},     {B57600, 57600},     {B115200, 115200},
    {B230400, 230400},   {B460800, 460800},   {B500000, 500000},   {B576000, 576000},
    {B921600, 921600},   {B1000000, 1000000}, {B1500000, 1500000}, {B2000000, 2000000},
    {B3000000, 3000000}, {B4000000, 4000000},
};

std::runtime_error SystemError(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

// On Linux termios calls on the master configure the slave: raw before any byte is written, so
// nothing is echoed or translated even before the code under test opens the slave.
void MakeRaw(int master) {
  termios tio{};
  if (::tcgetattr(master, &tio) != 0) throw SystemError("cannot read the pty's settings");
  ::cfmakeraw(&tio);
  ::cfsetspeed(&tio, B115200);
  if (::tcsetattr(master, TCSANOW, &tio) != 0) throw SystemError("cannot make the pty raw");
}

// Waits until a non-blocking master can take more bytes.
void WaitWritable(int fd) {
  pollfd pfd{fd, POLLOUT, 0};
  ::poll(&pfd, 1, 100);
}

}  // namespace

PtyPair::PtyPair(PtyOptions options) {
  try {
    Open(options);
  } catch (...) {
    CloseMaster();
    throw;
  }
}

void PtyPair::Open(PtyOptions options) {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
    throw SystemError("cannot create a pty");
  char name[128];
  if (::ptsname_r(master_, name, sizeof name) != 0)
    throw SystemError("cannot name the pty's slave");
  slave_path_ = name;
  if (options.raw) MakeRaw(master_);
  if (options.hold_slave) {
    held_slave_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (held_slave_ < 0) throw SystemError("cannot open the pty slave " + slave_path_);
  }
  if (options.nonblocking_master) ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
}

uint32_t PtyPair::SlaveBaud() const {
  termios tio{};
  if (master_ < 0 || ::tcgetattr(master_, &tio) != 0) return 0;
  const speed_t speed = ::cfgetospeed(&tio);
  for (const auto& e : kSpeeds)
    if (e.code == speed) return e.baud;
  return 0;
}

void PtyPair::CloseMaster() {
  if (held_slave_ >= 0) ::close(held_slave_);
  if (master_ >= 0) ::close(master_);
  held_slave_ = master_ = -1;
}

void PtyPair::Write(std::span<const uint8_t> bytes) const {
  while (!bytes.empty()) {
    const ssize_t n = ::write(master_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      WaitWritable(master_);
      continue;
    }
    if (n < 0) throw SystemError("cannot write to the pty " + slave_path_);
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

void PtyPair::Write(const std::string& text) const {
  Write(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void PtyPair::WritePaced(std::span<const uint8_t> bytes, uint32_t baud) const {
  const Clock& clock = SystemClock();
  const auto start = clock.Now();
  size_t sent = 0;
  while (sent < bytes.size()) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock.Now() - start);
    const size_t due = std::min<size_t>(
        bytes.size(),
        static_cast<size_t>(elapsed.count() * static_cast<int64_t>(baud) / 10'000'000));
    if (due > sent) {
      Write(bytes.subspan(sent, due - sent));
      sent = due;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace tockctl::testing
