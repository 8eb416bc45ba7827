#include "common/text_table.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(TextTableTest, ColumnsAreAsWideAsTheirWidestCellAndTwoSpacesApart) {
  EXPECT_EQ(RenderTextTable({{"NAME", "CHIP", "ARCH"}, {"hail", "sam4l", "cortex-m4"}}),
            "NAME  CHIP   ARCH\n"
            "hail  sam4l  cortex-m4\n");
}

TEST(TextTableTest, EveryLineStartsWithTheIndentAndShortRowsEndEarly) {
  EXPECT_EQ(RenderTextTable({{"kernel", "0x0", "4 KiB"}, {"app"}}, "  "),
            "  kernel  0x0  4 KiB\n"
            "  app\n");
}

TEST(TextTableTest, NoRowsIsNoText) { EXPECT_EQ(RenderTextTable({}), ""); }

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
