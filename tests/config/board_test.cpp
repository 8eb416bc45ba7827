#include "config/board.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/error.h"
#include "config/board_catalog.h"
#include "config/board_reader.h"
#include "config/json_document.h"
#include "tests/support/test_support.h"

namespace tockctl::config {
namespace {
namespace TOCKCTL_UNITY_ID {

// A small, valid board file. Line numbers matter: the tests below name them.
const char* const kBoard = R"({
  "format": 1,
  "board": {
    "name": "demo",
    "description": "Demo board",
    "tock_path": "boards/demo",
    "package": "demo",
    "chip": "nrf52840",
    "core": "cortex-m4f",
    "arch": "armv7e-m",
    "target": "thumbv7em-none-eabi",
    "protection": {
      "kind": "armv7m-mpu",
      "regions": 8,
      "app_regions": 8,
      "process_reserved": 2,
      "min_region_size": 32,
      "power_of_two": true,
      "size_aligned": true,
      "subregions": 8
    },
    "memory": {
      "kernel_flash": { "origin": "0x0", "length": "0x40000" },
      "app_flash": { "origin": "0x40000", "length": "0xc0000" },
      "ram": { "origin": "0x20000000", "length": 262144 }
    },
    "page_size": 4096,
    "flash": {
      "default": "jlink",
      "methods": [
        { "method": "jlink", "device": "nRF52840_xxAA" },
        { "method": "openocd", "config": "board/nordic_nrf52_dk.cfg" }
      ]
    },
    "console": { "kind": "uart", "device": "UARTE0", "baud": 115200 },
    "trace": { "link": "uart", "baud": 115200 },
    "network_hardware": [
      { "kind": "ble", "name": "ble0", "device": "radio", "driver": "BleAdvertising", "driver_num": "0x30000" }
    ]
  }
}
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

HardwareBoard Read(const std::string& text, std::vector<BoardWarning>* warnings = nullptr) {
  std::vector<BoardWarning> local;
  JsonDocument doc = JsonDocument::Parse(text, "boards/demo.json");
  return ReadCheckedHardwareBoard(doc, "/board", warnings ? *warnings : local);
}

std::string ErrorOf(const std::string& text) {
  try {
    Read(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
    return e.Describe();
  }
  return "(no error)";
}

std::string Err(const std::string& from, const std::string& to) {
  return ErrorOf(Replace(kBoard, from, to));
}

TEST(BoardTest, ReadsAValidBoard) {
  HardwareBoard b = Read(kBoard);
  EXPECT_EQ(b.name, "demo");
  EXPECT_EQ(b.protection.kind, ProtectionKind::kArmv7mMpu);
  EXPECT_EQ(b.memory.ram.length, 262144u);
  EXPECT_EQ(b.memory.app_flash.origin, 0x40000u);
  EXPECT_EQ(b.page_size, 4096u);
  EXPECT_EQ(b.flash_methods.size(), 2u);
  ASSERT_NE(b.FindFlashMethod("openocd"), nullptr);
  EXPECT_EQ(b.FindFlashMethod("openocd")->settings["config"], "board/nordic_nrf52_dk.cfg");
  EXPECT_EQ(b.FindFlashMethod("dfu"), nullptr);
  EXPECT_TRUE(b.HasNetworkKind("ble"));
  EXPECT_FALSE(b.HasNetworkKind("ethernet"));
  EXPECT_EQ(b.network_hardware[0].driver_num, 0x30000u);
  EXPECT_FALSE(b.tier.has_value());
  EXPECT_FALSE(b.legacy_ipc.has_value());
}

TEST(BoardTest, ProtectionKindNamesRoundTrip) {
  for (auto kind :
       {ProtectionKind::kArmv6mMpu, ProtectionKind::kArmv7mMpu, ProtectionKind::kArmv8mMpu,
        ProtectionKind::kRiscvPmp, ProtectionKind::kRiscvEpmp, ProtectionKind::kX86Paging})
    EXPECT_EQ(ProtectionKindFromName(ProtectionKindName(kind)), kind);
  EXPECT_STREQ(ProtectionKindName(ProtectionKind::kRiscvEpmp), "riscv-epmp");
  EXPECT_FALSE(ProtectionKindFromName("armv7-mpu").has_value());
}

TEST(BoardTest, HexAndIntegerParsing) {
  using Json = nlohmann::ordered_json;
  uint64_t v = 0;
  EXPECT_EQ(ParseBoardUnsigned(Json("0x20000000"), v), "");
  EXPECT_EQ(v, 0x20000000u);
  EXPECT_EQ(ParseBoardUnsigned(Json("0XfFfF"), v), "");
  EXPECT_EQ(v, 0xffffu);
  EXPECT_EQ(ParseBoardUnsigned(Json(4096), v), "");
  EXPECT_EQ(v, 4096u);
  EXPECT_EQ(ParseBoardUnsigned(Json("0xffffffffffffffff"), v), "");
  EXPECT_EQ(v, 0xffffffffffffffffu);
  EXPECT_EQ(ParseBoardUnsigned(Json("0x10000000000000000"), v),
            "value \"0x10000000000000000\" does not fit in 64 bits");
  const std::string expected = "expected a hex string like \"0x20000000\" or an integer";
  for (const Json& bad : {Json("4096"), Json("0x"), Json("0xg0"), Json(" 0x10"), Json(1.5),
                          Json(true), Json(nullptr), Json::array()})
    EXPECT_EQ(ParseBoardUnsigned(bad, v), expected) << bad.dump();
  EXPECT_EQ(ParseBoardUnsigned(Json(-1), v), "expected a non-negative value, got -1");
  EXPECT_EQ(FormatBoardHex(0), "0x0");
  EXPECT_EQ(FormatBoardHex(0x8000ABCDu), "0x8000abcd");
}

TEST(BoardTest, MalformedValuesNameFileLineColumnAndPointer) {
  EXPECT_EQ(Err("\"0x20000000\"", "\"0x2000000z\""),
            "boards/demo.json:25:26: /board/memory/ram/origin: expected a hex string like "
            "\"0x20000000\" or an integer; valid: an integer or a hex string like \"0x20000000\"");
  EXPECT_EQ(Err("\"0x20000000\"", "\"0x1ffffffffffffffff\""),
            "boards/demo.json:25:26: /board/memory/ram/origin: value \"0x1ffffffffffffffff\" does "
            "not fit in 64 bits; valid: an integer or a hex string like \"0x20000000\"");
  EXPECT_EQ(Err("262144", "-4"),
            "boards/demo.json:25:50: /board/memory/ram/length: expected a non-negative value, got "
            "-4; valid: an integer or a hex string like \"0x20000000\"");
  EXPECT_EQ(Err("\"armv7m-mpu\"", "\"armv7-mpu\""),
            "boards/demo.json:13:15: /board/protection/kind: unknown value \"armv7-mpu\"; valid: "
            "armv6m-mpu, armv7m-mpu, armv8m-mpu, riscv-pmp, riscv-epmp, x86-paging");
  EXPECT_EQ(Err("\"regions\": 8", "\"regions\": 0"),
            "boards/demo.json:14:18: /board/protection/regions: expected an integer from 1 to "
            "4096, got 0; valid: 1..4096");
  EXPECT_EQ(Err("\"power_of_two\": true", "\"power_of_two\": \"yes\""),
            "boards/demo.json:18:23: /board/protection/power_of_two: expected true or false, got "
            "string; valid: true or false");
  EXPECT_EQ(Err("\"name\": \"demo\"", "\"name\": \"de mo\""),
            "boards/demo.json:4:13: /board/name: board name \"de mo\" may only use letters, "
            "digits, '_', '.' and '-'; valid: letters, digits, '_', '.' and '-'");
  EXPECT_EQ(
      Err("\"description\": \"Demo board\"", "\"description\": \"\""),
      "boards/demo.json:5:20: /board/description: must not be empty; valid: a non-empty string");
  EXPECT_EQ(Err("\"chip\": \"nrf52840\"", "\"chip\": 52840"),
            "boards/demo.json:8:13: /board/chip: expected a string, got integer; valid: a string");
  EXPECT_EQ(Err("\"arch\": \"armv7e-m\"", "\"arch\": \"armv7\""),
            "boards/demo.json:10:13: /board/arch: unknown value \"armv7\"; valid: armv6-m, "
            "armv7e-m, armv8-m.main, rv32imac, rv32imc, rv64imac, i486");
}

TEST(BoardTest, MissingAndMistypedMembers) {
  EXPECT_EQ(Err("\"page_size\": 4096,\n", ""),
            "boards/demo.json:3:12: /board/page_size: missing required key \"page_size\"; valid: "
            "add \"page_size\" to /board");
  EXPECT_EQ(Err("\"origin\": \"0x40000\", ", ""),
            "boards/demo.json:24:20: /board/memory/app_flash/origin: missing required key "
            "\"origin\"; valid: add \"origin\" to /board/memory/app_flash");
  EXPECT_EQ(
      Err("\"console\": { \"kind\": \"uart\", \"device\": \"UARTE0\", \"baud\": 115200 }",
          "\"console\": \"uart\""),
      "boards/demo.json:35:16: /board/console: expected an object, got string; valid: an object");
  EXPECT_EQ(Err("\"page_size\": 4096", "\"page_size\": \"4K\""),
            "boards/demo.json:27:18: /board/page_size: expected an integer from 1 to 16777216, got "
            "\"4K\"; valid: 1..16777216");
  std::string no_array = Replace(kBoard, R"("network_hardware": [
      { "kind": "ble", "name": "ble0", "device": "radio", "driver": "BleAdvertising", "driver_num": "0x30000" }
    ])",
                                 R"("network_hardware": "ble")");
  EXPECT_EQ(ErrorOf(no_array),
            "boards/demo.json:37:25: /board/network_hardware: expected an array, got string; "
            "valid: an array");
}

// trace.rust.radio (the tracer's 802.15.4 shim) must name an ieee802154 network_hardware entry,
// and each of its edits says either "after" or "replace".
TEST(BoardTest, TracerRadioFactsAreChecked) {
  const std::string rust = R"("trace": { "link": "uart", "rust": { "chip": "c", "clock": "k",
      "platform": "Platform", "fault_policy": "f", "uart_mux": "m", "clock_ref": "r",
      "radio": { "hardware": "ble0", "type": "RadioHw", "device": "&radio", "shim": "s",
        "edits": [{ "file": "src/lib.rs", "after": "x", "lines": [] }] } } },)";
  const std::string trace = R"("trace": { "link": "uart", "baud": 115200 },)";
  EXPECT_EQ(ErrorOf(Replace(kBoard, trace, rust)),
            "boards/demo.json:38:30: /board/trace/rust/radio/hardware: \"ble0\" names no "
            "ieee802154 entry of network_hardware; valid: a board with an ieee802154 "
            "network_hardware entry");
  std::string both = Replace(rust, R"("after": "x")", R"("after": "x", "replace": "y")");
  EXPECT_EQ(ErrorOf(Replace(kBoard, trace, both)),
            "boards/demo.json:39:52: /board/trace/rust/radio/edits/0/after: an edit needs exactly "
            "one of \"after\" and \"replace\"; valid: \"after\": LINE or \"replace\": LINE or "
            "[LINE, ...]");
  std::string empty_run = Replace(rust, R"("after": "x")", R"("replace": [])");
  EXPECT_EQ(ErrorOf(Replace(kBoard, trace, empty_run)),
            "boards/demo.json:39:54: /board/trace/rust/radio/edits/0/replace: a list to replace "
            "needs one or more non-empty lines; valid: [LINE, ...]");
}

// trace.rust.ethernet (the tracer's Ethernet shim) must name an ethernet network_hardware entry.
TEST(BoardTest, TracerEthernetFactsAreChecked) {
  const std::string rust = R"("trace": { "link": "uart", "rust": { "chip": "c", "clock": "k",
      "platform": "Platform", "fault_policy": "f", "uart_mux": "m", "clock_ref": "r",
      "ethernet": { "hardware": "ble0", "type": "NetHw", "device": "net", "shim": "s",
        "optional": true, "edits": [{ "file": "src/lib.rs", "replace": ["a", "b"],
        "lines": [] }] } } },)";
  const std::string trace = R"("trace": { "link": "uart", "baud": 115200 },)";
  EXPECT_EQ(ErrorOf(Replace(kBoard, trace, rust)),
            "boards/demo.json:38:33: /board/trace/rust/ethernet/hardware: \"ble0\" names no "
            "ethernet entry of network_hardware; valid: a board with an ethernet "
            "network_hardware entry");
}

TEST(BoardTest, FlashMethodsAreChecked) {
  EXPECT_EQ(Err("\"default\": \"jlink\"", "\"default\": \"probe-rs\""),
            "boards/demo.json:29:18: /board/flash/default: default flash method \"probe-rs\" is "
            "not in methods; valid: jlink, openocd");
  EXPECT_EQ(
      Err("{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }", "{ \"method\": \"stlink\" }"),
      "boards/demo.json:31:21: /board/flash/methods/0/method: unknown value \"stlink\"; "
      "valid: qemu, gdb, openocd, jlink, probe-rs, nrfutil, tock-bootloader, picoboot, uf2, "
      "dfu, external");
  EXPECT_EQ(
      Err("{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }", "{ \"method\": \"jlink\" }"),
      "boards/demo.json:31:9: /board/flash/methods/0/device: missing required key \"device\"; "
      "valid: add \"device\" to /board/flash/methods/0");
  EXPECT_EQ(Err("\"config\": \"board/nordic_nrf52_dk.cfg\"", "\"commands\": \"init\""),
            "boards/demo.json:32:9: /board/flash/methods/1: openocd needs \"config\" or "
            "\"tock_config\"; valid: add \"config\" or \"tock_config\"");
  EXPECT_EQ(Err("\"config\": \"board/nordic_nrf52_dk.cfg\" }",
                "\"config\": \"x.cfg\" },\n        { \"method\": \"jlink\", \"device\": \"X\" }"),
            "boards/demo.json:33:9: /board/flash/methods/2: flash method \"jlink\" is listed "
            "twice; valid: each method once (\"external\" once per tool)");
  EXPECT_EQ(Err("{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }",
                "{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\", \"interface\": \"spi\" }"),
            "boards/demo.json:31:70: /board/flash/methods/0/interface: unknown value \"spi\"; "
            "valid: swd, jtag");
  EXPECT_EQ(Err("{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }",
                "{ \"method\": \"dfu\", \"vid_pid\": \"0483-df11\" }"),
            "boards/demo.json:31:39: /board/flash/methods/0/vid_pid: expected \"VID:PID\" in hex, "
            "like \"0483:df11\"; valid: VID:PID");
  EXPECT_EQ(Err("{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }",
                "{ \"method\": \"gdb\", \"remote\": \"localhost\" }"),
            "boards/demo.json:31:38: /board/flash/methods/0/remote: expected \"HOST:PORT\", like "
            "\"127.0.0.1:1234\"; valid: HOST:PORT");
}

TEST(BoardTest, SerialBootloaderAndDfuKeysTheFlasherReadsAreKnown) {
  std::vector<BoardWarning> warnings;
  std::string text = Replace(
      kBoard, "{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }",
      "{ \"method\": \"tock-bootloader\", \"baud\": 115200, \"fast_baud\": 921600, "
      "\"entry\": \"dtr-rts\", \"skip_zero_pages\": true, \"start_address\": \"0x10000\" },\n"
      "        { \"method\": \"dfu\", \"vid_pid\": \"0483:df11\", \"alt\": 1, "
      "\"address\": \"0x08000000\" }");
  text = Replace(text, "\"default\": \"jlink\"", "\"default\": \"dfu\"");
  HardwareBoard b = Read(text, &warnings);
  EXPECT_TRUE(warnings.empty()) << FormatBoardWarning("boards/demo.json", warnings.front());
  ASSERT_NE(b.FindFlashMethod("tock-bootloader"), nullptr);
  EXPECT_EQ(b.FindFlashMethod("tock-bootloader")->settings["fast_baud"], 921600);
  EXPECT_EQ(Err("{ \"method\": \"jlink\", \"device\": \"nRF52840_xxAA\" }",
                "{ \"method\": \"tock-bootloader\", \"entry\": \"reset\" }"),
            "boards/demo.json:31:49: /board/flash/methods/0/entry: unknown value \"reset\"; "
            "valid: auto, baud-touch, dtr-rts, none");
}

TEST(BoardTest, RegionsMustNotOverlapOrBeEmpty) {
  EXPECT_EQ(Err("\"origin\": \"0x40000\"", "\"origin\": \"0x30000\""),
            "boards/demo.json:24:20: /board/memory/app_flash: app_flash [0x30000, 0xf0000) "
            "overlaps kernel_flash [0x0, 0x40000); regions must not overlap; valid: a range that "
            "overlaps no other region");
  EXPECT_EQ(Err("\"length\": \"0xc0000\"", "\"length\": \"0x0\""),
            "boards/demo.json:24:53: /board/memory/app_flash/length: app_flash has length 0; "
            "regions must not be empty; valid: a length above 0");
  EXPECT_EQ(Err("\"ram\": { \"origin\": \"0x20000000\", \"length\": 262144 }",
                "\"ram\": { \"origin\": \"0xffff0000\", \"length\": \"0x20000\" }"),
            "boards/demo.json:25:50: /board/memory/ram/length: ram ends past the 32-bit address "
            "space; valid: a region that ends at or below 0xffffffff");
  EXPECT_EQ(
      Err("\"ram\": { \"origin\": \"0x20000000\", \"length\": 262144 }",
          "\"ram\": { \"origin\": \"0x20000000\", \"length\": 262144 },\n      \"reserved\": "
          "[ { \"name\": \"bootloader\", \"origin\": \"0x3f000\", \"length\": \"0x1000\" } ]"),
      "boards/demo.json:26:21: /board/memory/reserved/0: bootloader [0x3f000, 0x40000) overlaps "
      "kernel_flash [0x0, 0x40000); regions must not overlap; valid: a range that overlaps no "
      "other region");
}

TEST(BoardTest, ProtectionMustFitItsKindAndArch) {
  EXPECT_EQ(Err("\"power_of_two\": true", "\"power_of_two\": false"),
            "boards/demo.json:18:23: /board/protection/power_of_two: armv7m-mpu requires "
            "power_of_two true; valid: true");
  EXPECT_EQ(Err("\"subregions\": 8", "\"subregions\": 0"),
            "boards/demo.json:20:21: /board/protection/subregions: armv7m-mpu requires subregions "
            "8; valid: 8");
  EXPECT_EQ(Err("\"min_region_size\": 32", "\"min_region_size\": 256"),
            "boards/demo.json:17:26: /board/protection/min_region_size: armv7m-mpu requires "
            "min_region_size 32; valid: 32");
  EXPECT_EQ(Err("\"app_regions\": 8", "\"app_regions\": 9"),
            "boards/demo.json:15:22: /board/protection/app_regions: app_regions 9 exceeds regions "
            "8; valid: 1..8");
  EXPECT_EQ(Err("\"process_reserved\": 2", "\"process_reserved\": 9"),
            "boards/demo.json:16:27: /board/protection/process_reserved: process_reserved 9 "
            "exceeds app_regions 8; valid: 0..8");
  EXPECT_EQ(Err("\"arch\": \"armv7e-m\"", "\"arch\": \"armv8-m.main\""),
            "boards/demo.json:13:15: /board/protection/kind: armv7m-mpu does not fit arch "
            "armv8-m.main; valid: armv8m-mpu");
}

TEST(BoardTest, PageSizeAndAlignment) {
  EXPECT_EQ(Err("\"page_size\": 4096", "\"page_size\": 3000"),
            "boards/demo.json:27:18: /board/page_size: page_size 3000 is not a power of two; "
            "valid: a power of two, e.g. 512 or 4096");
  EXPECT_EQ(Err("\"origin\": \"0x40000\"", "\"origin\": \"0x40800\""),
            "boards/demo.json:24:32: /board/memory/app_flash/origin: app_flash origin 0x40800 is "
            "not aligned to page_size 4096; valid: a multiple of 4096");
}

TEST(BoardTest, ConsoleTraceAndNetwork) {
  EXPECT_EQ(Err("\"kind\": \"uart\"", "\"kind\": \"serial\""),
            "boards/demo.json:35:26: /board/console/kind: unknown value \"serial\"; valid: uart, "
            "usb-cdc, rtt");
  EXPECT_EQ(Err("\"link\": \"uart\"", "\"link\": \"swo\""),
            "boards/demo.json:36:24: /board/trace/link: unknown value \"swo\"; valid: uart, usb, "
            "rtt, tcp");
  EXPECT_EQ(Err("\"kind\": \"ble\"", "\"kind\": \"lora\""),
            "boards/demo.json:38:17: /board/network_hardware/0/kind: unknown value \"lora\"; "
            "valid: ethernet, ieee802154, wifi, can, ble");
  EXPECT_EQ(Err("\"driver_num\": \"0x30000\"", "\"driver_num\": \"0x100000000\""),
            "boards/demo.json:38:101: /board/network_hardware/0/driver_num: value 0x100000000 is "
            "larger than 0xffffffff; valid: at most 0xffffffff");
}

TEST(BoardTest, UnknownKeysAreWarningsNotErrors) {
  std::vector<BoardWarning> warnings;
  std::string text =
      Replace(kBoard, "\"page_size\": 4096,", "\"page_size\": 4096, \"pagesize\": 1,");
  text = Replace(text, "\"baud\": 115200 },", "\"baud\": 115200, \"parity\": \"none\" },");
  HardwareBoard b = Read(text, &warnings);
  EXPECT_EQ(b.page_size, 4096u);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(
      FormatBoardWarning("boards/demo.json", warnings[0]),
      "boards/demo.json:27:24: warning: /board/pagesize: unknown key \"pagesize\" is kept but not "
      "used; valid: name, description, tock_path, package, chip, core, arch, target, tier, "
      "protection, memory, page_size, flash, console, trace, network_hardware, legacy_ipc, source");
  EXPECT_EQ(FormatBoardWarning("boards/demo.json", warnings[1]),
            "boards/demo.json:35:70: warning: /board/console/parity: unknown key \"parity\" is "
            "kept but not used; valid: kind, device, baud");
}

TEST(BoardTest, SerialisesBackToTheSameObject) {
  HardwareBoard b = Read(kBoard);
  nlohmann::ordered_json j = b;
  EXPECT_EQ(j["memory"]["ram"]["length"], "0x40000");  // integers come back as hex strings
  EXPECT_EQ(j["network_hardware"][0]["driver_num"], "0x30000");
  EXPECT_FALSE(j.contains("tier"));
  JsonDocument again = JsonDocument::Parse(FormatJson({{"format", 1}, {"board", j}}), "again.json");
  std::vector<BoardWarning> warnings;
  HardwareBoard b2 = ReadCheckedHardwareBoard(again, "/board", warnings);
  EXPECT_TRUE(warnings.empty());
  nlohmann::ordered_json j2 = b2;
  EXPECT_EQ(j, j2);
}

TEST(BoardTest, EveryCatalogFileRoundTripsExactly) {
  auto catalog = BoardCatalog::Load(tockctl::testing::SourceDir() / "boards");
  for (const CatalogEntry* entry : catalog.Entries()) {
    JsonDocument doc = JsonDocument::Load(entry->file);
    nlohmann::ordered_json written = entry->board;
    EXPECT_EQ(written, doc.root()["board"]) << entry->file;
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::config
