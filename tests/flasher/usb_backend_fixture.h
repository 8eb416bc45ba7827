// What the USB back-end tests (DFU, PICOBOOT) share: a fake USB host the test keeps while the
// back-end owns "a host" made from it, a progress sink that records, a quiet logger, random
// payloads, and the Error a call throws.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "flasher/flash_backend.h"
#include "flasher/picoboot.h"  // UsbHostFactory
#include "tests/flasher/fake_usb.h"
#include "tests/flasher/test_helpers.h"

namespace tockctl::flasher::testing {

/// `n` pseudo-random bytes, the same for the same `seed`.
std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed);

/// Keeps the last progress count and every message.
class RecordingProgress : public ProgressSink {
 public:
  void Begin(Phase, uint64_t) override {}
  void Advance(uint64_t done) override { last = done; }
  void End(Phase) override {}
  void Message(const std::string& text) override { messages.push_back(text); }
  uint64_t last = 0;
  std::vector<std::string> messages;
};

/// Hosts that forward to `host`, for a back-end's UsbHostFactory.
UsbHostFactory FactoryFor(std::shared_ptr<FakeUsbHost> host);

/// A fake host with no devices yet (tests Add them) and a recording progress sink.
class UsbBackendTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeUsbHost> host_ = std::make_shared<FakeUsbHost>();
  RecordingProgress progress_;
};

}  // namespace tockctl::flasher::testing
