#include "config/board_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/file_io.h"
#include "tests/support/test_support.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::SourceDir;
using testing::TempDir;

const BoardCatalog& Catalog() {
  static const BoardCatalog catalog = BoardCatalog::Load(SourceDir() / "boards");
  return catalog;
}

using tockctl::testing::ErrorText;

TEST(BoardCatalogTest, EveryCatalogFileLoadsWithoutWarningsAndPassesSelfChecks) {
  EXPECT_GE(Catalog().size(), 20u);
  for (const CatalogEntry* entry : Catalog().Entries()) {
    SCOPED_TRACE(entry->file);
    EXPECT_TRUE(entry->warnings.empty())
        << FormatBoardWarning(entry->file, entry->warnings.front());
    EXPECT_TRUE(CheckHardwareBoard(entry->board).empty());
    EXPECT_NE(entry->board.FindFlashMethod(entry->board.default_flash_method), nullptr);
  }
}

TEST(BoardCatalogTest, RequiredBoardsArePresent) {
  for (const char* name :
       {"qemu_rv32_virt", "nrf52840dk", "microbit_v2", "raspberry_pi_pico", "raspberry_pi_pico_2",
        "lpc55s69-evk", "nucleo_f429zi", "hifive1", "earlgrey-cw310", "imix", "nano33ble",
        "esp32-c3-devkitM-1", "litex_arty", "clue_nrf52840", "particle_boron"})
    EXPECT_TRUE(Catalog().Contains(name)) << name;
}

TEST(BoardCatalogTest, NamesAreInOrder) {
  std::vector<std::string> names = Catalog().Names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  ASSERT_EQ(Catalog().Entries().size(), names.size());
  EXPECT_EQ(Catalog().Entries().front()->board.name, names.front());
}

TEST(BoardCatalogTest, Nrf52840dkFactsMatchTheReference) {
  const HardwareBoard& b = Catalog().Find("nrf52840dk");
  EXPECT_EQ(b.tock_path, "boards/nordic/nrf52840dk");
  EXPECT_EQ(b.memory.kernel_flash.origin, 0x0u);
  EXPECT_EQ(b.memory.kernel_flash.length, 256u * 1024);
  EXPECT_EQ(b.memory.app_flash.origin, 0x40000u);
  EXPECT_EQ(b.memory.app_flash.length, 768u * 1024);
  EXPECT_EQ(b.memory.ram.origin, 0x20000000u);
  EXPECT_EQ(b.memory.ram.length, 256u * 1024);
  EXPECT_EQ(b.protection.kind, ProtectionKind::kArmv7mMpu);
  EXPECT_EQ(b.protection.regions, 8u);
  EXPECT_TRUE(b.protection.power_of_two);
  EXPECT_EQ(b.protection.subregions, 8u);
  EXPECT_EQ(b.target, "thumbv7em-none-eabi");
  EXPECT_EQ(b.page_size, 4096u);
  EXPECT_EQ(b.default_flash_method, "jlink");
  EXPECT_TRUE(b.HasNetworkKind("ieee802154"));
  EXPECT_TRUE(b.HasNetworkKind("ble"));
  EXPECT_FALSE(b.HasNetworkKind("can"));
  EXPECT_EQ(b.network_hardware[1].driver_num, 0x30001u);
  EXPECT_EQ(b.network_hardware[0].driver_num, 0x30000u);
}

TEST(BoardCatalogTest, QemuRv32VirtFactsMatchTheReference) {
  const HardwareBoard& b = Catalog().Find("qemu_rv32_virt");
  EXPECT_EQ(b.memory.kernel_flash.origin, 0x80000000u);
  EXPECT_EQ(b.memory.app_flash.origin, 0x80100000u);
  EXPECT_EQ(b.memory.ram.origin, 0x80200000u);
  EXPECT_EQ(b.memory.ram.length, 0x200000u);
  EXPECT_EQ(b.protection.kind, ProtectionKind::kRiscvEpmp);
  EXPECT_EQ(b.protection.regions, 16u);
  EXPECT_EQ(b.protection.app_regions, 5u);
  EXPECT_EQ(b.target, "riscv32imac-unknown-none-elf");
  EXPECT_EQ(b.default_flash_method, "qemu");
  EXPECT_EQ(b.trace["link"], "uart");
  ASSERT_EQ(b.network_hardware.size(), 1u);
  EXPECT_EQ(b.network_hardware[0].kind, "ethernet");
  EXPECT_EQ(b.network_hardware[0].driver_num, 0x30007u);
}

TEST(BoardCatalogTest, ProtectionKindsPerChip) {
  EXPECT_EQ(Catalog().Find("raspberry_pi_pico").protection.kind, ProtectionKind::kArmv6mMpu);
  EXPECT_EQ(Catalog().Find("raspberry_pi_pico").protection.min_region_size, 256u);
  EXPECT_EQ(Catalog().Find("raspberry_pi_pico_2").protection.kind, ProtectionKind::kArmv8mMpu);
  EXPECT_FALSE(Catalog().Find("raspberry_pi_pico_2").protection.power_of_two);
  EXPECT_EQ(Catalog().Find("lpc55s69-evk").protection.kind, ProtectionKind::kArmv8mMpu);
  EXPECT_EQ(Catalog().Find("earlgrey-cw310").protection.kind, ProtectionKind::kRiscvEpmp);
  EXPECT_EQ(Catalog().Find("hifive1").protection.kind, ProtectionKind::kRiscvPmp);
  EXPECT_EQ(Catalog().Find("hifive1").protection.regions, 8u);
  EXPECT_EQ(Catalog().Find("hifive1").protection.app_regions, 4u);
  EXPECT_EQ(Catalog().Find("esp32-c3-devkitM-1").protection.regions, 16u);
  EXPECT_EQ(Catalog().Find("teensy40").protection.regions, 16u);
}

TEST(BoardCatalogTest, PackagesAndPathsFollowTheTockTree) {
  EXPECT_EQ(Catalog().Find("esp32-c3-devkitM-1").package, "esp32-c3-board");
  EXPECT_EQ(Catalog().Find("litex_arty").tock_path, "boards/litex/arty");
  EXPECT_EQ(Catalog().Find("earlgrey-cw310").tock_path, "boards/opentitan/earlgrey-cw310");
  EXPECT_EQ(Catalog().Find("earlgrey-cw310").target, "riscv32imc-unknown-none-elf");
}

TEST(BoardCatalogTest, BootloadersAreReservedAndBootBlocksTheKernelCarriesAreKernelFlash) {
  const auto& clue = Catalog().Find("clue_nrf52840").memory;
  ASSERT_EQ(clue.reserved.size(), 1u);
  EXPECT_EQ(clue.reserved[0].origin, 0x0u);
  EXPECT_EQ(clue.reserved[0].length, 0x36000u);
  for (const char* name : {"imix", "nano33ble", "hail"}) {
    const auto& m = Catalog().Find(name).memory;
    ASSERT_EQ(m.reserved.size(), 1u) << name;
    EXPECT_EQ(m.reserved[0].end(), m.kernel_flash.origin) << name;
  }
  // The RP2350 metadata block and the i.MX RT FlexSPI header are written by the kernel image.
  for (auto [name, origin] :
       {std::pair{"raspberry_pi_pico_2", 0x10000000u}, std::pair{"imxrt1050-evkb", 0x60000000u}}) {
    const auto& m = Catalog().Find(name).memory;
    EXPECT_TRUE(m.reserved.empty()) << name;
    EXPECT_EQ(m.kernel_flash.origin, origin) << name;
  }
}

TEST(BoardCatalogTest, NetworkHardwareAndTraceLinks) {
  EXPECT_TRUE(Catalog().Find("nucleo_f429zi").HasNetworkKind("can"));
  EXPECT_EQ(Catalog().Find("nucleo_f429zi").network_hardware[0].driver_num, 0x20007u);
  EXPECT_EQ(Catalog().Find("raspberry_pi_pico_w").network_hardware[0].driver_num, 0x30008u);
  const NetworkHardware& liteeth = Catalog().Find("litex_arty").network_hardware.at(0);
  EXPECT_EQ(liteeth.kind, "ethernet");
  EXPECT_FALSE(liteeth.HasSyscallDriver());
  EXPECT_EQ(Catalog().Find("clue_nrf52840").trace["link"], "usb");
  EXPECT_EQ(Catalog().Find("clue_nrf52840").trace["vid_pid"], "239a:8071");
  EXPECT_EQ(Catalog().Find("sma_q3").trace["link"], "rtt");
  EXPECT_EQ(Catalog().Find("microbit_v2").trace["link"], "uart");
}

TEST(BoardCatalogTest, UnknownNameSuggestsClosestBoards) {
  EXPECT_EQ(ErrorText([] { Catalog().Find("nrf52840"); }),
            "unknown board \"nrf52840\"; did you mean nrf52840dk, nrf52840_dongle?");
  EXPECT_EQ(ErrorText([] { Catalog().Find("QEMU_RV32_VIRT"); }),
            "unknown board \"QEMU_RV32_VIRT\"; did you mean qemu_rv32_virt?");
  EXPECT_EQ(ErrorText([] { Catalog().Find("hifive2"); }),
            "unknown board \"hifive2\"; did you mean hifive1?");
  EXPECT_EQ(ErrorText([] { Catalog().Find("zzzzzzzzzzzz"); }),
            "unknown board \"zzzzzzzzzzzz\"; run \"tockctl boards list\" to see the " +
                std::to_string(Catalog().size()) + " known boards");
  try {
    Catalog().Find("nope");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kUsage);
  }
}

// Facts checked against tock/tock 65608d7 (issue 14 item 32): each was wrong once.
TEST(BoardCatalogTest, FactsFromTheTockTree) {
  EXPECT_EQ(Catalog().Find("msp_exp432p401r").core, "cortex-m4");  // chips/msp432: cortexm4
  auto method = [](const std::string& board, const std::string& name) {
    const FlashMethod* m = Catalog().Find(board).FindFlashMethod(name);
    return m == nullptr ? nlohmann::ordered_json() : m->settings;
  };
  EXPECT_EQ(method("raspberry_pi_pico_2", "openocd")["commands"],
            "adapter speed 5000; program <elf>; verify_image <elf>; reset; shutdown;");
  for (const char* board : {"cy8cproto_62_4343_w", "psc3m5_evk", "nano_rp2040_connect"})
    EXPECT_FALSE(method(board, "openocd").is_null()) << board;
  for (const char* board : {"hifive1", "hifive_inventor", "redboard_redv"})
    EXPECT_EQ(method(board, "jlink")["speed_khz"], 1200) << board;
  EXPECT_EQ(Catalog().Find("nano33ble_rev2").trace["vid_pid"], "2341:005a");
  const auto& can = Catalog().Find("nucleo_f429zi").network_hardware.at(0);
  EXPECT_EQ(can.kind, "can");
  EXPECT_FALSE(can.can_fd);  // bxCAN is classic CAN only
}

// The warnings Load gives about `dir` (files it leaves out).
std::vector<std::string> LoadWarnings(const std::filesystem::path& dir, size_t* boards = nullptr) {
  std::vector<std::string> warnings;
  BoardCatalog catalog =
      BoardCatalog::Load(dir, [&](const std::string& w) { warnings.push_back(w); });
  if (boards != nullptr) *boards = catalog.size();
  return warnings;
}

TEST(BoardCatalogTest, FileNameMustMatchBoardName) {
  TempDir dir;
  std::string text = ReadFile(SourceDir() / "boards" / "hifive1.json");
  dir.Write("hifive2.json", text);
  EXPECT_EQ(LoadWarnings(dir.path()),
            std::vector<std::string>{
                (dir.path() / "hifive2.json").string() +
                ":4:13: /board/name: board name \"hifive1\" does not match the file name "
                "\"hifive2.json\"; rename the file or the board; valid: \"hifive2\"; hifive2.json "
                "is left out of the catalog"});
}

TEST(BoardCatalogTest, BrokenFilesAreLeftOutWithAWarningNamingThem) {
  TempDir dir;
  std::string good = ReadFile(SourceDir() / "boards" / "hifive1.json");
  dir.Write("hifive1.json", good);
  dir.Write("a.json", "{\"format\": 1, \"board\": [] }\n");
  dir.Write("b.json", "{\"format\": 2, \"board\": {} }\n");
  dir.Write("c.json", "{\"format\": 1,\n \"board\": {\n");
  size_t boards = 0;
  std::vector<std::string> warnings = LoadWarnings(dir.path(), &boards);
  EXPECT_EQ(boards, 1u);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0], (dir.path() / "a.json").string() +
                             ":1:24: /board: expected an object, got array; valid: an object; "
                             "a.json is left out of the catalog");
  EXPECT_EQ(warnings[1], (dir.path() / "b.json").string() +
                             ":1:12: /format: unsupported format 2; this tockctl reads format 1; "
                             "valid: 1; b.json is left out of the catalog");
  EXPECT_EQ(warnings[2].rfind((dir.path() / "c.json").string() + ":3:1: malformed JSON", 0), 0u)
      << warnings[2];
  EXPECT_TRUE(warnings[2].ends_with("; c.json is left out of the catalog")) << warnings[2];
}

TEST(BoardCatalogTest, SearchOrderIsBoardsPathThenXdgThenDataDir) {
  auto search = BoardSearch::From("/data", "/a:/b::", "/xdg", "/home/u");
  EXPECT_EQ(search.dirs, (std::vector<std::filesystem::path>{"/a", "/b", "/xdg/tockctl/boards",
                                                             "/data/boards"}));
  search = BoardSearch::From("/data", nullptr, "", "/home/u");
  EXPECT_EQ(search.dirs,
            (std::vector<std::filesystem::path>{"/home/u/.config/tockctl/boards", "/data/boards"}));
}

TEST(BoardCatalogTest, EarlierDirectoriesHideLaterOnesAndMissingUserDirsAreFine) {
  TempDir user;
  std::string text = ReadFile(SourceDir() / "boards" / "hifive1.json");
  auto at = text.find("\"description\": \"");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 16, "Mine: ");
  user.Write("hifive1.json", text);
  auto search = BoardSearch::From(SourceDir(), (user.path().string() + ":/nonexistent").c_str(),
                                  nullptr, nullptr);
  BoardCatalog catalog = BoardCatalog::Load(search);
  EXPECT_EQ(catalog.size(), Catalog().size());
  EXPECT_EQ(catalog.FindEntry("hifive1").file, (user.path() / "hifive1.json").string());
  EXPECT_EQ(catalog.Find("hifive1").description.rfind("Mine: ", 0), 0u);
}

TEST(BoardCatalogTest, TheShippedCatalogIsReadAFileAtATimeAndUserFilesAtOnce) {
  TempDir data, user;
  std::filesystem::create_directory(data.path() / "boards");
  data.Write("boards/hifive1.json", ReadFile(SourceDir() / "boards" / "hifive1.json"));
  data.Write("boards/broken.json", "{\"format\": 1, \"board\": []}\n");
  user.Write("mine.json", "{\"format\": 2, \"board\": {}}\n");
  std::vector<std::string> warnings;
  auto search = BoardSearch::From(data.path(), user.path().string().c_str(), nullptr, nullptr,
                                  [&](const std::string& w) { warnings.push_back(w); });
  BoardCatalog catalog = BoardCatalog::Load(search);
  ASSERT_EQ(warnings.size(), 1u);  // the user's broken file, at once
  EXPECT_TRUE(warnings[0].ends_with("mine.json is left out of the catalog")) << warnings[0];
  EXPECT_EQ(catalog.Find("hifive1").name, "hifive1");
  EXPECT_EQ(warnings.size(), 1u);  // one board read, the shipped broken file not yet
  EXPECT_FALSE(catalog.Contains("broken"));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[1], (data.path() / "boards" / "broken.json").string() +
                             ":1:24: /board: expected an object, got array; valid: an object; "
                             "broken.json is left out of the catalog");
  EXPECT_EQ(catalog.Names(), std::vector<std::string>{"hifive1"});
  EXPECT_EQ(warnings.size(), 2u);  // each file is read and named once
}

TEST(BoardCatalogTest, MissingDirectoryIsAnIoError) {
  try {
    BoardCatalog::Load("/nonexistent/boards");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
    EXPECT_EQ(e.Describe(),
              "/nonexistent/boards: board catalog directory not found; pass --data-dir DIR with a "
              "boards/ subdirectory, or set TOCKCTL_DATA_DIR");
  }
}

TEST(BoardCatalogTest, TopLevelUnknownKeysAreWarnings) {
  TempDir dir;
  std::string text = ReadFile(SourceDir() / "boards" / "hifive1.json");
  text.insert(1, "\n  \"colour\": \"red\",");
  auto path = dir.Write("hifive1.json", text);
  CatalogEntry entry = LoadCatalogFile(path);
  ASSERT_EQ(entry.warnings.size(), 1u);
  EXPECT_EQ(FormatBoardWarning(entry.file, entry.warnings[0]),
            path.string() +
                ":2:3: warning: /colour: unknown key \"colour\" is kept but not used; valid: "
                "format, board, $schema, ipc, network");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

std::string DocsText() { return ReadFile(SourceDir() / "docs" / "boards.md"); }

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  size_t start = 1;
  for (size_t bar = row.find('|', start); bar != std::string::npos; bar = row.find('|', start)) {
    std::string cell = row.substr(start, bar - start);
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
    start = bar + 1;
  }
  return cells;
}

TEST(BoardCatalogDocsTest, SaysWhichTockBoardDirectoriesAreNotListed) {
  std::string docs = DocsText();
  EXPECT_EQ(docs.find("every board crate of the Tock tree"), std::string::npos);
  EXPECT_NE(docs.find("`boards/configurations/`"), std::string::npos);
  EXPECT_NE(docs.find("`boards/tutorials/`"), std::string::npos);
}

TEST(BoardCatalogDocsTest, AddABoardExampleLoadsCleanly) {
  std::string docs = DocsText();
  size_t start = docs.find("```json\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  std::string example = docs.substr(start, docs.find("```", start) - start);
  TempDir dir;
  CatalogEntry entry = LoadCatalogFile(dir.Write("my_nrf52840_board.json", example));
  EXPECT_TRUE(entry.warnings.empty());
  EXPECT_EQ(entry.board.default_flash_method, "tock-bootloader");
  EXPECT_TRUE(CheckHardwareBoard(entry.board).empty());
}

TEST(BoardCatalogDocsTest, BoardTableMatchesTheCatalog) {
  std::istringstream lines(DocsText());
  std::set<std::string> documented;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells = Cells(line);
    if (cells.size() != 6 || !Catalog().Contains(cells[0])) continue;
    const HardwareBoard& b = Catalog().Find(cells[0]);
    EXPECT_EQ(cells[1], b.tock_path) << line;
    EXPECT_EQ(cells[2], b.chip) << line;
    EXPECT_EQ(cells[3].rfind(ProtectionKindName(b.protection.kind), 0), 0u) << line;
    EXPECT_EQ(cells[4].rfind(b.default_flash_method, 0), 0u) << line;
    EXPECT_EQ(cells[5] == "–", b.network_hardware.empty()) << line;
    documented.insert(cells[0]);
  }
  EXPECT_EQ(documented.size(), Catalog().size());
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
