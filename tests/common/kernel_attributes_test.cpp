#include "common/kernel_attributes.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

constexpr uint64_t kFlashEnd = 0x80100000;

void Le16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

void Le32(std::vector<uint8_t>& out, uint32_t v) {
  Le16(out, static_cast<uint16_t>(v));
  Le16(out, static_cast<uint16_t>(v >> 16));
}

void Tlv(std::vector<uint8_t>& out, uint16_t type, uint16_t length) {
  Le16(out, type);
  Le16(out, length);
}

void Header(std::vector<uint8_t>& out, uint8_t version = 1) {
  out.insert(out.end(), {0, 0, 0, version, 'T', 'O', 'C', 'K'});
}

// The block in the order Tock's tock_kernel_layout.ld writes it: kernel version, kernel flash,
// app memory, header, sentinel.
std::vector<uint8_t> TockBlock(std::vector<uint8_t> in_front = {}) {
  std::vector<uint8_t> b = std::move(in_front);
  for (uint16_t v : {2, 3, 0, 1}) Le16(b, v);
  Tlv(b, 0x0103, 8);
  Le32(b, 0x80000000);
  Le32(b, 104492);
  Tlv(b, 0x0102, 8);
  Le32(b, 0x80203000);
  Le32(b, 0x1fd000);
  Tlv(b, 0x0101, 8);
  Header(b);
  return b;
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  try {
    ParseKernelAttributes(bytes, kFlashEnd, "kernel.bin");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "no error";
}

TEST(KernelAttributesTest, ReadsTocksBlockBehindZeroPadding) {
  auto a = ParseKernelAttributes(TockBlock(std::vector<uint8_t>(20, 0)), kFlashEnd, "k.bin");
  ASSERT_TRUE(a.kernel_version);
  EXPECT_EQ(a.kernel_version->Text(), "2.3.0-dev");
  ASSERT_TRUE(a.kernel_flash && a.app_memory);
  EXPECT_EQ(a.kernel_flash->start, 0x80000000u);
  EXPECT_EQ(a.kernel_flash->size, 104492u);
  EXPECT_EQ(a.app_memory->start, 0x80203000u);
  EXPECT_EQ(a.app_memory->size, 0x1fd000u);
  EXPECT_EQ(a.address, kFlashEnd - 44);
  EXPECT_EQ(a.Size(), 44u);
  ASSERT_EQ(a.tlvs.size(), 3u);
  EXPECT_EQ(a.tlvs[0].type, 0x0101);
  EXPECT_EQ(a.tlvs[0].address, kFlashEnd - 20);
  EXPECT_EQ(a.tlvs[2].type, 0x0103);
  EXPECT_EQ(FormatKernelAttributes(a),
            "kernel version  2.3.0-dev\n"
            "kernel flash    0x80000000..0x8001982c  104492 bytes\n"
            "app memory      0x80203000..0x80400000  2084864 bytes\n"
            "attributes      0x800fffd4..0x80100000  44 bytes, version 1, 3 TLVs\n");
}

TEST(KernelAttributesTest, ReadsExactlyTheBlockAsAnElfSectionHoldsIt) {
  auto a = ParseKernelAttributes(TockBlock(), kFlashEnd, "k.elf");
  EXPECT_EQ(a.address, kFlashEnd - 44);
  EXPECT_EQ(a.tlvs.size(), 3u);
}

TEST(KernelAttributesTest, JsonHasAddressesAsHexAndSizesAsNumbers) {
  auto j = KernelAttributesToJson(ParseKernelAttributes(TockBlock(), kFlashEnd, "k.elf"));
  EXPECT_EQ(j["kernel_version"]["text"], "2.3.0-dev");
  EXPECT_EQ(j["kernel_version"]["prerelease"], 1);
  EXPECT_EQ(j["kernel_flash"].dump(), R"({"start":"0x80000000","size":104492})");
  EXPECT_EQ(j["app_memory"].dump(), R"({"start":"0x80203000","size":2084864})");
  EXPECT_EQ(j["attributes"]["address"], "0x800fffd4");
  EXPECT_EQ(j["attributes"]["end"], "0x80100000");
  EXPECT_EQ(j["attributes"]["size"], 44);
  EXPECT_EQ(j["attributes"]["tlvs"][1].dump(),
            R"({"type":"0x102","name":"kernel flash","address":"0x800fffe0","length":8})");
}

TEST(KernelAttributesTest, HeaderAloneHasNoTlvs) {
  std::vector<uint8_t> b;
  Header(b);
  auto a = ParseKernelAttributes(b, kFlashEnd, "k.bin");
  EXPECT_FALSE(a.kernel_version || a.kernel_flash || a.app_memory);
  EXPECT_EQ(a.Size(), 8u);
  EXPECT_EQ(FormatKernelAttributes(a),
            "kernel version  (not in the attributes)\n"
            "kernel flash    (not in the attributes)\n"
            "app memory      (not in the attributes)\n"
            "attributes      0x800ffff8..0x80100000  8 bytes, version 1, 0 TLVs\n");
}

TEST(KernelAttributesTest, TruncatedBeforeTheHeader) {
  EXPECT_EQ(ErrorOf({'O', 'C', 'K'}),
            "kernel.bin: no kernel attributes: 3 bytes end at 0x80100000, fewer than the 8 of the "
            "header and the \"TOCK\" sentinel; Tock's linker script puts the attributes at the "
            "very end of kernel flash; is this a Tock kernel, and is the address or board right?");
}

TEST(KernelAttributesTest, BadSentinel) {
  auto b = TockBlock();
  b.back() = 'X';
  EXPECT_EQ(ErrorOf(b),
            "kernel.bin: no kernel attributes: the 4 bytes before 0x80100000 are 54 4f 43 58, not "
            "the sentinel \"TOCK\" (54 4f 43 4b); Tock's linker script puts the attributes at the "
            "very end of kernel flash; is this a Tock kernel, and is the address or board right?");
  EXPECT_EQ(ErrorOf(std::vector<uint8_t>(64, 0)),
            "kernel.bin: no kernel attributes: the 4 bytes before 0x80100000 are 00 00 00 00, not "
            "the sentinel \"TOCK\" (54 4f 43 4b); Tock's linker script puts the attributes at the "
            "very end of kernel flash; is this a Tock kernel, and is the address or board right?");
}

TEST(KernelAttributesTest, UnsupportedVersion) {
  std::vector<uint8_t> b;
  Header(b, 2);
  EXPECT_EQ(ErrorOf(b),
            "kernel.bin: kernel attributes version 2 at 0x800ffffb is not supported (tockctl "
            "reads version 1)");
}

TEST(KernelAttributesTest, UnknownTypeEndsTheWalk) {
  std::vector<uint8_t> in_front(8, 0xee);
  Tlv(in_front, 0x0200, 0);  // An unknown TLV in front of Tock's three.
  auto a = ParseKernelAttributes(TockBlock(in_front), kFlashEnd, "k.bin");
  EXPECT_EQ(a.tlvs.size(), 3u);
  EXPECT_EQ(a.address, kFlashEnd - 44);

  std::vector<uint8_t> b(12, 0xee);
  Tlv(b, 0x0105, 8);  // Nearest the header: nothing is read past it.
  Header(b);
  auto first = ParseKernelAttributes(b, kFlashEnd, "k.bin");
  EXPECT_TRUE(first.tlvs.empty());
  EXPECT_EQ(first.address, kFlashEnd - 8);
}

TEST(KernelAttributesTest, WrongLengthOfAKnownTlv) {
  std::vector<uint8_t> b(6, 0);
  Tlv(b, 0x0102, 6);
  Header(b);
  EXPECT_EQ(ErrorOf(b),
            "kernel.bin: kernel attributes: the kernel flash TLV (0x102) at 0x800ffff4 has length "
            "6, expected 8");
  std::vector<uint8_t> key(8, 0);
  Tlv(key, 0x0104, 8);
  Header(key);
  EXPECT_EQ(ErrorOf(key),
            "kernel.bin: kernel attributes: the public key TLV (0x104) at 0x800ffff4 has length "
            "8, expected more than 8");
}

TEST(KernelAttributesTest, ValueLongerThanTheBytesInFront) {
  std::vector<uint8_t> b(4, 0);
  Tlv(b, 0x0103, 8);
  Header(b);
  EXPECT_EQ(ErrorOf(b),
            "kernel.bin: kernel attributes: the kernel version TLV at 0x800ffff4 has a value of 8 "
            "bytes but only 4 bytes are in front of it");
}

TEST(KernelAttributesTest, PublicKeyIsWalkedOver) {
  std::vector<uint8_t> key(72, 0x5a);
  Tlv(key, 0x0104, 72);
  auto a = ParseKernelAttributes(TockBlock(key), kFlashEnd, "k.bin");
  ASSERT_EQ(a.tlvs.size(), 4u);
  EXPECT_EQ(a.tlvs[3].type, 0x0104);
  EXPECT_EQ(a.Size(), 44u + 76u);
}

TEST(KernelAttributesTest, SecondKernelVersionIsRefused) {
  std::vector<uint8_t> b(8, 0);
  Tlv(b, 0x0103, 8);
  EXPECT_EQ(ErrorOf(TockBlock(b)),
            "kernel.bin: kernel attributes: a second kernel version TLV (0x103) at 0x800fffc8");
}

TEST(KernelAttributesTest, BytesCannotEndBeforeAddressZero) {
  EXPECT_EQ(ParseKernelAttributes(TockBlock(), 44, "k").address, 0u);
  try {
    ParseKernelAttributes(TockBlock(), 40, "k");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), "k: kernel attributes: 44 bytes cannot end at 0x28");
  }
}

TEST(KernelAttributesTest, VersionText) {
  EXPECT_EQ((KernelVersion{2, 2, 0, 0}).Text(), "2.2.0");
  EXPECT_EQ((KernelVersion{2, 2, 0, 2}).Text(), "2.2.0-alpha");
  EXPECT_EQ((KernelVersion{2, 2, 0, 3}).Text(), "2.2.0-beta");
  EXPECT_EQ((KernelVersion{2, 2, 0, 7}).Text(), "2.2.0-pre-release7");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
