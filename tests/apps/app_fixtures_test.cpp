// tests/fixtures/apps/: the TABs, TBFs and app flash image that docs/apps.md and the CLI tests use,
// written by the project's own writer. The test fails when a file differs from what the writer
// makes now; TOCKCTL_UPDATE_APP_FIXTURES=1 rewrites them (then review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "apps/placement.h"
#include "common/file_io.h"
#include "common/hex.h"
#include "config/board_catalog.h"
#include "tests/apps/app_test_data.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

using apps::testing::MakeApp;
using apps::testing::MakeTab;

using Files = std::map<std::string, std::vector<uint8_t>>;

std::vector<std::pair<std::string, std::vector<uint8_t>>> EveryArch(
    const std::function<std::vector<uint8_t>()>& make) {
  return {{"cortex-m0.tbf", make()}, {"cortex-m4.tbf", make()}, {"rv32imac.tbf", make()}};
}

std::vector<uint8_t> Service() {
  TbfBuild b;
  b.header.flags = kTbfFlagEnabled;
  b.header.program = TbfProgram{{0x41, 0, 0x2000}, 0, 3};
  b.header.package_name = "org.tockos.rot13";
  b.header.permissions = std::vector<TbfPermission>{{0x10000, 0, 0xF}, {0x1, 0, 0x3}};
  b.header.kernel_version = TbfKernelVersion{2, 1};
  b.header.short_id = 0x13;
  std::vector<uint8_t> hash(32);
  for (size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<uint8_t>(i);
  b.header.credentials = {{3, hash}};
  b.binary.assign(0x1200, 0x5A);
  b.minimum_total_size = 0x1400;
  return BuildTbf(b);
}

Files MakeFixtures() {
  Files files;
  files["blink.tab"] = MakeTab("blink", EveryArch([] { return MakeApp("blink", 0x400, 0x800); }));
  files["rot13_service.tab"] = MakeTab("rot13_service", EveryArch(Service));
  files["rot13_client.tab"] =
      MakeTab("rot13_client", EveryArch([] { return MakeApp("rot13_client", 0x800, 0x900); }));
  std::vector<std::pair<std::string, std::vector<uint8_t>>> fixed;
  for (const auto& [flash, ram] :
       std::vector<std::pair<uint32_t, uint32_t>>{{0x80100080, 0x80300000},
                                                  {0x80110080, 0x80310000},
                                                  {0x80130080, 0x80330000},
                                                  {0x80180080, 0x80380000}})
    fixed.emplace_back("rv32imac." + HexNumber(flash) + "." + HexNumber(ram) + ".tbf",
                       apps::testing::MakeFixedApp("counter", flash, ram, 0x1000));
  files["counter_fixed.tab"] = MakeTab("counter", fixed);
  auto bad = MakeApp("blink", 0x400, 0x800);
  bad[12] ^= 0x01;
  files["bad-checksum.tbf"] = bad;
  // hail's app flash with rot13_client and a sticky blink on it.
  PlacementRequest r;
  r.board = config::LoadCatalogFile(tockctl::testing::SourceDir() / "boards/hail.json").board;
  r.bundles = {
      ReadAppBundle(files["rot13_client.tab"], "rot13_client.tab"),
      ReadAppBundle(WithTbfFlags(MakeApp("blink", 0x200, 0x400), kTbfFlagEnabled | kTbfFlagSticky),
                    "blink.tbf")};
  files["hail-app-flash.bin"] = PlanImage(PlanPlacement(r));
  // A RISC-V program for `tockctl app pack`: `j .` (0x0000006f) at its entry, linked at 0.
  tockctl::testing::ElfSpec hello;
  hello.segments.push_back({1, 0, 0, {0x6f, 0x00, 0x00, 0x00}, 0, ".text"});
  files["hello.elf"] = tockctl::testing::BuildElf(hello);
  // An ELF shaped like a libtock-c app linked for flash 0x80100080, RAM 0x80300000 (made by the
  // test ELF builder, not by libtock-c).
  files["libtockc_fixed.elf"] =
      tockctl::testing::BuildElf(tockctl::testing::LibtockcElfSpec(0x80100080, 0x80300000));
  return files;
}

TEST(AppFixtures, AreWhatTheWriterWritesNow) {
  const auto dir = tockctl::testing::SourceDir() / "tests/fixtures/apps";
  const bool update = std::getenv("TOCKCTL_UPDATE_APP_FIXTURES") != nullptr;
  for (const auto& [name, bytes] : MakeFixtures()) {
    if (update) WriteFileAtomic(dir / name, std::span<const uint8_t>(bytes));
    EXPECT_EQ(ReadBinaryFile(dir / name), bytes)
        << name << " differs; rerun with TOCKCTL_UPDATE_APP_FIXTURES=1 and review the diff";
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps
