#include "tests/support/pty_pair.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace tockctl::testing {

PtyPair::PtyPair() {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) {
    ADD_FAILURE() << "cannot open a pty: " << std::strerror(errno);
    std::abort();
  }
  char name[128];
  ::ptsname_r(master_, name, sizeof(name));
  slave_path_ = name;
  // On Linux, termios calls on the master configure the slave: make it raw before any byte is
  // written, so nothing is echoed or translated even before the source opens the slave.
  struct termios tio {};
  ::tcgetattr(master_, &tio);
  ::cfmakeraw(&tio);
  ::tcsetattr(master_, TCSANOW, &tio);
}

void PtyPair::CloseMaster() {
  if (master_ >= 0) ::close(master_);
  master_ = -1;
}

void PtyPair::Write(std::span<const uint8_t> bytes) const {
  while (!bytes.empty()) {
    ssize_t n = ::write(master_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ADD_FAILURE() << "pty write failed: " << std::strerror(errno);
      return;
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

void PtyPair::Write(const std::string& text) const {
  Write(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void PtyPair::WritePaced(std::span<const uint8_t> bytes, uint32_t baud) const {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    size_t due = std::min<size_t>(
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
