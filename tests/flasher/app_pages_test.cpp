// DiffPages: which whole pages an app change writes, and what they hold.
#include <gtest/gtest.h>

#include "common/error.h"
#include "flasher/app_job.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(AppPages, UnchangedPagesAreSkippedAndRunsOfChangedPagesMerge) {
  std::vector<uint8_t> device(64, 0xAA);
  std::vector<uint8_t> after = device;
  after[0] = 1;        // page 0
  after[16 + 5] = 2;   // page 1
  after[48 + 15] = 3;  // page 3; page 2 is unchanged
  const PageDiff diff = DiffPages(device, after, 0x1000, 16);
  EXPECT_EQ(diff.pages_written, 3u);
  EXPECT_EQ(diff.pages_unchanged, 1u);
  ASSERT_EQ(diff.segments.size(), 2u);
  EXPECT_EQ(diff.segments[0].address, 0x1000u);
  EXPECT_EQ(diff.segments[0].data, std::vector<uint8_t>(after.begin(), after.begin() + 32));
  EXPECT_EQ(diff.segments[0].name, "app flash 0x00001000..0x00001020");
  EXPECT_EQ(diff.segments[1].address, 0x1030u);
  EXPECT_EQ(diff.segments[1].data, std::vector<uint8_t>(after.begin() + 48, after.end()));
}

TEST(AppPages, ThePartOfTheLastPagePastTheChangeKeepsTheDevicesBytes) {
  std::vector<uint8_t> device(32);
  for (size_t i = 0; i < device.size(); ++i) device[i] = static_cast<uint8_t>(i);
  const std::vector<uint8_t> after(20, 0xFF);  // a page and 4 bytes
  const PageDiff diff = DiffPages(device, after, 0, 16);
  ASSERT_EQ(diff.segments.size(), 1u);
  ASSERT_EQ(diff.segments[0].data.size(), 32u);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(diff.segments[0].data[i], 0xFF) << i;
  for (size_t i = 20; i < 32; ++i) EXPECT_EQ(diff.segments[0].data[i], i) << i;
}

TEST(AppPages, NothingToChangeWritesNothing) {
  const std::vector<uint8_t> same(64, 7);
  const PageDiff diff = DiffPages(same, same, 0x80100000, 32);
  EXPECT_TRUE(diff.segments.empty());
  EXPECT_EQ(diff.pages_unchanged, 2u);
}

TEST(AppPages, PagesThatDoNotLineUpAreAnInternalError) {
  const std::vector<uint8_t> bytes(64, 0);
  EXPECT_THROW(DiffPages(bytes, bytes, 0x1008, 16), Error);                  // origin
  EXPECT_THROW(DiffPages(std::span(bytes).first(40), bytes, 0, 16), Error);  // device short
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
