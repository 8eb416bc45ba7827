#include "tracer/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Bit-at-a-time reference straight from the spec's pseudo-code.
uint32_t ReferenceCrc(std::span<const uint8_t> data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return crc ^ 0xFFFFFFFFu;
}

TEST(Crc32c, PortableCheckValue) { EXPECT_EQ(Crc32cPortable(Bytes("123456789")), 0xE3069283u); }

TEST(Crc32c, DispatchedCheckValue) { EXPECT_EQ(Crc32c(Bytes("123456789")), 0xE3069283u); }

TEST(Crc32c, EmptyInput) {
  EXPECT_EQ(Crc32cPortable({}), 0u);
  EXPECT_EQ(Crc32c({}), 0u);
}

TEST(Crc32c, Sse42CheckValue) {
  if (!Crc32cHasSse42()) GTEST_SKIP() << "this CPU has no SSE4.2; the portable path is used";
  EXPECT_EQ(Crc32cSse42(Bytes("123456789")), 0xE3069283u);
}

TEST(Crc32c, BothPathsMatchReferenceOnEveryLengthAndAlignment) {
  std::mt19937 rng(1234);
  std::vector<uint8_t> data(3000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; len < 300; ++len) {
      std::span<const uint8_t> part(data.data() + offset, len);
      const uint32_t expected = ReferenceCrc(part);
      ASSERT_EQ(Crc32cPortable(part), expected) << "offset " << offset << " len " << len;
      if (Crc32cHasSse42()) {
        ASSERT_EQ(Crc32cSse42(part), expected);
      }
      ASSERT_EQ(Crc32c(part), expected);
    }
  }
  std::span<const uint8_t> whole(data);
  EXPECT_EQ(Crc32cPortable(whole), ReferenceCrc(whole));
  if (Crc32cHasSse42()) {
    EXPECT_EQ(Crc32cSse42(whole), ReferenceCrc(whole));
  }
}

TEST(Crc32c, SpecWorkedExampleIpcSend) {
  const std::vector<uint8_t> covered = {0x01, 0x24, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x39,
                                        0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
                                        0x02, 0x00, 0x03, 0x00, 0x07, 0x00, 0x2a, 0x00, 0x00,
                                        0x00, 0x10, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Crc32cPortable(covered), 0x4A255F8Du);
  EXPECT_EQ(Crc32c(covered), 0x4A255F8Du);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
