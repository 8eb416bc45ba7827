// The keyboard side of `tockctl console`: keys typed (or piped) into standard input go to the
// device between reads, so one thread both types and reads and the source keeps sole use of its
// link (reconnects included).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "tracer/byte_source.h"

namespace tockctl::tracer {

/// The key that ends `tockctl console`: Ctrl-] (0x1d), as in telnet and pyserial's miniterm.
inline constexpr uint8_t kConsoleQuitKey = 0x1d;
/// Longest time a typed key waits before it is sent to the device.
inline constexpr std::chrono::milliseconds kKeySlice{20};

/// A ByteSource around the device's own: each Read first sends the bytes waiting on `input_fd` to
/// the device (up to the quit key, which is not sent), then reads the device for at most
/// kKeySlice at a time until data, a link event or the caller's timeout. stop_requested() becomes
/// true when the quit key is read or `outer_stop` (the signal handlers' flag) is set.
class KeyForwardingSource : public ByteSource {
 public:
  /// Borrows `device` and `outer_stop`; `notes` (may be null) gets the one-line notes.
  KeyForwardingSource(ByteSource& device, int input_fd, const std::atomic<bool>& outer_stop,
                      std::FILE* notes);

  /// Throws what the device's Read throws, and the device's Write errors other than "not
  /// connected" (keys typed while the link is down are dropped, with one note per outage).
  ReadResult Read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  std::string Describe() const override { return device_.Describe(); }
  void Write(std::span<const uint8_t> bytes) override { device_.Write(bytes); }

  /// The flag to hand to TraceSession::Run: quit key read or `outer_stop` set.
  const std::atomic<bool>& stop_requested() const { return stop_; }
  /// Ends the session as the quit key would, but for another reason (the --until text).
  void RequestStop() { stop_.store(true); }
  /// True once the quit key was read.
  bool quit_key_read() const { return quit_key_read_; }
  /// Why the device's stream ended (its kEnd detail), empty while it has not.
  const std::string& end_detail() const { return end_detail_; }
  /// Bytes sent to the device so far.
  uint64_t keys_sent() const { return keys_sent_; }

 private:
  void ForwardKeys();
  void SendToDevice(std::span<const uint8_t> keys);

  ByteSource& device_;
  int input_fd_;
  const std::atomic<bool>& outer_stop_;
  std::FILE* notes_;
  std::atomic<bool> stop_{false};
  bool input_open_ = true;
  bool quit_key_read_ = false;
  bool drop_noted_ = false;
  uint64_t keys_sent_ = 0;
  std::string end_detail_;
};

}  // namespace tockctl::tracer
