#include "flasher/flash_plan.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/flasher/test_boards.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

Capabilities GdbLike() {
  Capabilities c;
  c.write = c.verify = c.read = c.start = true;
  return c;
}

Capabilities BootloaderLike() {
  Capabilities c;
  c.erase = c.write = c.verify = c.read = true;
  return c;
}

Image KernelImage(std::vector<Segment> segments) {
  Image image;
  image.source = "kernel.elf";
  image.format = "elf";
  image.entry = 0x80000000;
  image.segments = std::move(segments);
  return image;
}

std::string PlanError(const Image& image, const config::HardwareBoard& board,
                      FlashTarget target = FlashTarget::kKernel) {
  try {
    PlanFlash({{&image, target}}, board, "gdb", GdbLike(), {});
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "no error";
}

TEST(FlashPlanTest, PlansSegmentsRegionsAndPageAlignedEraseRanges) {
  Image image = KernelImage({{0x80000000, std::vector<uint8_t>(1000), "PT_LOAD[0] (.text)"},
                             {0x80000400, std::vector<uint8_t>(10), "PT_LOAD[1] (.data)"},
                             {0x80004010, std::vector<uint8_t>(4), "PT_LOAD[2]"}});
  FlashPlan plan =
      PlanFlash({{&image, FlashTarget::kKernel}}, testing::QemuBoard(), "gdb", GdbLike(), {});
  ASSERT_EQ(plan.segments.size(), 3u);
  EXPECT_EQ(plan.segments[1].region, "kernel flash");
  EXPECT_EQ(plan.write_bytes, 1014u);
  ASSERT_EQ(plan.erase.size(), 2u);
  EXPECT_EQ(plan.erase[0].start, 0x80000000u);
  EXPECT_EQ(plan.erase[0].end, 0x80000600u);
  EXPECT_EQ(plan.erase[1].start, 0x80004000u);
  EXPECT_EQ(plan.erase[1].end, 0x80004200u);
  EXPECT_EQ(plan.erase_bytes, 0x800u);
  EXPECT_FALSE(plan.steps.erase);
  EXPECT_TRUE(plan.steps.verify);
  EXPECT_EQ(RenderPlan(plan),
            "Flash plan for qemu_rv32_virt via gdb: kernel.elf (elf, entry 0x80000000)\n"
            "  SEGMENT             START       END         SIZE  REGION\n"
            "  PT_LOAD[0] (.text)  0x80000000  0x800003e8  1000  kernel flash\n"
            "  PT_LOAD[1] (.data)  0x80000400  0x8000040a  10    kernel flash\n"
            "  PT_LOAD[2]          0x80004010  0x80004014  4     kernel flash\n"
            "Erase pages (512 bytes): 0x80000000..0x80000600, 0x80004000..0x80004200 (gdb needs "
            "no separate erase)\n"
            "Steps: write 1014 bytes, verify, start at 0x80000000\n");
}

TEST(FlashPlanTest, RefusesSegmentOutsideKernelFlash) {
  Image image = KernelImage({{0x80000000, std::vector<uint8_t>(16), "PT_LOAD[0]"},
                             {0x80100000, std::vector<uint8_t>(0x400), "PT_LOAD[1]"}});
  EXPECT_EQ(PlanError(image, testing::QemuBoard()),
            "kernel.elf: segment PT_LOAD[1] 0x80100000..0x80100400 lies outside kernel flash "
            "0x80000000..0x80100000 of qemu_rv32_virt; use --force to write it anyway");
}

TEST(FlashPlanTest, RefusesSegmentRunningPastTheEndOfFlash) {
  Image image = KernelImage({{0x800ffc00, std::vector<uint8_t>(0x800), "PT_LOAD[0]"}});
  EXPECT_EQ(
      PlanError(image, testing::QemuBoard()),
      "kernel.elf: segment PT_LOAD[0] 0x800ffc00..0x80100400 runs past the end of kernel flash "
      "0x80000000..0x80100000 of qemu_rv32_virt by 1024 bytes; use --force to write it "
      "anyway");
}

TEST(FlashPlanTest, RefusesSegmentOverReservedBootloader) {
  Image image = KernelImage({{0xff00, std::vector<uint8_t>(0x200), "hex lines 1-32"}});
  EXPECT_EQ(
      PlanError(image, testing::BootloaderBoard()),
      "kernel.elf: segment hex lines 1-32 0xff00..0x10100 overlaps reserved region bootloader "
      "0x0..0x10000 of nrf52840dk; use --force to write it anyway");
}

TEST(FlashPlanTest, RefusesErasePagesReachingIntoTheBootloader) {
  config::HardwareBoard board = testing::BootloaderBoard();
  board.memory.reserved[0].length = 0x10800;  // bootloader ends in the middle of a 4 KiB page
  board.memory.kernel_flash.origin = 0x10800;
  Image image = KernelImage({{0x10800, std::vector<uint8_t>(16), "binary"}});
  try {
    PlanFlash({{&image, FlashTarget::kKernel}}, board, "tock-bootloader", BootloaderLike(), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "erase pages 0x10000..0x11000 (page size 4096) overlap reserved region bootloader "
              "0x0..0x10800 of nrf52840dk; use --force to write it anyway");
  }
}

TEST(FlashPlanTest, ForceRecordsViolationsInsteadOfRefusing) {
  Image image = KernelImage({{0x80100000, std::vector<uint8_t>(4), "PT_LOAD[0]"}});
  PlanOptions options;
  options.force = true;
  FlashPlan plan =
      PlanFlash({{&image, FlashTarget::kKernel}}, testing::QemuBoard(), "gdb", GdbLike(), options);
  ASSERT_EQ(plan.forced.size(), 1u);
  EXPECT_EQ(plan.forced[0],
            "segment PT_LOAD[0] 0x80100000..0x80100004 lies outside kernel flash "
            "0x80000000..0x80100000 of qemu_rv32_virt");
  EXPECT_EQ(plan.segments[0].region, "app flash");
}

TEST(FlashPlanTest, AppImagesMustFitAppFlash) {
  Image kernel = KernelImage({{0x80000000, std::vector<uint8_t>(16), "PT_LOAD[0]"}});
  Image app;
  app.source = "app.tbf";
  app.segments = {{0x80100000, std::vector<uint8_t>(64), "binary"}};
  FlashPlan plan = PlanFlash({{&kernel, FlashTarget::kKernel}, {&app, FlashTarget::kApp}},
                             testing::QemuBoard(), "gdb", GdbLike(), {});
  EXPECT_EQ(plan.segments[1].region, "app flash");
  EXPECT_EQ(plan.sources, (std::vector<std::string>{"kernel.elf", "app.tbf"}));
  EXPECT_EQ(PlanError(kernel, testing::QemuBoard(), FlashTarget::kApp),
            "kernel.elf: segment PT_LOAD[0] 0x80000000..0x80000010 lies outside app flash "
            "0x80100000..0x80200000 of qemu_rv32_virt; use --force to write it anyway");
}

TEST(FlashPlanTest, BackEndWithEraseGetsAnEraseStepAndMissingVerifyIsNoted) {
  Image image = KernelImage({{0x10000, std::vector<uint8_t>(16), "binary"}});
  Capabilities caps = BootloaderLike();
  caps.verify = false;
  FlashPlan plan =
      PlanFlash({{&image, FlashTarget::kKernel}}, testing::BootloaderBoard(), "uf2", caps, {});
  EXPECT_TRUE(plan.steps.erase);
  EXPECT_FALSE(plan.steps.verify);
  EXPECT_FALSE(plan.steps.start);
  EXPECT_EQ(plan.notes,
            (std::vector<std::string>{"verify skipped: uf2 cannot read back or check a CRC",
                                      "start skipped: uf2 cannot start or reset the device"}));
}

TEST(FlashPlanTest, JsonHasHexAddresses) {
  Image image = KernelImage({{0x80000000, std::vector<uint8_t>(16), "PT_LOAD[0]"}});
  FlashPlan plan =
      PlanFlash({{&image, FlashTarget::kKernel}}, testing::QemuBoard(), "gdb", GdbLike(), {});
  auto j = PlanToJson(plan);
  EXPECT_EQ(j["segments"][0]["start"], "0x80000000");
  EXPECT_EQ(j["segments"][0]["size"], 16);
  EXPECT_EQ(j["erase"][0]["end"], "0x80000200");
  EXPECT_EQ(j["entry"], "0x80000000");
  EXPECT_EQ(j["steps"]["verify"], true);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
