#include "tracer/key_forwarding_source.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "common/error.h"

namespace tockctl::tracer {

KeyForwardingSource::KeyForwardingSource(ByteSource& device, int input_fd,
                                         const std::atomic<bool>& outer_stop, std::FILE* notes)
    : device_(device), input_fd_(input_fd), outer_stop_(outer_stop), notes_(notes) {}

ReadResult KeyForwardingSource::Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ForwardKeys();
    if (outer_stop_.load()) stop_.store(true);
    if (stop_.load()) return {ReadStatus::kTimeout, 0, {}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    ReadResult result =
        device_.Read(buf, std::clamp(left, std::chrono::milliseconds{0}, kKeySlice));
    if (result.status == ReadStatus::kEnd) end_detail_ = result.detail;
    if (result.status != ReadStatus::kTimeout || left <= kKeySlice) return result;
  }
}

// Sends what standard input holds now, without waiting for more.
void KeyForwardingSource::ForwardKeys() {
  std::array<uint8_t, 256> keys{};
  while (input_open_ && !quit_key_read_) {
    pollfd pfd{input_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 0) <= 0) return;
    const ssize_t n = ::read(input_fd_, keys.data(), keys.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {  // end of piped input, or the terminal is gone (SIGHUP follows)
      input_open_ = false;
      return;
    }
    const auto typed = std::span<const uint8_t>(keys.data(), static_cast<size_t>(n));
    const auto quit = std::find(typed.begin(), typed.end(), kConsoleQuitKey);
    SendToDevice(typed.first(static_cast<size_t>(quit - typed.begin())));
    if (quit != typed.end()) {
      quit_key_read_ = true;
      stop_.store(true);
    }
  }
}

void KeyForwardingSource::SendToDevice(std::span<const uint8_t> keys) {
  if (keys.empty()) return;
  try {
    device_.Write(keys);
    keys_sent_ += keys.size();
    drop_noted_ = false;
  } catch (const Error& e) {
    if (e.category() != ErrorCategory::kTransport) throw;
    if (!drop_noted_ && notes_ != nullptr) {
      std::fprintf(notes_, "console: keys not sent, %s\n", e.message().c_str());
      std::fflush(notes_);
    }
    drop_noted_ = true;
  }
}

}  // namespace tockctl::tracer
