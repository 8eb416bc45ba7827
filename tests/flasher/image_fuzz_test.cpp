// Fuzz-style tests: every parser, fed truncated, mutated and hostile inputs, either parses or
// throws tockctl::Error with a message. Anything else (another exception, a crash, a hang) fails.
#include <gtest/gtest.h>

#include <random>

#include "common/byte_reader.h"
#include "common/error.h"
#include "flasher/elf_image.h"
#include "flasher/ihex_image.h"
#include "flasher/image.h"
#include "flasher/uf2_image.h"
#include "tests/support/elf_builder.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

using Parser = Image (*)(std::span<const uint8_t>);

Image ParseElfInput(std::span<const uint8_t> b) { return ParseElf(b, "fuzz.elf"); }
Image ParseHexInput(std::span<const uint8_t> b) { return ParseIntelHex(b, "fuzz.hex"); }
Image ParseUf2Input(std::span<const uint8_t> b) { return ParseUf2(b, "fuzz.uf2", std::nullopt); }
Image ParseAnyInput(std::span<const uint8_t> b) {
  ImageLoadOptions options;
  options.address = 0x1000;
  return ParseImage(b, "fuzz.bin", options);
}

// Parses and reports: 0 parsed, 1 clean Error. Other exceptions propagate and fail the test.
int Outcome(Parser parse, std::span<const uint8_t> input) {
  try {
    Image image = parse(input);
    for (const auto& s : image.segments) EXPECT_GE(s.end(), s.address);
    return 0;
  } catch (const Error& e) {
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(e.Describe().find('\n'), std::string::npos) << e.Describe();
    return 1;
  }
}

void TruncateEverywhere(Parser parse, const std::vector<uint8_t>& valid) {
  EXPECT_EQ(Outcome(parse, valid), 0);
  for (size_t n = 0; n < valid.size(); ++n)
    Outcome(parse, std::span<const uint8_t>(valid.data(), n));
}

void MutateRandomly(Parser parse, const std::vector<uint8_t>& valid, uint32_t seed, int rounds) {
  std::mt19937 rng(seed);
  for (int round = 0; round < rounds; ++round) {
    std::vector<uint8_t> input = valid;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % input.size();
      switch (rng() % 4) {
        case 0:
          input[at] = static_cast<uint8_t>(rng());
          break;
        case 1:
          input[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 2:
          input[at] = (rng() % 2) ? 0xff : 0x00;
          break;
        case 3:
          if (at + 8 <= input.size()) StoreU64Le(&input[at], rng() % 2 ? ~0ull : 1ull << 63);
          break;
      }
    }
    Outcome(parse, input);
  }
}

std::vector<uint8_t> SampleElf(bool is64) {
  tockctl::testing::ElfSpec spec;
  spec.is64 = is64;
  spec.entry = 0x80000000;
  spec.segments = {{1, 0x80000000, 0, std::vector<uint8_t>(40, 0x13), 0, ".text"},
                   {1, 0x80000100, 0x80200000, {1, 2, 3, 4}, 64, ".data"},
                   {1, 0x80200100, 0, {}, 32, ""}};
  return tockctl::testing::BuildElf(spec);
}

std::vector<uint8_t> SampleHex() {
  Image image;
  image.entry = 0x80000000;
  image.segments = {{0x8000fff0, std::vector<uint8_t>(40, 0xa5), "a"}, {0x90000000, {1, 2}, "b"}};
  std::string text = WriteIntelHex(image);
  return {text.begin(), text.end()};
}

std::vector<uint8_t> SampleUf2() {
  Image image;
  image.segments = {{0x10000000, std::vector<uint8_t>(600, 0x5a), "a"}};
  return WriteUf2(image, 0xe48bff56);
}

TEST(ImageFuzzTest, ElfTruncatedAtEveryOffset) {
  TruncateEverywhere(&ParseElfInput, SampleElf(false));
  TruncateEverywhere(&ParseElfInput, SampleElf(true));
}

TEST(ImageFuzzTest, ElfRandomMutations) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    MutateRandomly(&ParseElfInput, SampleElf(false), seed, 3000);
    MutateRandomly(&ParseElfInput, SampleElf(true), seed, 3000);
  }
}

TEST(ImageFuzzTest, ElfHostileHeaders) {
  auto elf = SampleElf(true);
  // e_phoff, e_shoff near 2^64; e_phnum/e_shnum at their maximum; e_shstrndx out of range.
  for (uint64_t v : {~0ull, ~0ull - 55, 1ull << 63}) {
    auto bad = elf;
    StoreU64Le(&bad[32], v);
    EXPECT_EQ(Outcome(&ParseElfInput, bad), 1);
    bad = elf;
    StoreU64Le(&bad[40], v);
    EXPECT_EQ(Outcome(&ParseElfInput, bad), 1);
  }
  auto bad = elf;
  StoreU16Le(&bad[56], 0xfffe);
  EXPECT_EQ(Outcome(&ParseElfInput, bad), 1);
  bad = elf;
  StoreU16Le(&bad[60], 0xfffe);
  EXPECT_EQ(Outcome(&ParseElfInput, bad), 1);
  bad = elf;
  StoreU16Le(&bad[62], 0xfffe);
  EXPECT_EQ(Outcome(&ParseElfInput, bad), 0);  // names are only labels
  // p_filesz and p_paddr of PT_LOAD[0] huge.
  bad = elf;
  StoreU64Le(&bad[64 + 32], ~0ull);
  EXPECT_EQ(Outcome(&ParseElfInput, bad), 1);
  bad = elf;
  StoreU64Le(&bad[64 + 24], ~0ull - 3);
  EXPECT_EQ(Outcome(&ParseElfInput, bad), 1);
}

TEST(ImageFuzzTest, IntelHexTruncatedAtEveryOffset) {
  TruncateEverywhere(&ParseHexInput, SampleHex());
}

TEST(ImageFuzzTest, IntelHexRandomMutations) {
  for (uint32_t seed : {11u, 12u, 13u}) MutateRandomly(&ParseHexInput, SampleHex(), seed, 3000);
}

TEST(ImageFuzzTest, IntelHexHostileRecords) {
  std::string big = ":FF000000";
  big += std::string(255 * 2, 'A') + "00\n";
  std::vector<uint8_t> input(big.begin(), big.end());
  EXPECT_EQ(Outcome(&ParseHexInput, input), 1);
  std::string top = ":02000004FFFFFC\n:10FFF000000102030405060708090A0B0C0D0E0F89\n:00000001FF\n";
  EXPECT_EQ(Outcome(&ParseHexInput, {reinterpret_cast<const uint8_t*>(top.data()), top.size()}), 0);
}

TEST(ImageFuzzTest, Uf2TruncatedAtEveryOffset) { TruncateEverywhere(&ParseUf2Input, SampleUf2()); }

TEST(ImageFuzzTest, Uf2RandomMutations) {
  for (uint32_t seed : {21u, 22u, 23u}) MutateRandomly(&ParseUf2Input, SampleUf2(), seed, 3000);
}

TEST(ImageFuzzTest, Uf2HostileHeaders) {
  auto uf2 = SampleUf2();
  for (size_t field : {12u, 16u, 20u, 24u, 28u}) {
    auto bad = uf2;
    StoreU32Le(&bad[field], 0xffffffff);
    Outcome(&ParseUf2Input, bad);
  }
}

TEST(ImageFuzzTest, DetectionOfArbitraryBytes) {
  std::mt19937 rng(31);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> input(rng() % 700);
    for (auto& b : input) b = static_cast<uint8_t>(rng());
    if (!input.empty() && round % 3 == 0) input[0] = ':';
    Outcome(&ParseAnyInput, input);
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
