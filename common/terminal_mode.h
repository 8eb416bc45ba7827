// The local terminal in raw mode for an interactive console: keys reach the program one by one,
// unechoed, and Ctrl-C, Ctrl-Z, Ctrl-S are plain bytes; the saved settings come back on every exit.
#pragma once

#include <termios.h>

namespace tockctl {

/// Puts the terminal behind `fd` into raw mode for its lifetime (no line editing, no echo, no
/// signals from keys, no flow control, no CR to LF mapping) and restores the saved settings in its
/// destructor. Output processing stays on, so '\n' still starts a new line at column 0. Does
/// nothing when `fd` is not a terminal (piped input); never throws.
class RawTerminalMode {
 public:
  explicit RawTerminalMode(int fd);
  ~RawTerminalMode();
  RawTerminalMode(const RawTerminalMode&) = delete;
  RawTerminalMode& operator=(const RawTerminalMode&) = delete;

  /// True if the terminal was switched to raw mode (and will be restored).
  bool active() const { return active_; }

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

/// The raw-mode settings RawTerminalMode applies to `cooked` (exposed for tests).
termios RawSettings(const termios& cooked);

}  // namespace tockctl
