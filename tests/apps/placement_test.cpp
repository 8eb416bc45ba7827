#include "apps/placement.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/hex.h"
#include "config/board_catalog.h"
#include "tests/apps/app_test_data.h"
#include "tests/support/test_support.h"

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

using apps::testing::MakeApp;
using apps::testing::MakeTab;

using tockctl::testing::ErrorText;

config::HardwareBoard Board(const std::string& name) {
  return config::LoadCatalogFile(tockctl::testing::SourceDir() / "boards" / (name + ".json")).board;
}

AppBundle Tab(const std::string& file, const std::string& name, uint32_t total,
              const std::vector<std::string>& archs = {"cortex-m0", "cortex-m4", "rv32imac"},
              const std::vector<std::string>& only_for = {}) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> tbfs;
  for (const std::string& arch : archs) tbfs.emplace_back(arch + ".tbf", MakeApp(name, 64, total));
  return ReadAppBundle(MakeTab(name, tbfs, only_for), file);
}

AppBundle FixedTab(const std::string& name, uint32_t total,
                   const std::vector<std::pair<uint32_t, uint32_t>>& variants) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> tbfs;
  for (const auto& [flash, ram] : variants)
    tbfs.emplace_back("rv32imac." + HexNumber(flash) + "." + HexNumber(ram) + ".tbf",
                      apps::testing::MakeFixedApp(name, flash, ram, total));
  return ReadAppBundle(MakeTab(name, tbfs), name + ".tab");
}

struct Row {
  uint64_t address;
  uint32_t size;
  std::string name;
  std::string state;
};

std::vector<Row> Rows(const PlacementPlan& plan) {
  std::vector<Row> out;
  for (const PlannedApp& a : plan.apps) out.push_back({a.address, a.size, a.name, a.state});
  return out;
}

bool operator==(const Row& a, const Row& b) {
  return a.address == b.address && a.size == b.size && a.name == b.name && a.state == b.state;
}

void PrintTo(const Row& r, std::ostream* os) {
  *os << HexNumber(r.address) << " " << HexNumber(r.size) << " " << r.name << " " << r.state;
}

// What the kernel finds walking the plan's image from the start of app flash.
std::vector<std::pair<uint64_t, std::string>> KernelWalk(const PlacementPlan& plan) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (const InstalledApp& a : ReadInstalledApps(PlanImage(plan), plan.app_flash.origin, "image"))
    out.emplace_back(a.address, a.header.Name());
  return out;
}

PlacementRequest Request(const std::string& board, std::vector<AppBundle> bundles) {
  PlacementRequest r;
  r.board = Board(board);
  r.bundles = std::move(bundles);
  return r;
}

TEST(Placement, Armv7mMpuPutsPowerOfTwoRegionsLargestFirstWithPaddingBetween) {
  const auto plan = PlanPlacement(
      Request("hail", {Tab("blink.tab", "blink", 0x800), Tab("service.tab", "service", 0x1400),
                       Tab("client.tab", "client", 0x900)}));
  EXPECT_EQ(
      plan.rule,
      "armv7m-mpu: each app in a power-of-two region aligned to its size (at least 32 bytes)");
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x30000, 0x1400, "service", "new"},
                                          {0x31400, 0xc00, "", "padding"},
                                          {0x32000, 0x900, "client", "new"},
                                          {0x32900, 0x700, "", "padding"},
                                          {0x33000, 0x800, "blink", "new"}}));
  EXPECT_EQ(plan.end, 0x33800u);
  EXPECT_EQ(plan.clear_size, 512u);
  EXPECT_EQ(plan.apps[0].source, "service.tab: cortex-m4.tbf");
  EXPECT_EQ(KernelWalk(plan), (std::vector<std::pair<uint64_t, std::string>>{
                                  {0x30000, "service"}, {0x32000, "client"}, {0x33000, "blink"}}));
  const auto image = PlanImage(plan);
  EXPECT_EQ(image.size(), 0x3a00u);
  EXPECT_EQ(image[0x3800], 0xFF);  // the cleared header after the last app
}

TEST(Placement, PreserveOrderKeepsTheOrderAndStillAligns) {
  auto request =
      Request("hail", {Tab("blink.tab", "blink", 0x800), Tab("service.tab", "service", 0x1400),
                       Tab("client.tab", "client", 0x900)});
  request.preserve_order = true;
  const auto plan = PlanPlacement(request);
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x30000, 0x800, "blink", "new"},
                                          {0x30800, 0x1800, "", "padding"},
                                          {0x32000, 0x1400, "service", "new"},
                                          {0x33400, 0xc00, "", "padding"},
                                          {0x34000, 0x900, "client", "new"}}));
}

TEST(Placement, Armv6mMpuRefusesAnAppSmallerThanItsSmallestRegion) {
  EXPECT_EQ(
      ErrorText([] { PlanPlacement(Request("raspberry_pi_pico", {Tab("t.tab", "t", 128)})); }),
      "t.tab: cortex-m0.tbf: app \"t\" is 128 bytes, smaller than the smallest MPU region of "
      "raspberry_pi_pico (256 bytes); the kernel refuses it; rebuild it padded to at least "
      "256 bytes");
  const auto plan = PlanPlacement(
      Request("raspberry_pi_pico", {Tab("a.tab", "a", 0x300), Tab("b.tab", "b", 0x100)}));
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x10040000, 0x300, "a", "new"},
                                          {0x10040300, 0x100, "", "padding"},
                                          {0x10040400, 0x100, "b", "new"}}));
}

TEST(Placement, Armv8mMpuAlignsTo32BytesInOrderAndLeavesRoomForPadding) {
  const auto plan =
      PlanPlacement(Request("lpc55s69-evk", {Tab("a.tab", "a", 0x1418, {"cortex-m0", "cortex-m33"}),
                                             Tab("b.tab", "b", 0x2000), Tab("c.tab", "c", 0x100)}));
  EXPECT_EQ(plan.rule, "armv8m-mpu: each app starts on a 32-byte boundary");
  // 0x21418 rounded up to 32 is 0x21420, 8 bytes: too small for a padding header.
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x20000, 0x1418, "a", "new"},
                                          {0x21418, 0x28, "", "padding"},
                                          {0x21440, 0x2000, "b", "new"},
                                          {0x23440, 0x100, "c", "new"}}));
  EXPECT_EQ(plan.apps[0].source, "a.tab: cortex-m33.tbf");
}

TEST(Placement, PmpPacksAppsBackToBackInOrder) {
  const auto plan =
      PlanPlacement(Request("arty_e21", {Tab("a.tab", "a", 0x1404), Tab("b.tab", "b", 0x2000)}));
  EXPECT_EQ(plan.rule, "riscv-pmp: each app starts on a 4-byte boundary");
  EXPECT_EQ(Rows(plan),
            (std::vector<Row>{{0x40430000, 0x1404, "a", "new"}, {0x40431404, 0x2000, "b", "new"}}));
  EXPECT_EQ(plan.apps[0].source, "a.tab: rv32imac.tbf");
  EXPECT_EQ(plan.clear_size, 65536u);  // arty_e21's flash page
}

TEST(Placement, X86PagingStartsEveryAppOnItsOwnPage) {
  const auto plan = PlanPlacement(Request(
      "qemu_i486_q35", {Tab("a.tab", "a", 0x1004, {"i486"}), Tab("b.tab", "b", 0x800, {"i486"})}));
  EXPECT_EQ(plan.rule, "x86-paging: each app starts on a 4096-byte boundary");
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x150000, 0x1004, "a", "new"},
                                          {0x151004, 0xffc, "", "padding"},
                                          {0x152000, 0x800, "b", "new"}}));
  EXPECT_EQ(plan.clear_size, 4096u);
}

TEST(Placement, EpmpPicksFixedAddressVariantsThatFitFlashAndRam) {
  const std::vector<std::pair<uint32_t, uint32_t>> variants = {
      {0x80100080, 0x80300000}, {0x80110080, 0x80310000}, {0x80130080, 0x80330000}};
  const auto plan = PlanPlacement(Request(
      "qemu_rv32_virt", {FixedTab("one", 0x1000, variants), FixedTab("two", 0x1000, variants)}));
  EXPECT_EQ(plan.rule, "riscv-epmp: each app starts on a 4-byte boundary");
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x80100000, 0x1000, "one", "new"},
                                          {0x80101000, 0xf000, "", "padding"},
                                          {0x80110000, 0x1000, "two", "new"}}));
  EXPECT_TRUE(plan.apps[0].fixed);
  EXPECT_EQ(plan.apps[2].source, "two.tab: rv32imac.0x80110080.0x80310000.tbf");
}

TEST(Placement, FixedAddressAppsAreRefusedWhenNoVariantFits) {
  const std::vector<std::pair<uint32_t, uint32_t>> one = {{0x80100080, 0x80300000}};
  EXPECT_EQ(ErrorText([&] {
              PlanPlacement(Request("qemu_rv32_virt",
                                    {FixedTab("one", 0x1000, one), FixedTab("two", 0x1000, one)}));
            }),
            "two.tab: rv32imac.0x80100080.0x80300000.tbf: no combination of the fixed-address "
            "variants puts \"two\" after the apps before it inside app flash "
            "0x80100000..0x80200000 and RAM 0x80200000..0x80400000; build the app for more "
            "addresses (libtock-c: TOCK_TARGETS), or install fewer apps");
  const std::vector<std::pair<uint32_t, uint32_t>> bad_ram = {{0x80100080, 0x90000000}};
  EXPECT_EQ(ErrorText([&] {
              PlanPlacement(Request("qemu_rv32_virt", {FixedTab("far", 0x1000, bad_ram)}));
            }),
            "far.tab: rv32imac.0x80100080.0x90000000.tbf: no combination of the fixed-address "
            "variants puts \"far\" after the apps before it inside app flash "
            "0x80100000..0x80200000 and RAM 0x80200000..0x80400000; build the app for more "
            "addresses (libtock-c: TOCK_TARGETS), or install fewer apps");
}

TEST(Placement, FixedAndPositionIndependentAppsAreNotMixed) {
  const std::vector<std::pair<uint32_t, uint32_t>> one = {{0x80100080, 0x80300000}};
  EXPECT_EQ(ErrorText([&] {
              PlanPlacement(Request("qemu_rv32_virt", {FixedTab("fixed", 0x1000, one),
                                                       Tab("blink.tab", "blink", 0x800)}));
            }),
            "blink.tab: rv32imac.tbf: \"blink\" is position-independent but \"fixed\" is "
            "fixed-address; the two kinds cannot share app flash; rebuild the apps as one kind, or "
            "--erase the apps on the board");
}

TEST(Placement, NeverWritesOutsideAppFlash) {
  // hail's app flash is 0x30000..0x70000: a 0x20000-byte app takes the aligned region at
  // 0x40000, a 0x10000-byte one fills the rest up to the end.
  const auto plan = PlanPlacement(
      Request("hail", {Tab("big.tab", "big", 0x20000), Tab("end.tab", "end", 0x10000)}));
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x30000, 0x10000, "", "padding"},
                                          {0x40000, 0x20000, "big", "new"},
                                          {0x60000, 0x10000, "end", "new"}}));
  EXPECT_EQ(plan.end, 0x70000u);
  EXPECT_EQ(plan.clear_size, 0u);
  EXPECT_EQ(PlanImage(plan).size(), 0x40000u);
  // A 0x30000-byte app needs a 0x40000-byte region: at 0x40000 it would reach 0x80000.
  EXPECT_EQ(ErrorText([] { PlanPlacement(Request("hail", {Tab("huge.tab", "huge", 0x30000)})); }),
            "hail: the apps need app flash up to 0x00080000, past its end at 0x00070000 (0x40000 "
            "bytes); install fewer or smaller apps, or --erase the apps on the board");
  EXPECT_EQ(ErrorText([] {
              PlanPlacement(
                  Request("arty_e21", {Tab("a.tab", "a", 0x80000), Tab("b.tab", "b", 0x80004)}));
            }),
            "arty_e21: the apps need app flash up to 0x40530004, past its end at 0x40530000 "
            "(0x100000 bytes); install fewer or smaller apps, or --erase the apps on the board");
}

TEST(Placement, ArchitectureFallsBackToCodeTheCoreRuns) {
  EXPECT_EQ(ArchitecturesFor(Board("hail")),
            (std::vector<std::string>{"cortex-m4", "cortex-m3", "cortex-m0"}));
  EXPECT_EQ(ArchitecturesFor(Board("teensy40")),
            (std::vector<std::string>{"cortex-m7", "cortex-m4", "cortex-m3", "cortex-m0"}));
  const auto plan = PlanPlacement(Request("hail", {Tab("m0.tab", "m0", 0x400, {"cortex-m0"})}));
  EXPECT_EQ(plan.apps[0].source, "m0.tab: cortex-m0.tbf");
  EXPECT_EQ(ErrorText([] {
              PlanPlacement(Request("hail", {Tab("rv.tab", "rv", 0x400, {"rv32imac", "rv32imc"})}));
            }),
            "rv.tab: has no TBF for hail (cortex-m4, cortex-m3, cortex-m0); it holds rv32imac, "
            "rv32imc; build the app for cortex-m4");
}

TEST(Placement, OnlyForBoardsIsRespected) {
  EXPECT_EQ(ErrorText([] {
              PlanPlacement(
                  Request("imix", {Tab("h.tab", "h", 0x400, {"cortex-m4"}, {"hail", "nrf52dk"})}));
            }),
            "h.tab: is only for boards hail, nrf52dk, not imix; install it on one of those "
            "boards, or rebuild it without only-for-boards");
  EXPECT_NO_THROW(
      PlanPlacement(Request("hail", {Tab("h.tab", "h", 0x400, {"cortex-m4"}, {"hail"})})));
}

TEST(Placement, KernelVersionIsCheckedWhenKnown) {
  auto request = Request("hail", {Tab("blink.tab", "blink", 0x800)});
  EXPECT_EQ(PlanPlacement(request).notes,
            (std::vector<std::string>{"kernel version not checked: give --kernel-version "
                                      "(tockctl info shows the board's)"}));
  request.kernel = KernelVersion{2, 2};
  EXPECT_TRUE(PlanPlacement(request).notes.empty());
  request.kernel = KernelVersion{2, 0};
  EXPECT_EQ(ErrorText([&] { PlanPlacement(request); }),
            "blink.tab: needs Tock kernel 2.1, the board runs 2.0; rebuild the app for Tock 2.0 "
            "or update the kernel");
  request.kernel = KernelVersion{3, 0};
  EXPECT_EQ(ErrorText([&] { PlanPlacement(request); }),
            "blink.tab: needs Tock kernel 2.1, the board runs 3.0; rebuild the app for Tock 3.0 "
            "or update the kernel");
  request.bundles = {ReadAppBundle(MakeApp("bare", 64, 0x400), "bare.tbf")};
  EXPECT_EQ(ErrorText([&] { PlanPlacement(request); }),
            "bare.tbf: bare.tbf: KernelVersion TLV asks for ^2.1, the board runs 3.0; rebuild the "
            "app for Tock 3.0 or update the kernel");
}

TEST(Placement, InstalledAppsAreKeptWithTheirFlagsOrReplacedByName) {
  auto first =
      Request("hail", {Tab("blink.tab", "blink", 0x800), Tab("service.tab", "service", 0x1400)});
  first.bundles[1].tbfs[1].tbf.bytes =
      WithTbfFlags(first.bundles[1].tbfs[1].tbf.bytes, kTbfFlagEnabled | kTbfFlagSticky);
  const auto image = PlanImage(PlanPlacement(first));
  auto second = Request("hail", {Tab("blink.tab", "blink", 0x1000)});
  second.installed = ReadInstalledApps(image, 0x30000, "hail app flash");
  ASSERT_EQ(second.installed.size(), 2u);
  const auto plan = PlanPlacement(second);
  EXPECT_EQ(Rows(plan), (std::vector<Row>{{0x30000, 0x1400, "service", "kept"},
                                          {0x31400, 0xc00, "", "padding"},
                                          {0x32000, 0x1000, "blink", "replaces"}}));
  EXPECT_EQ(plan.apps[0].flags, kTbfFlagEnabled | kTbfFlagSticky);
  EXPECT_EQ(plan.removed, (std::vector<std::string>{"blink at 0x00032000"}));
  second.replace = false;
  EXPECT_EQ(PlanPlacement(second).apps.size(), 4u);  // service, padding, both blinks
  second.erase = true;
  EXPECT_EQ(Rows(PlanPlacement(second)), (std::vector<Row>{{0x30000, 0x1000, "blink", "new"}}));
}

TEST(Placement, KernelVersionArgumentIsParsed) {
  EXPECT_EQ(ParseKernelVersion("2.2", "--kernel-version").minor, 2);
  EXPECT_EQ(ParseKernelVersion("2.1.0", "--kernel-version").minor, 1);
  EXPECT_EQ(ErrorText([] { ParseKernelVersion("two", "--kernel-version"); }),
            "--kernel-version: kernel version \"two\" is not MAJOR.MINOR (e.g. 2.2)");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(Placement, TheWalkSkipsPaddingAndStopsAtTheClearedHeader) {
  std::vector<uint8_t> flash = apps::testing::MakeApp("a", 64, 0x100);
  const auto pad = BuildPaddingTbf(0x100);
  flash.insert(flash.end(), pad.begin(), pad.end());
  const auto b = apps::testing::MakeApp("b", 64, 0x200);
  flash.insert(flash.end(), b.begin(), b.end());
  flash.resize(flash.size() + 16, 0xFF);  // the cleared header
  const auto stale = apps::testing::MakeApp("stale", 64, 0x100);
  flash.insert(flash.end(), stale.begin(), stale.end());
  const auto apps = ReadInstalledApps(flash, 0x40000, "dump.bin");
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[0].address, 0x40000u);
  EXPECT_EQ(apps[0].header.Name(), "a");
  EXPECT_EQ(apps[1].address, 0x40200u);
  EXPECT_EQ(apps[1].header.Name(), "b");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps
