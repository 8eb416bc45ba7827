#include "apps/app_pack.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::ErrorText;

TEST(AppPack, ProgramIsTheLoadedSegmentsAndTheHeaderFollowsTheBook) {
  tockctl::testing::ElfSpec spec;
  spec.entry = 0x10004;
  spec.segments.push_back(
      {1, 0x10000, 0, {0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44}, 0, ".text"});
  // .data: run in RAM at 0x20000000, loaded after .text; .bss: 0x100 more bytes of RAM.
  spec.segments.push_back({1, 0x10008, 0x20000000, {1, 2, 3, 4}, 0x104, ".data", 3, ".bss"});
  PackOptions o;
  o.name = "ab";
  o.stack = 0x800;
  o.heap = 0x400;
  o.kernel_heap = 0x400;
  o.kernel = TbfKernelVersion{2, 1};
  const auto tbf = PackElf(tockctl::testing::BuildElf(spec), "ab.elf", o);
  // Base header, Program (20 bytes), PackageName "ab", KernelVersion 2.1: header_size 0x38,
  // then the 12 program bytes: total 0x44.
  const std::vector<uint8_t> header_start = {0x02, 0x00, 0x38, 0x00, 0x44, 0x00,
                                             0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
  ASSERT_EQ(tbf.size(), 0x44u);
  EXPECT_EQ(std::vector<uint8_t>(tbf.begin(), tbf.begin() + 12), header_start);
  const TbfFile f = ParseTbf(tbf, "ab.tbf");
  EXPECT_TRUE(f.findings.empty());
  EXPECT_EQ(f.header.program->main.init_fn_offset, 4u);
  // stack + heap + kernel heap + .data (run in RAM, 0x104 with its .bss).
  EXPECT_EQ(f.header.program->main.minimum_ram_size, 0x800u + 0x400u + 0x400u + 0x104u);
  EXPECT_EQ(f.header.program->binary_end_offset, 0x44u);
  EXPECT_EQ(std::vector<uint8_t>(tbf.begin() + 0x38, tbf.end()),
            (std::vector<uint8_t>{0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4}));
  EXPECT_EQ(f.header.Name(), "ab");
  EXPECT_EQ(f.header.kernel_version->minor, 1);
}

TEST(AppPack, RefusesWhatItCannotPack) {
  tockctl::testing::ElfSpec spec;
  spec.entry = 0x9000;
  spec.segments.push_back({1, 0x10000, 0, {1, 2, 3, 4}, 0, ".text"});
  PackOptions o;
  o.name = "x";
  EXPECT_EQ(ErrorText([&] { PackElf(tockctl::testing::BuildElf(spec), "x.elf", o); }),
            "x.elf: entry point 0x00009000 is outside the program 0x00010000..0x00010004; link "
            "the program with its entry (_start) in a loadable segment");
  spec.entry = 0x10000;
  spec.segments.push_back({1, 0x30000000, 0, {5}, 0, ".far"});
  EXPECT_EQ(ErrorText([&] { PackElf(tockctl::testing::BuildElf(spec), "x.elf", o); }),
            "x.elf: the loadable segments span 0x2fff0001 bytes from 0x00010000, more than an "
            "app's 1 MiB; link the program so that its flash segments are contiguous");
  spec.segments = {};
  EXPECT_EQ(ErrorText([&] { PackElf(tockctl::testing::BuildElf(spec), "x.elf", o); }),
            "x.elf: has no loadable segment with contents; give the linked program (an "
            "executable ELF), not an object file");
}

// libtock-c's shape (tests/support/elf_builder.h): flash at 0x80100080, RAM at 0x80300000.
std::vector<uint8_t> LibtockcElf(uint64_t flash = 0x80100080, uint64_t ram = 0x80300000) {
  return tockctl::testing::BuildElf(tockctl::testing::LibtockcElfSpec(flash, ram));
}

PackOptions Rot13Options() {
  PackOptions o;
  o.name = "rot13";
  o.kernel = TbfKernelVersion{2, 2};
  o.minimum_footer_size = 3000;
  return o;
}

std::vector<uint8_t> Slice(const std::vector<uint8_t>& v, size_t from, size_t to) {
  return {v.begin() + static_cast<std::ptrdiff_t>(from),
          v.begin() + static_cast<std::ptrdiff_t>(to)};
}

TEST(AppPack, ChoosesElf2tabsLayoutForAnElfWithACrt0Header) {
  EXPECT_EQ(ChoosePackLayout(LibtockcElf(), "a.elf", PackLayout::kAuto), PackLayout::kElf2tab);
  tockctl::testing::ElfSpec simple;
  simple.segments.push_back({1, 0x10000, 0, {1, 2, 3, 4}, 0, ".text"});
  const auto elf = tockctl::testing::BuildElf(simple);
  EXPECT_EQ(ChoosePackLayout(elf, "b.elf", PackLayout::kAuto), PackLayout::kSimple);
  EXPECT_EQ(ChoosePackLayout(elf, "b.elf", PackLayout::kElf2tab), PackLayout::kElf2tab);
}

TEST(AppPack, FixedAddressLibtockcElfIsLaidOutAsElf2tabDoes) {
  const auto tbf = PackElf(LibtockcElf(), "rot13.elf", Rot13Options());
  // Header: base 16, Main 16, Program 24, PackageName "rot13" 12, FixedAddresses 12,
  // KernelVersion 8 = 0x58. The protected region runs from the 256-byte boundary 0x80100000
  // to the fixed flash address 0x80100080: 0x80 bytes, a trailer of 0x28 after the header.
  // Program: the flash segment (0x38), .data's load image (8), the relocation data's length
  // (4) and bytes (8): binary_end 0x80 + 0x4c = 0xcc; then a 3000-byte Reserved footer.
  ASSERT_EQ(tbf.size(), 0xccu + 3000u);
  const TbfFile f = ParseTbf(tbf, "rot13.tbf");
  EXPECT_TRUE(f.findings.empty());
  const TbfHeader& h = f.header;
  EXPECT_EQ(h.header_size, 0x58);
  EXPECT_EQ(h.flags, kTbfFlagEnabled);
  EXPECT_EQ(h.tlv_order, (std::vector<uint16_t>{kTbfMain, kTbfProgram, kTbfPackageName,
                                                kTbfFixedAddresses, kTbfKernelVersion}));
  ASSERT_TRUE(h.main && h.program && h.fixed_addresses && h.kernel_version);
  // init_fn_offset counts from the header's end: the trailer, then _start at 40 (after crt0).
  EXPECT_EQ(h.program->main.init_fn_offset, 0x28u + 40u);
  EXPECT_EQ(h.program->main.protected_trailer_size, 0x28u);
  // .data + .bss (0x28, run in RAM, loaded in flash) + .stack's 0x800 + heap 0x400 + 0x400.
  EXPECT_EQ(h.program->main.minimum_ram_size, 0x28u + 0x800u + 0x400u + 0x400u);
  EXPECT_EQ(h.program->binary_end_offset, 0xccu);
  EXPECT_EQ(h.program->version, 0u);
  EXPECT_EQ(h.main->init_fn_offset, h.program->main.init_fn_offset);
  EXPECT_EQ(h.main->protected_trailer_size, 0x28u);
  EXPECT_EQ(h.main->minimum_ram_size, h.program->main.minimum_ram_size);
  EXPECT_EQ(h.fixed_addresses->flash, 0x80100080u);
  EXPECT_EQ(h.fixed_addresses->ram, 0x80300000u);
  EXPECT_EQ(h.kernel_version->major, 2);
  EXPECT_EQ(h.kernel_version->minor, 2);
  EXPECT_EQ(h.Name(), "rot13");
  // Placed where its fixed flash address says, the program starts at 0x80100080.
  EXPECT_EQ(h.header_size + h.program->main.protected_trailer_size, 0x80u);
  EXPECT_EQ(Slice(tbf, 0x58, 0x80), std::vector<uint8_t>(0x28, 0));
  const auto spec = tockctl::testing::LibtockcElfSpec(0x80100080, 0x80300000);
  EXPECT_EQ(Slice(tbf, 0x80, 0xb8), spec.segments[0].data);  // .crt0_header, .text
  EXPECT_EQ(Slice(tbf, 0xb8, 0xc0), spec.segments[1].data);  // .data's load image
  // crt0's reldata_start (0x40): the length of the relocation data, then .rel.data.
  EXPECT_EQ(Slice(tbf, 0xc0, 0xcc),
            (std::vector<uint8_t>{8, 0, 0, 0, 0x04, 0x08, 0x30, 0x80, 0x03, 0, 0, 0}));
  ASSERT_EQ(h.credentials.size(), 1u);
  EXPECT_EQ(h.credentials[0].format, 0u);
  EXPECT_EQ(h.credentials[0].data.size(), 3000u - 8u);
}

TEST(AppPack, PositionIndependentArmElfHasNoFixedAddressesAndAPowerOfTwoSize) {
  auto spec = tockctl::testing::LibtockcElfSpec(0x80000000, 0);
  spec.machine = 40;  // EM_ARM
  PackOptions o = Rot13Options();
  o.minimum_footer_size = 0;
  o.stack = 0x3FC;  // rounded up to 0x400
  const auto tbf = PackElf(tockctl::testing::BuildElf(spec), "rot13.elf", o);
  // Header 0x4c (no FixedAddresses), protected region = the header; binary_end 0x4c + 0x4c =
  // 0x98, padded to 512 bytes (ARM MPU regions) by a Reserved footer.
  ASSERT_EQ(tbf.size(), 512u);
  const TbfFile f = ParseTbf(tbf, "rot13.tbf");
  EXPECT_TRUE(f.findings.empty());
  EXPECT_EQ(f.header.header_size, 0x4c);
  EXPECT_FALSE(f.header.fixed_addresses.has_value());
  EXPECT_EQ(f.header.program->main.protected_trailer_size, 0u);
  EXPECT_EQ(f.header.program->main.init_fn_offset, 40u);
  EXPECT_EQ(f.header.program->main.minimum_ram_size, 0x28u + 0x400u + 0x400u + 0x400u);
  EXPECT_EQ(f.header.program->binary_end_offset, 0x98u);
  EXPECT_EQ(Slice(tbf, 0x4c, 0x84), spec.segments[0].data);
  ASSERT_EQ(f.header.credentials.size(), 1u);
  EXPECT_EQ(f.header.credentials[0].data.size(), 512u - 0x98u - 8u);
}

TEST(AppPack, ProtectedRegionSizeOptionMovesTheTbfStart) {
  PackOptions o = Rot13Options();
  o.protected_region_size = 0x100;
  const TbfFile f = ParseTbf(PackElf(LibtockcElf(0x80100010), "a.elf", o), "a.tbf");
  // The TBF starts 0x100 bytes before 0x80100010, at 0x800fff10.
  EXPECT_EQ(f.header.header_size + f.header.program->main.protected_trailer_size, 0x100u);
  EXPECT_EQ(f.header.program->main.init_fn_offset, 0x100u - 0x58u + 40u);
  EXPECT_EQ(f.header.fixed_addresses->flash, 0x80100010u);
}

TEST(AppPack, RefusesALibtockcElfItCannotLayOutAsElf2tabDoes) {
  const PackOptions o = Rot13Options();
  EXPECT_EQ(ErrorText([&] { PackElf(LibtockcElf(0x80100010), "a.elf", o); }),
            "a.elf: the fixed flash address 0x80100010 is 0x10 bytes past the 256-byte boundary "
            "0x80100000 where the TBF would start, too few for its 0x58-byte header; link the "
            "app's flash at least 0x58 bytes past a 256-byte boundary (libtock-c uses 0x...80), "
            "or give --protected-region-size");
  PackOptions small = o;
  small.protected_region_size = 0x20;
  EXPECT_EQ(ErrorText([&] { PackElf(LibtockcElf(), "a.elf", small); }),
            "a.elf: the protected region of 0x20 bytes (--protected-region-size) is smaller than "
            "the 0x58-byte TBF header; give at least 0x58");
  auto spec = tockctl::testing::LibtockcElfSpec(0x80100080, 0x80300000);
  spec.segments[0].data[32] = 0x44;  // reldata_start 0x44, past the image's 0x40
  EXPECT_EQ(ErrorText([&] { PackElf(tockctl::testing::BuildElf(spec), "a.elf", o); }),
            "a.elf: the .crt0_header's reldata_start is 0x44 but the flash segments end at 0x40, "
            "where the relocation data goes; link with libtock-c's userland_generic.ld, which "
            "ends flash with .endflash");
  spec = tockctl::testing::LibtockcElfSpec(0x80100080, 0x80300000);
  spec.segments[1].paddr = 0x80100090;  // .data's load image inside the flash segment
  EXPECT_EQ(ErrorText([&] { PackElf(tockctl::testing::BuildElf(spec), "a.elf", o); }),
            "a.elf: PT_LOAD[1] is loaded at 0x80100090, before the end of the segment before it "
            "(0x801000b8); link the flash segments in load-address order");
  PackOptions huge = o;
  huge.minimum_footer_size = 0xFFFFFFFF;
  EXPECT_EQ(ErrorText([&] { PackElf(LibtockcElf(), "a.elf", huge); }),
            "a.elf: --minimum-footer-size 0xffffffff is more than an app's 1 MiB; give a smaller "
            "--minimum-footer-size");
  PackOptions sized = o;
  sized.minimum_total_size = 4096;
  EXPECT_EQ(ErrorText([&] { PackElf(LibtockcElf(), "a.elf", sized); }),
            "a.elf: --minimum-size does not apply to the elf2tab layout this ELF is packed in; "
            "give --minimum-footer-size, as libtock-c gives elf2tab");
}

TEST(AppPack, SimpleLayoutRefusesElf2tabOptions) {
  tockctl::testing::ElfSpec spec;
  spec.segments.push_back({1, 0x10000, 0, {1, 2, 3, 4}, 0, ".text"});
  PackOptions o;
  o.name = "x";
  o.minimum_footer_size = 3000;
  EXPECT_EQ(ErrorText([&] { PackElf(tockctl::testing::BuildElf(spec), "x.elf", o); }),
            "x.elf: --minimum-footer-size does not apply to the simple layout this ELF is packed "
            "in; leave it out, or give --layout elf2tab for a libtock-c ELF");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps
