// A device peer made of fuzz input: whatever the host sends is dropped, and reads return the
// scripted reply bytes in pieces of pseudo-random size; once they run out, every read times out
// at once (returns 0), so no target ever waits for real time.
#pragma once

#include <spdlog/logger.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "flasher/link.h"
#include "flasher/serial_link.h"
#include "fuzz/fuzz_support.h"

namespace tockctl::fuzz {

/// The reply bytes and the read position, shared by the links made from them.
class ReplyScript {
 public:
  explicit ReplyScript(std::vector<uint8_t> bytes)
      : bytes_(std::move(bytes)), rng_(std::span<const uint8_t>(bytes_)) {}

  size_t Read(std::span<uint8_t> out) {
    size_t n = std::min({out.size(), bytes_.size() - pos_, rng_.Size(96)});
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }
  /// Counts what the host sends; a host that keeps sending without end is a hang.
  void Sent(size_t n) {
    sent_ += n;
    FUZZ_CHECK(sent_ < (64u << 20));
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
  size_t sent_ = 0;
  Xorshift rng_;
};

/// flasher::Link (gdb servers) over a ReplyScript.
class ScriptedLink : public flasher::Link {
 public:
  explicit ScriptedLink(std::shared_ptr<ReplyScript> script) : script_(std::move(script)) {}
  void Write(std::span<const uint8_t> data) override { script_->Sent(data.size()); }
  size_t Read(std::span<uint8_t> buffer, std::chrono::milliseconds) override {
    return script_->Read(buffer);
  }
  std::string Describe() const override { return "tcp 127.0.0.1:1234"; }

 private:
  std::shared_ptr<ReplyScript> script_;
};

/// flasher::SerialLink (serial bootloaders) over a ReplyScript. DiscardInput drops nothing: the
/// scripted bytes stand for replies that arrive after the command.
class ScriptedSerialLink : public flasher::SerialLink {
 public:
  explicit ScriptedSerialLink(std::shared_ptr<ReplyScript> script) : script_(std::move(script)) {}
  const std::string& path() const override { return path_; }
  void Write(std::span<const uint8_t> bytes) override { script_->Sent(bytes.size()); }
  size_t Read(std::span<uint8_t> out, std::chrono::milliseconds) override {
    return script_->Read(out);
  }
  void SetBaudRate(uint32_t) override {}
  bool SetModemLines(bool, bool) override { return false; }
  void DiscardInput() override {}
  bool StillPresent() override { return true; }

 private:
  std::shared_ptr<ReplyScript> script_;
  std::string path_ = "/dev/ttyACM0";
};

/// A logger that drops everything (libraries log through spdlog).
inline std::shared_ptr<spdlog::logger> QuietLogger() {
  static auto logger = [] {
    auto l = std::make_shared<spdlog::logger>("fuzz");
    l->set_level(spdlog::level::off);
    return l;
  }();
  return logger;
}

}  // namespace tockctl::fuzz
