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

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps
