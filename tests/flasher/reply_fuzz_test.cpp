// Fuzz-style tests for the device reply parsers of the serial and USB flash methods: truncated,
// mutated and random inputs either parse or throw tockctl::Error with a one-line message.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "common/error.h"
#include "flasher/dfu.h"
#include "flasher/picoboot.h"
#include "flasher/tock_bootloader_protocol.h"

namespace tockctl::flasher {
namespace {

using Parser = std::function<void(std::span<const uint8_t>)>;

// 0 parsed, 1 clean Error; anything else escapes and fails the test.
int Outcome(const Parser& parse, std::span<const uint8_t> input) {
  try {
    parse(input);
    return 0;
  } catch (const Error& e) {
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(e.Describe().find('\n'), std::string::npos) << e.Describe();
    return 1;
  }
}

void Hammer(const Parser& parse, std::vector<uint8_t> seed) {
  std::mt19937 rng(1234);
  for (size_t n = 0; n <= seed.size(); ++n) Outcome(parse, std::span(seed.data(), n));
  for (int round = 0; round < 2000; ++round) {
    auto input = seed;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips && !input.empty(); ++f)
      input[rng() % input.size()] = static_cast<uint8_t>(rng());
    if (rng() % 4 == 0) input.resize(rng() % (input.size() + 1));
    Outcome(parse, input);
  }
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> junk(rng() % 300);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    Outcome(parse, junk);
  }
}

TEST(ReplyFuzzTest, BootloaderInfo) {
  std::string json = R"({"version":"1.1.3", "name":"Tock Bootloader"})";
  std::vector<uint8_t> seed(193, 0);
  seed[0] = static_cast<uint8_t>(json.size());
  std::copy(json.begin(), json.end(), seed.begin() + 1);
  Hammer([](std::span<const uint8_t> b) { DecodeBootloaderInfo(b, "/dev/ttyACM0"); }, seed);
}

TEST(ReplyFuzzTest, BootloaderAttribute) {
  std::vector<uint8_t> seed(64, 0);
  seed[0] = 'b';
  seed[8] = 3;
  Hammer([](std::span<const uint8_t> b) { DecodeBootloaderAttribute(b); }, seed);
}

TEST(ReplyFuzzTest, PicobootStatus) {
  Hammer([](std::span<const uint8_t> b) { DecodePicobootStatus(b); },
         {1, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0});
}

TEST(ReplyFuzzTest, DfuStatusAndFunctionalDescriptor) {
  Hammer([](std::span<const uint8_t> b) { DecodeDfuStatus(b); }, {0, 1, 0, 0, 4, 0});
  Hammer([](std::span<const uint8_t> b) { FindDfuFunctional(b); },
         {0x05, 0x24, 0, 0, 0, 0x09, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01});
}

TEST(ReplyFuzzTest, DfuseLayout) {
  std::string seed = "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg";
  Hammer([](std::span<const uint8_t> b) { ParseDfuseLayout(std::string(b.begin(), b.end())); },
         std::vector<uint8_t>(seed.begin(), seed.end()));
}

}  // namespace
}  // namespace tockctl::flasher
