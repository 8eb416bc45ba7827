#include "devices/unique_fd.h"

#include <unistd.h>

#include <cstring>

namespace tockctl::devices {

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string ErrnoText(int err) { return std::strerror(err); }

}  // namespace tockctl::devices
