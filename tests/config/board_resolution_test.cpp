#include "config/board_resolution.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_io.h"
#include "config/config_template.h"
#include "tests/config/config_test_helpers.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using Json = nlohmann::ordered_json;
using tockctl::testing::SourceDir;
using tockctl::testing::TempDir;

BoardSearch DataDirOnly() { return BoardSearch::From(SourceDir(), nullptr, nullptr, nullptr); }

const BoardCatalog& Catalog() {
  static const BoardCatalog catalog = BoardCatalog::Load(DataDirOnly());
  return catalog;
}

std::string ErrorText(const std::function<void()>& fn, ErrorCategory category) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), category) << e.Describe();
    return e.Describe();
  }
  return "(no error)";
}

std::vector<std::string> Findings(const std::string& text) {
  JsonDocument doc = JsonDocument::Parse(text, "t.json");
  CheckedBoardConfig checked = CheckBoardConfig(doc, &Catalog());
  std::vector<std::string> out;
  for (const Finding& f : checked.report.findings()) out.push_back(FormatFinding("t.json", f));
  return out;
}

TEST(BoardReferenceTest, ANameStandsForTheCatalogBoard) {
  JsonDocument doc = JsonDocument::Parse(R"({"format": 1, "board": "nrf52840dk"})", "t.json");
  CheckedBoardConfig checked = CheckBoardConfig(doc, &Catalog());
  EXPECT_TRUE(checked.report.findings().empty()) << FormatFindings("t.json", checked.report);
  ASSERT_TRUE(checked.board);
  EXPECT_EQ(Json(*checked.board), Json(Catalog().Find("nrf52840dk")));
}

TEST(BoardReferenceTest, ExtendsMergesOverridesOverTheCatalogBoard) {
  JsonDocument doc =
      JsonDocument::Parse(R"({"format": 1, "board": {"extends": "nrf52840dk", "tier": null,)"
                          R"( "memory": {"ram": {"length": "0x20000"}}}})",
                          "t.json");
  CheckedBoardConfig checked = CheckBoardConfig(doc, &Catalog());
  EXPECT_TRUE(checked.report.findings().empty()) << FormatFindings("t.json", checked.report);
  ASSERT_TRUE(checked.board);
  EXPECT_EQ(checked.board->memory.ram.length, 0x20000u);
  EXPECT_EQ(checked.board->memory.ram.origin, 0x20000000u);
  EXPECT_FALSE(checked.board->tier.has_value());
  EXPECT_EQ(checked.board->default_flash_method, "jlink");
}

TEST(BoardReferenceTest, FindingsPointAtTheOverrideOrTheReference) {
  EXPECT_EQ(Findings("{\"format\": 1,\n \"board\": {\"extends\": \"nrf52840dk\",\n"
                     "  \"page_size\": 3000, \"colour\": 1},\n"
                     " \"ipc\": {\"interfaces\": [\"shared_memory\"], \"backend\": \"copy\"}}"),
            (std::vector<std::string>{
                "t.json:3:16: error: /board/page_size: page_size 3000 is not a power of two; "
                "valid: a power of two, e.g. 512 or 4096",
                "t.json:3:22: warning: /board/colour: unknown key \"colour\" is kept but not "
                "used; valid: name, description, tock_path, package, chip, core, arch, target, "
                "tier, protection, memory, page_size, flash, console, trace, network_hardware, "
                "legacy_ipc, source",
                "t.json:4:25: error: /ipc/interfaces/0: interface \"shared_memory\" cannot work: "
                "nrf52840dk's armv7m-mpu regions must be power-of-two sized and aligned to their "
                "size, so IPC buffers cannot be shared between processes; valid: message_passing, "
                "rpc"}));
}

TEST(BoardReferenceTest, UnknownOrUnresolvableNamesAreFindings) {
  EXPECT_EQ(Findings(R"({"format": 1, "board": "nrf52840"})"),
            std::vector<std::string>{
                "t.json:1:24: error: /board: unknown board \"nrf52840\"; valid: nrf52840dk, "
                "nrf52840_dongle"});
  EXPECT_EQ(Findings(R"({"format": 1, "board": {"extends": 7}})"),
            std::vector<std::string>{
                "t.json:1:36: error: /board/extends: expected a catalog board name, found 7; "
                "valid: a board name `tockctl boards list` shows, e.g. \"nrf52840dk\""});
  JsonDocument doc = JsonDocument::Parse(R"({"format": 1, "board": "nrf52840dk"})", "t.json");
  EXPECT_EQ(FormatFindings("t.json", CheckBoardConfig(doc).report),
            "t.json:1:24: error: /board: board reference \"nrf52840dk\" needs the board catalog; "
            "valid: an inline \"board\" object\n");
  EXPECT_EQ(Findings(R"({"format": 1, "board": 5})"),
            std::vector<std::string>{
                "t.json:1:24: error: /board: expected an object or a catalog board name, found an "
                "integer; valid: an object, or a board name such as \"nrf52840dk\""});
}

TEST(ResolveBoardTest, NeitherOrBothIsAUsageError) {
  EXPECT_EQ(ErrorText([] { ResolveBoard({}, DataDirOnly()); }, ErrorCategory::kUsage),
            "say which board: pass --board NAME or --config FILE; `tockctl boards list` shows "
            "the board names");
  EXPECT_EQ(
      ErrorText(
          [] {
            ResolveBoard({"hail", "x.json"}, DataDirOnly());
          },
          ErrorCategory::kUsage),
      "--board and --config both given; choose one: --board NAME (a catalog board) or --config "
      "FILE (a board JSON file)");
  EXPECT_EQ(ErrorText(
                [] {
                  ResolveBoard({"nrf52840", {}}, DataDirOnly());
                },
                ErrorCategory::kUsage),
            "unknown board \"nrf52840\"; did you mean nrf52840dk, nrf52840_dongle?");
}

TEST(ResolveBoardTest, BoardNameComesFromTheFirstDirectoryThatHasIt) {
  TempDir user;
  std::string text = ReadFile(SourceDir() / "boards" / "hail.json");
  user.Write("hail.json", text.replace(text.find("\"page_size\": 512"), 16, "\"page_size\": 1024"));
  ResolvedBoard r = ResolveBoard(
      {"hail", {}}, BoardSearch::From(SourceDir(), user.path().c_str(), nullptr, nullptr));
  EXPECT_TRUE(r.from_catalog);
  EXPECT_EQ(r.file, (user.path() / "hail.json").string());
  EXPECT_EQ(r.board.page_size, 1024u);
  EXPECT_EQ(ResolveBoard({"hail", {}}, DataDirOnly()).board.page_size, 512u);
}

TEST(ResolveBoardTest, ConfigFileWithAReferenceGivesBoardAndSections) {
  TempDir dir;
  auto file = dir.Write("b.json", R"({"format": 1, "board": {"extends": "qemu_rv32_virt",)"
                                  R"( "page_size": 4096}, "ipc": {"backend": "copy"}})");
  ResolvedBoard r = ResolveBoard({{}, file.string()}, DataDirOnly());
  EXPECT_FALSE(r.from_catalog);
  EXPECT_EQ(r.file, file.string());
  EXPECT_EQ(r.board.name, "qemu_rv32_virt");
  EXPECT_EQ(r.board.page_size, 4096u);
  ASSERT_TRUE(r.ipc);
  EXPECT_EQ(r.ipc->backend, IpcBackend::kCopy);
  EXPECT_FALSE(r.network);
  EXPECT_EQ(r.text, ReadFile(file));
}

TEST(ResolveBoardTest, InvalidConfigFileNamesItsFirstErrorAndCountsTheRest) {
  TempDir dir;
  auto file = dir.Write("b.json",
                        "{\"format\": 1, \"board\": \"nrf52840dk\",\n"
                        " \"ipc\": {\"backend\": \"shared\", \"copy_threshold\": -1}}");
  EXPECT_EQ(ErrorText(
                [&] {
                  ResolveBoard({{}, file.string()}, DataDirOnly());
                },
                ErrorCategory::kInvalidInput),
            file.string() +
                ":2:21: /ipc/backend: backend \"shared\" cannot work: nrf52840dk's armv7m-mpu "
                "regions must be power-of-two sized and aligned to their size, so IPC buffers "
                "cannot be shared between processes (and 1 more); valid: copy, auto (falls back "
                "to copy on this board); run: tockctl config validate " +
                file.string());
}

TEST(ResolveBoardTest, InitWithReferenceWritesAFileThatResolvesToTheCatalogBoard) {
  TempDir dir;
  auto out = (dir.path() / "q.json").string();
  InitConfigFile(DataDirOnly(), SourceDir() / "templates", "qemu_rv32_virt", out, {false, true});
  Json written = Json::parse(ReadFile(out));
  EXPECT_EQ(written["board"], "qemu_rv32_virt");
  ResolvedBoard r = ResolveBoard({{}, out}, DataDirOnly());
  EXPECT_EQ(Json(r.board), Json(Catalog().Find("qemu_rv32_virt")));
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->interfaces.size(), 1u);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
