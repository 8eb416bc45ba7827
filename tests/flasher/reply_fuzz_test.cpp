// Fuzz-style tests for the device reply parsers of the serial and USB flash methods: the valid seed
// parses; truncated, mutated and random inputs either parse or throw a one-line tockctl::Error of
// the expected category; inputs too short to hold a reply are rejected.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "common/error.h"
#include "flasher/dfu.h"
#include "flasher/picoboot.h"
#include "flasher/tock_bootloader_protocol.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using Parser = std::function<void(std::span<const uint8_t>)>;

// What a parser must do with the inputs Hammer makes.
struct Expectations {
  std::set<ErrorCategory> categories;  ///< The only categories a rejection may carry.
  size_t min_size = 0;                 ///< Every input shorter than this must be rejected.
};

// Counts of what the parser did.
struct Tally {
  int parsed = 0;
  int rejected = 0;
};

// Parses `input`: true if it decoded, false if it was rejected with a one-line Error of an
// expected category; anything else fails the test (or escapes it).
bool Decodes(const Parser& parse, std::span<const uint8_t> input, const Expectations& expect) {
  try {
    parse(input);
    return true;
  } catch (const Error& e) {
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(e.Describe().find('\n'), std::string::npos) << e.Describe();
    EXPECT_TRUE(expect.categories.count(e.category()))
        << CategoryName(e.category()) << ": " << e.Describe();
    return false;
  }
}

void Count(const Parser& parse, std::span<const uint8_t> input, const Expectations& expect,
           Tally& tally) {
  bool ok = Decodes(parse, input, expect);
  if (ok && input.size() < expect.min_size) ADD_FAILURE() << input.size() << " bytes decoded";
  (ok ? tally.parsed : tally.rejected)++;
}

// The seed decodes; its truncations, random mutations and junk either decode or are rejected as
// `expect` says; and both outcomes occur, so a parser that rejects or accepts everything fails.
void Hammer(const Parser& parse, std::vector<uint8_t> seed, const Expectations& expect) {
  ASSERT_TRUE(Decodes(parse, seed, expect)) << "the valid seed was rejected";
  std::mt19937 rng(1234);
  Tally tally;
  for (size_t n = 0; n <= seed.size(); ++n) Count(parse, std::span(seed.data(), n), expect, tally);
  for (int round = 0; round < 2000; ++round) {
    auto input = seed;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips && !input.empty(); ++f)
      input[rng() % input.size()] = static_cast<uint8_t>(rng());
    if (rng() % 4 == 0) input.resize(rng() % (input.size() + 1));
    Count(parse, input, expect, tally);
  }
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> junk(rng() % 300);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    Count(parse, junk, expect, tally);
  }
  EXPECT_GT(tally.parsed, 0);
  EXPECT_GT(tally.rejected, 0);
}

TEST(ReplyFuzzTest, BootloaderInfo) {
  std::string json = R"({"version":"1.1.3", "name":"Tock Bootloader"})";
  std::vector<uint8_t> seed(193, 0);
  seed[0] = static_cast<uint8_t>(json.size());
  std::copy(json.begin(), json.end(), seed.begin() + 1);
  Hammer([](std::span<const uint8_t> b) { DecodeBootloaderInfo(b, "/dev/ttyACM0"); }, seed,
         {{ErrorCategory::kDeviceReported, ErrorCategory::kInvalidInput}, 1 + json.size()});
}

TEST(ReplyFuzzTest, BootloaderAttribute) {
  std::vector<uint8_t> seed(64, 0);
  seed[0] = 'b';
  seed[8] = 3;
  seed[9] = 'x';
  auto decode = [](std::span<const uint8_t> b) {
    BootloaderAttribute a = DecodeBootloaderAttribute(b);
    if (a.present) {
      EXPECT_FALSE(a.key.empty());
      EXPECT_LE(a.key.size(), 8u);
      EXPECT_EQ(a.value.size(), b[8]);
    }
  };
  Hammer(decode, seed, {{ErrorCategory::kInvalidInput}, kBootloaderAttributeSize});
  EXPECT_TRUE(DecodeBootloaderAttribute(seed).present);
}

TEST(ReplyFuzzTest, PicobootStatus) {
  Hammer([](std::span<const uint8_t> b) { DecodePicobootStatus(b); },
         {1, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0}, {{ErrorCategory::kInvalidInput}, 16});
}

TEST(ReplyFuzzTest, DfuStatusAndFunctionalDescriptor) {
  Hammer([](std::span<const uint8_t> b) { DecodeDfuStatus(b); }, {0, 1, 0, 0, 4, 0},
         {{ErrorCategory::kInvalidInput}, 6});
  // No functional descriptor found counts as a rejection here, so the seed must hold one.
  auto find = [](std::span<const uint8_t> b) {
    if (!FindDfuFunctional(b))
      throw Error(ErrorCategory::kDeviceReported, "no DFU functional descriptor");
  };
  Hammer(find, {0x05, 0x24, 0, 0, 0, 0x09, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01},
         {{ErrorCategory::kInvalidInput, ErrorCategory::kDeviceReported}, 7});
}

TEST(ReplyFuzzTest, DfuseLayout) {
  std::string seed = "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg";
  Hammer([](std::span<const uint8_t> b) { ParseDfuseLayout(std::string(b.begin(), b.end())); },
         std::vector<uint8_t>(seed.begin(), seed.end()), {{ErrorCategory::kInvalidInput}, 0});
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
