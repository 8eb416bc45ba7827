#include "config/board_summary.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

const BoardCatalog& Catalog() {
  static const BoardCatalog catalog = BoardCatalog::Load(tockctl::testing::SourceDir() / "boards");
  return catalog;
}

TEST(BoardSummaryTest, KibText) {
  EXPECT_EQ(KibText(256 * 1024), "256 KiB");
  EXPECT_EQ(KibText(512), "0.5 KiB");
  EXPECT_EQ(KibText(0x1f9b0), "126.4 KiB");
  EXPECT_EQ(KibText(0), "0 KiB");
}

TEST(BoardSummaryTest, NetworkSummary) {
  EXPECT_EQ(NetworkSummary(Catalog().Find("nrf52840dk")), "ble 0x30000, ieee802154 0x30001");
  EXPECT_EQ(NetworkSummary(Catalog().Find("litex_arty")), "ethernet (kernel only)");
  EXPECT_EQ(NetworkSummary(Catalog().Find("hifive1")), "-");
}

TEST(BoardSummaryTest, ListRowsHaveAHeaderAndOneRowPerBoard) {
  auto rows = BoardListRows(Catalog());
  ASSERT_EQ(rows.size(), Catalog().size() + 1);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"NAME", "CHIP", "CORE", "PROTECTION", "FLASH", "NETWORK"}));
  for (const auto& row : rows) EXPECT_EQ(row.size(), 6u);
  EXPECT_EQ(BoardListJson(Catalog()).size(), Catalog().size());
}

TEST(BoardSummaryTest, DescribeShowsReservedRegionsAndProtectionLimits) {
  std::string text = DescribeBoard(Catalog().Find("hail"));
  EXPECT_NE(text.find("  reserved bootloader   0x0-0xffff              64 KiB\n"),
            std::string::npos)
      << text;
  text = DescribeBoard(Catalog().Find("raspberry_pi_pico_2"));
  EXPECT_EQ(text.find("reserved"), std::string::npos) << text;
  EXPECT_NE(text.find("sizes need not be powers of two"), std::string::npos);
  text = DescribeBoard(Catalog().Find("raspberry_pi_pico"));
  EXPECT_NE(text.find("minimum region size 256 bytes; sizes must be powers of two; base aligned to "
                      "its size; 8 subregions per region"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  * uf2             family_id=0xe48bff56\n"), std::string::npos) << text;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
