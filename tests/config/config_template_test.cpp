#include "config/config_template.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using Json = nlohmann::ordered_json;
using testing::CatalogBoard;
using testing::CatalogBoardJson;

Json Build(const std::string& board) {
  return BuildInitialConfig(CatalogBoardJson(board), CatalogBoard(board),
                            tockctl::testing::SourceDir() / "templates");
}

TEST(ConfigTemplateTest, SharingBoardGetsAutoAndAllInterfaces) {
  Json c = Build("qemu_rv32_virt");
  EXPECT_EQ(c["format"], 1);
  EXPECT_EQ(c["board"], CatalogBoardJson("qemu_rv32_virt"));
  EXPECT_EQ(c["ipc"]["backend"], "auto");
  EXPECT_EQ(c["ipc"]["interfaces"], Json::parse(R"(["message_passing", "shared_memory", "rpc"])"));
  ASSERT_EQ(c["network"]["interfaces"].size(), 1u);
  const Json& eth = c["network"]["interfaces"][0];
  EXPECT_EQ(eth["name"], "eth0");
  EXPECT_EQ(eth["hardware"], "eth0");
  EXPECT_EQ(eth["mac"], "42:8a:9b:f4:54:19");
  EXPECT_EQ(eth["stack"], "lwip");
  EXPECT_EQ(eth["placement"], "userspace");
  EXPECT_EQ(eth["multiplexing"], "broadcast");
}

TEST(ConfigTemplateTest, Armv7mBoardGetsCopy) {
  Json c = Build("nrf52840dk");
  EXPECT_EQ(c["ipc"]["backend"], "copy");
  EXPECT_EQ(c["ipc"]["interfaces"], Json::parse(R"(["message_passing", "rpc"])"));
  ASSERT_EQ(c["network"]["interfaces"].size(), 2u);
  EXPECT_EQ(c["network"]["interfaces"][0]["kind"], "ble");
  EXPECT_FALSE(c["network"]["interfaces"][0].contains("mac"));
  EXPECT_EQ(c["network"]["interfaces"][1]["stack"], "openthread");
  EXPECT_EQ(c["network"]["interfaces"][1]["eui64"], "1e:a2:73:0f:dc:51:56:98");
}

TEST(ConfigTemplateTest, DriverSpecificTemplatesWin) {
  EXPECT_EQ(Build("imix")["network"]["interfaces"][0]["stack"], "tock-udp");
  Json litex = Build("litex_arty")["network"]["interfaces"][0];
  EXPECT_EQ(litex["stack"], "smoltcp");
  EXPECT_EQ(litex["placement"], "kernel");
  EXPECT_EQ(Build("nucleo_f429zi")["network"]["interfaces"][0]["kind"], "can");
  EXPECT_EQ(Build("raspberry_pi_pico_w")["network"]["interfaces"][0]["stack"], "raw");
  EXPECT_TRUE(Build("hifive1")["network"]["interfaces"].empty());
}

TEST(ConfigTemplateTest, EveryCatalogBoardGetsAConfigWithoutFindings) {
  for (const auto& entry :
       std::filesystem::directory_iterator(tockctl::testing::SourceDir() / "boards")) {
    std::string name = entry.path().stem().string();
    EXPECT_EQ(testing::FindingLines(Build(name)), std::vector<std::string>{}) << name;
  }
}

TEST(ConfigTemplateTest, InitRefusesToOverwriteWithoutForce) {
  tockctl::testing::TempDir dir;
  std::string out = dir.Write("b.json", "keep me").string();
  try {
    InitConfigFile(tockctl::testing::SourceDir(), "qemu_rv32_virt", out, false);
    FAIL() << "no throw";
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
    EXPECT_EQ(e.Describe(), out +
                                ": already exists; not overwriting it; use --force to replace "
                                "it, or choose another -o FILE");
  }
  EXPECT_EQ(ReadFile(out), "keep me");
  InitConfigFile(tockctl::testing::SourceDir(), "qemu_rv32_virt", out, true);
  EXPECT_EQ(ReadFile(out), FormatJson(Build("qemu_rv32_virt")));
}

TEST(ConfigTemplateTest, MissingTemplateIsAnIoError) {
  tockctl::testing::TempDir dir;
  try {
    BuildInitialConfig(CatalogBoardJson("hifive1"), CatalogBoard("hifive1"), dir.path());
    FAIL() << "no throw";
  } catch (const tockctl::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
    EXPECT_EQ(e.Describe(), (dir.path() / "board-config.json").string() + ": no such file");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
