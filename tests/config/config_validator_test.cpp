#include "config/config_validator.h"

#include <gtest/gtest.h>

#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::BoardFile;
using testing::FindingLines;
using Strings = std::vector<std::string>;

TEST(ConfigValidatorTest, CatalogBoardAloneIsValid) {
  EXPECT_EQ(FindingLines(BoardFile("nrf52840dk")), Strings{});
}

TEST(ConfigValidatorTest, ReadsEverySection) {
  JsonDocument doc = JsonDocument::Parse(
      FormatJson(BoardFile("qemu_rv32_virt", OrderedJson::parse(R"({"backend": "copy"})"),
                           OrderedJson::parse(R"({"interfaces": [{"name": "eth0",
                                                   "kind": "ethernet"}]})"))),
      "t.json");
  CheckedBoardConfig c = CheckBoardConfig(doc);
  ASSERT_TRUE(c.board);
  EXPECT_EQ(c.board->name, "qemu_rv32_virt");
  ASSERT_TRUE(c.ipc);
  EXPECT_EQ(c.ipc->backend, IpcBackend::kCopy);
  ASSERT_TRUE(c.network);
  EXPECT_EQ(c.network->interfaces.size(), 1u);
  EXPECT_TRUE(c.report.findings().empty());
}

TEST(ConfigValidatorTest, FindingsCarryLineAndColumnInFileOrder) {
  // The network finding comes first in the file here, although network rules run last.
  const char* text = R"({
  "network": { "interfaces": [ { "name": "can0", "kind": "can" } ] },
  "ipc": { "backend": "shared", "extra": true },
  "format": 1,
  "board": BOARD
})";
  std::string s = text;
  s.replace(s.find("BOARD"), 5, testing::CatalogBoardJson("nrf52840dk").dump());
  JsonDocument doc = JsonDocument::Parse(s, "b.json");
  CheckedBoardConfig c = CheckBoardConfig(doc);
  EXPECT_EQ(FormatFindings("b.json", c.report),
            "b.json:2:58: error: /network/interfaces/0/kind: nrf52840dk has no can hardware; "
            "valid: ble, ieee802154\n"
            "b.json:3:23: error: /ipc/backend: backend \"shared\" cannot work: nrf52840dk's "
            "armv7m-mpu regions must be power-of-two sized and aligned to their size, so IPC "
            "buffers cannot be shared between processes; valid: copy, auto (falls back to copy on "
            "this board)\n"
            "b.json:3:33: warning: /ipc/extra: unknown key \"extra\" is kept but not used; valid: "
            "interfaces, backend, copy_threshold, discovery, services, clients, fault_policy, "
            "authentication\n");
}

TEST(ConfigValidatorTest, UnreadableBoardIsOneFindingAndHardwareRulesAreSkipped) {
  OrderedJson doc = BoardFile("nrf52840dk", OrderedJson::parse(R"({"backend": "shared",
      "services": [{"name": "a", "server": "s"}, {"name": "a", "server": "t"}]})"));
  doc["board"].erase("chip");
  Strings lines = FindingLines(doc);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "t.json:3:12: error: /board/chip: missing required key \"chip\"; valid: add \"chip\" "
            "to /board");
  EXPECT_NE(lines[1].find("/ipc/services/1/name: service name \"a\" is already used"),
            std::string::npos);
}

TEST(ConfigValidatorTest, BoardWarningsAndContradictionsAreFindings) {
  OrderedJson doc = BoardFile("hifive1");
  doc["board"]["colour"] = "red";
  doc["board"]["protection"]["process_reserved"] = 5;
  Strings lines = FindingLines(doc);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("error: /board/protection/process_reserved: process_reserved 5 exceeds "
                          "app_regions 4"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("warning: /board/colour"), std::string::npos) << lines[1];
}

TEST(ConfigValidatorTest, TopLevelProblems) {
  JsonDocument doc = JsonDocument::Parse(R"({"format": "1", "ipc": 3, "x": null})", "t.json");
  EXPECT_EQ(
      FormatFindings("t.json", CheckBoardConfig(doc).report),
      "t.json:1:1: error: /board: missing required key \"board\"; valid: add \"board\" to "
      "/\nt.json:1:12: error: /format: unsupported format \"1\"; valid: 1\nt.json:1:24: error: "
      "/ipc: expected an object, found an integer; valid: an object\nt.json:1:27: warning: /x: "
      "unknown key \"x\" is kept but not used; valid: $schema, format, board, ipc, network, "
      "trace\n");
}

TEST(ConfigValidatorTest, CheckConfigFileReportsLoadErrorsAsText) {
  tockctl::testing::TempDir dir;
  auto bad = dir.Write("bad.json", "{\n  \"format\": 1,,\n}\n");
  FileCheck check = CheckConfigFile(bad.string());
  EXPECT_FALSE(check.loaded);
  EXPECT_EQ(check.ErrorCount(), 1);
  EXPECT_EQ(check.load_exit_code, 3);
  EXPECT_EQ(FormatFileCheck(check),
            bad.string() +
                ":2:15: error: malformed JSON: unexpected ','; expected string literal\n" +
                bad.string() + ": cannot be checked\n");
  FileCheck missing = CheckConfigFile((dir.path() / "nope.json").string());
  EXPECT_EQ(missing.load_exit_code, 4);
  EXPECT_EQ(missing.load_error, (dir.path() / "nope.json").string() + ": error: no such file");
}

TEST(ConfigValidatorTest, FileCheckJson) {
  tockctl::testing::TempDir dir;
  auto file = dir.Write(
      "b.json", FormatJson(BoardFile("nrf52840dk", OrderedJson::parse(R"({"backend": "auto"})"))));
  nlohmann::json j = FileCheckToJson(CheckConfigFile(file.string()));
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["errors"], 0);
  EXPECT_EQ(j["warnings"], 1);
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
  EXPECT_EQ(j["findings"][0]["pointer"], "/ipc/backend");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
