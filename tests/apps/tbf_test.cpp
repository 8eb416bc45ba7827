#include "apps/tbf.h"

#include <gtest/gtest.h>

#include "common/byte_reader.h"
#include "common/error.h"
#include "tests/apps/app_test_data.h"
#include "tests/support/test_support.h"

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::ErrorText;

// The book's layout, computed by hand: base header (version 2, header_size 0x38, total_size 0x3c,
// flags 1, checksum), Program (type 9, 20 bytes), PackageName "ab" (padded to 4), KernelVersion
// 2.1, then 4 bytes of program. Checksum = XOR of words 0,1,2,4..13 = 0x002b7222.
const std::vector<uint8_t> kHandMadeTbf = {
    0x02, 0x00, 0x38, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // base header
    0x22, 0x72, 0x2b, 0x00,                                                  // checksum
    0x09, 0x00, 0x14, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // Program
    0x00, 0x10, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  //
    0x03, 0x00, 0x02, 0x00, 0x61, 0x62, 0x00, 0x00,                          // PackageName
    0x08, 0x00, 0x04, 0x00, 0x02, 0x00, 0x01, 0x00,                          // KernelVersion
    0xaa, 0xbb, 0xcc, 0xdd};

TEST(Tbf, WriterMatchesTheBooksLayoutByteForByte) {
  TbfBuild b;
  b.header.flags = kTbfFlagEnabled;
  b.header.program = TbfProgram{{0x41, 0, 0x1000}, 0, 1};
  b.header.package_name = "ab";
  b.header.kernel_version = TbfKernelVersion{2, 1};
  b.binary = {0xaa, 0xbb, 0xcc, 0xdd};
  EXPECT_EQ(BuildTbf(b), kHandMadeTbf);
}

TEST(Tbf, ReaderDecodesTheHandMadeTbf) {
  const TbfFile f = ParseTbf(kHandMadeTbf, "ab.tbf");
  EXPECT_TRUE(f.findings.empty());
  EXPECT_EQ(f.header.header_size, 0x38);
  EXPECT_EQ(f.header.total_size, 0x3cu);
  EXPECT_TRUE(f.header.enabled());
  EXPECT_FALSE(f.header.sticky());
  EXPECT_EQ(f.header.checksum, 0x002b7222u);
  EXPECT_EQ(f.header.Name(), "ab");
  ASSERT_TRUE(f.header.program);
  EXPECT_EQ(f.header.program->binary_end_offset, 0x3cu);
  EXPECT_EQ(f.header.program->main.minimum_ram_size, 0x1000u);
  EXPECT_EQ(f.header.tlv_order,
            (std::vector<uint16_t>{kTbfProgram, kTbfPackageName, kTbfKernelVersion}));
}

TEST(Tbf, AWrongChecksumIsAFindingNamingExpectedAndActual) {
  auto bytes = kHandMadeTbf;
  bytes[12] = 0x23;
  const TbfFile f = ParseTbf(bytes, "ab.tbf");
  ASSERT_EQ(f.findings.size(), 1u);
  EXPECT_EQ(f.findings[0],
            "checksum 0x002b7223 is wrong: expected 0x002b7222; the kernel refuses this app");
}

TEST(Tbf, EveryKernelTlvRoundTrips) {
  TbfBuild b;
  TbfHeader& h = b.header;
  h.flags = kTbfFlagEnabled | kTbfFlagSticky;
  h.main = TbfMain{1, 2, 3};
  h.program = TbfProgram{{0x20, 0x40, 0x800}, 0, 7};
  h.package_name = "service";
  h.writeable_flash_regions = {{0x100, 0x200}, {0x400, 0x80}};
  h.fixed_addresses = TbfFixedAddresses{0x80300000, 0x80100080};
  h.permissions = std::vector<TbfPermission>{{0x10000, 0, 0xF}, {0x30007, 1, ~0ull}};
  h.storage_permissions = TbfStoragePermissions{5, {1, 2}, {3}};
  h.kernel_version = TbfKernelVersion{2, 2};
  h.short_id = 0x1234;
  h.pic_option1 = std::vector<uint8_t>(40, 0x11);
  h.unknown_tlvs = {{0x8001, {1, 2, 3}}};
  h.credentials = {{3, std::vector<uint8_t>(32, 0xAB)}, {0, std::vector<uint8_t>(12, 0)}};
  b.binary.assign(100, 0x33);
  const auto bytes = BuildTbf(b);
  const TbfFile f = ParseTbf(bytes, "all.tbf");
  EXPECT_TRUE(f.findings.empty()) << f.findings[0];
  const TbfHeader& r = f.header;
  EXPECT_TRUE(r.sticky());
  EXPECT_EQ(r.main->minimum_ram_size, 3u);
  EXPECT_EQ(r.program->version, 7u);
  EXPECT_EQ(r.program->binary_end_offset, r.header_size + 100u);
  EXPECT_EQ(r.writeable_flash_regions[1].size, 0x80u);
  EXPECT_EQ(r.fixed_addresses->flash, 0x80100080u);
  EXPECT_EQ((*r.permissions)[1].allowed_commands, ~0ull);
  EXPECT_EQ(r.storage_permissions->read_ids, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(r.storage_permissions->modify_ids, (std::vector<uint32_t>{3}));
  EXPECT_EQ(r.kernel_version->minor, 2);
  EXPECT_EQ(*r.short_id, 0x1234u);
  EXPECT_EQ(r.pic_option1->size(), 40u);
  ASSERT_EQ(r.unknown_tlvs.size(), 1u);
  EXPECT_EQ(r.unknown_tlvs[0].type, 0x8001);
  EXPECT_EQ(r.unknown_tlvs[0].data, (std::vector<uint8_t>{1, 2, 3}));
  ASSERT_EQ(r.credentials.size(), 2u);
  EXPECT_EQ(TbfCredentialFormatName(r.credentials[0].format), std::string("SHA256"));
  EXPECT_EQ(r.credentials[1].data.size(), 12u);
  // Rewriting what was read gives the same bytes.
  TbfBuild again;
  again.header = r;
  again.binary.assign(bytes.begin() + r.header_size, bytes.begin() + r.BinaryEnd());
  EXPECT_EQ(BuildTbf(again), bytes);
}

TEST(Tbf, CredentialFormatsHaveTheirNamesAndSizes) {
  const std::vector<std::pair<uint32_t, std::string>> names = {
      {0, "Reserved"},  {1, "Rsa3072Key"},     {2, "Rsa4096Key"},    {3, "SHA256"},
      {4, "SHA384"},    {5, "SHA512"},         {6, "EcdsaNistP256"}, {7, "HmacSha256"},
      {0xA, "Rsa2048"}, {0xF1, "CleartextId"}, {0x99, "unknown"}};
  for (const auto& [format, name] : names) EXPECT_EQ(TbfCredentialFormatName(format), name);
  EXPECT_EQ(TbfCredentialDataSize(6), 64u);
  EXPECT_EQ(TbfCredentialDataSize(0), std::nullopt);
}

TEST(Tbf, ACredentialOfTheWrongSizeIsAFinding) {
  TbfBuild b;
  b.header.program = TbfProgram{};
  b.header.kernel_version = TbfKernelVersion{2, 0};
  b.header.credentials = {{4, std::vector<uint8_t>(10, 0)}};
  const TbfFile f = ParseTbf(BuildTbf(b), "x.tbf");
  ASSERT_EQ(f.findings.size(), 1u);
  EXPECT_EQ(f.findings[0],
            "credentials footer SHA384 at offset 0x30 has 10 bytes of data, the kernel expects 48");
}

TEST(Tbf, PaddingAppIsAHeaderAlone) {
  const auto bytes = BuildPaddingTbf(0x200);
  ASSERT_EQ(bytes.size(), 0x200u);
  const TbfFile f = ParseTbf(bytes, "pad");
  EXPECT_TRUE(f.header.IsPadding());
  EXPECT_TRUE(f.findings.empty());
  EXPECT_EQ(f.header.flags, 0u);
  EXPECT_EQ(f.header.checksum, 0x00100202u);  // 0x00100002 ^ 0x200 ^ 0
}

TEST(Tbf, WithFlagsRewritesFlagsAndChecksum) {
  const auto disabled = WithTbfFlags(kHandMadeTbf, kTbfFlagSticky);
  const TbfFile f = ParseTbf(disabled, "ab.tbf");
  EXPECT_TRUE(f.findings.empty());
  EXPECT_FALSE(f.header.enabled());
  EXPECT_TRUE(f.header.sticky());
}

TEST(Tbf, MissingKernelVersionIsAFinding) {
  TbfBuild b;
  b.header.program = TbfProgram{};
  const TbfFile f = ParseTbf(BuildTbf(b), "old.tbf");
  ASSERT_EQ(f.findings.size(), 1u);
  EXPECT_EQ(f.findings[0], "no KernelVersion TLV; the kernel refuses apps without one");
}

TEST(Tbf, BrokenStructureIsOneLineNamingFileOffsetAndWhatToDo) {
  auto v1 = kHandMadeTbf;
  v1[0] = 1;
  EXPECT_EQ(ErrorText([&] { ParseTbf(v1, "ab.tbf"); }),
            "ab.tbf: offset 0: TBF version is 1, not 2; this is not a Tock app (or a TBF "
            "version the kernel no longer loads)");
  auto truncated = kHandMadeTbf;
  truncated.resize(50);
  EXPECT_EQ(ErrorText([&] { ParseTbf(truncated, "ab.tbf"); }),
            "ab.tbf: offset 4: total_size 0x3c is past the end of the data (0x32 bytes); the "
            "file is truncated: copy or download it again");
  auto long_tlv = kHandMadeTbf;
  long_tlv[50] = 0x40;  // KernelVersion length 0x40
  EXPECT_EQ(ErrorText([&] { ParseTbf(long_tlv, "ab.tbf"); }),
            "ab.tbf: offset 48: TLV KernelVersion (64 bytes) runs past the header's end at "
            "0x38; rebuild the app with elf2tab");
  auto short_program = kHandMadeTbf;
  short_program[18] = 0x10;  // Program 16 bytes
  EXPECT_EQ(ErrorText([&] { ParseTbf(short_program, "ab.tbf"); }),
            "ab.tbf: offset 16: TLV Program is 16 bytes long, the kernel requires 20; rebuild "
            "the app with elf2tab");
  EXPECT_EQ(ErrorText([&] { ParseTbf(std::vector<uint8_t>(3, 0), "x.tbf"); }),
            "x.tbf: offset 0: is 3 bytes, shorter than a TBF base header (16 bytes); give a "
            ".tbf or .tab file built by elf2tab");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(Tbf, MinimumTotalSizeIsReservedCredentialsFootersAsElf2tabWrites) {
  TbfBuild b;
  b.header.program = TbfProgram{};
  b.header.kernel_version = TbfKernelVersion{2, 1};
  b.binary.assign(8, 1);
  b.minimum_total_size = 0x20000;  // more than one footer (a TLV holds at most 0xffff bytes)
  const auto bytes = BuildTbf(b);
  ASSERT_EQ(bytes.size(), 0x20000u);
  const TbfFile f = ParseTbf(bytes, "big.tbf");
  EXPECT_TRUE(f.findings.empty());
  ASSERT_EQ(f.header.credentials.size(), 2u);
  size_t covered = f.header.BinaryEnd();
  for (const TbfCredential& c : f.header.credentials) {
    EXPECT_EQ(c.format, 0u);
    covered += 8 + c.data.size();
  }
  EXPECT_EQ(covered, 0x20000u);
  EXPECT_EQ(f.header.footer_padding, 0u);
}

TEST(Tbf, ZeroBytesAfterTheFootersAreShownAsPadding) {
  TbfBuild b;
  b.header.program = TbfProgram{};
  b.header.kernel_version = TbfKernelVersion{2, 1};
  auto bytes = BuildTbf(b);
  bytes.resize(bytes.size() + 64, 0);
  StoreU32Le(bytes.data() + 4, static_cast<uint32_t>(bytes.size()));
  StoreU32Le(bytes.data() + 12, 0);
  StoreU32Le(bytes.data() + 12, TbfChecksum(std::span(bytes).first(bytes[2])));
  const TbfFile f = ParseTbf(bytes, "z.tbf");
  EXPECT_TRUE(f.findings.empty());
  EXPECT_EQ(f.header.footer_padding, 64u);
  EXPECT_TRUE(f.header.other_footers.empty());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps
