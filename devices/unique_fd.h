// An owned POSIX file descriptor, closed on destruction; the trace sources' only way to hold one.
#pragma once

#include <string>
#include <utility>

namespace tockctl::devices {

/// Owns one file descriptor (or none, -1) and closes it when destroyed or reset.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  /// Closes the descriptor now (if any).
  void Reset();

 private:
  int fd_ = -1;
};

/// strerror(err) as a std::string ("No such file or directory").
std::string ErrnoText(int err);

}  // namespace tockctl::devices
