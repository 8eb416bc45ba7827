#include "common/terminal_mode.h"

#include <unistd.h>

namespace tockctl {

termios RawSettings(const termios& cooked) {
  termios raw = cooked;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
  raw.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | ICRNL | INLCR | IGNCR | ISTRIP | BRKINT);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  return raw;
}

RawTerminalMode::RawTerminalMode(int fd) : fd_(fd) {
  if (::isatty(fd_) == 0 || ::tcgetattr(fd_, &saved_) != 0) return;
  const termios raw = RawSettings(saved_);
  active_ = ::tcsetattr(fd_, TCSAFLUSH, &raw) == 0;
}

RawTerminalMode::~RawTerminalMode() {
  if (active_) ::tcsetattr(fd_, TCSADRAIN, &saved_);
}

}  // namespace tockctl
