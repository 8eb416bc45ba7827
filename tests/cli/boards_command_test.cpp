#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/file_io.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;

size_t CatalogFileCount() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(testing::SourceDir() / "boards"))
    n += e.path().extension() == ".json";
  return n;
}

TEST(BoardsCommandTest, ListPrintsAnAlignedTableInNameOrder) {
  auto r = RunTockctl({"boards", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::istringstream lines(r.out);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header.rfind("NAME", 0), 0u);
  size_t chip_col = header.find("CHIP");
  for (const char* col : {"CORE", "PROTECTION", "FLASH", "NETWORK"})
    EXPECT_NE(header.find(col), std::string::npos) << col;
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line[chip_col - 1], ' ') << line;
    EXPECT_NE(line[chip_col], ' ') << line;
    rows.push_back(line);
  }
  EXPECT_EQ(rows.size(), CatalogFileCount());
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  auto row_of = [&](const std::string& name) {
    for (const auto& row : rows)
      if (row.rfind(name + " ", 0) == 0) return row;
    return std::string();
  };
  std::string qemu = row_of("qemu_rv32_virt");
  for (const char* cell :
       {"qemu_rv32_virt_chip", "rv32imac", "riscv-epmp", "qemu", "ethernet 0x30007"})
    EXPECT_NE(qemu.find(cell), std::string::npos) << cell;
  EXPECT_NE(row_of("nucleo_f429zi").find("can 0x20007"), std::string::npos);
  EXPECT_NE(row_of("nrf52840dk").find("ble 0x30000, ieee802154 0x30001"), std::string::npos);
}

TEST(BoardsCommandTest, ListJsonIsAnArrayOfBoardObjects) {
  auto r = RunTockctl({"boards", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_TRUE(doc.is_array());
  EXPECT_EQ(doc.size(), CatalogFileCount());
  bool found = false;
  for (const auto& b : doc) {
    for (const char* key : {"name", "chip", "protection", "memory", "flash", "network_hardware"})
      EXPECT_TRUE(b.contains(key)) << key;
    if (b["name"] == "qemu_rv32_virt") {
      found = true;
      EXPECT_EQ(b["memory"]["app_flash"]["origin"], "0x80100000");
      EXPECT_EQ(b["flash"]["default"], "qemu");
    }
  }
  EXPECT_TRUE(found);
}

TEST(BoardsCommandTest, ShowPrintsTheWholeBoard) {
  auto r = RunTockctl({"boards", "show", "qemu_rv32_virt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "qemu_rv32_virt: QEMU RISC-V 32-bit virt machine\n"
            "  tock path             boards/qemu_rv32_virt (cargo package qemu_rv32_virt)\n"
            "  chip                  qemu_rv32_virt_chip\n"
            "  core                  rv32imac (rv32imac)\n"
            "  target                riscv32imac-unknown-none-elf\n"
            "  tier                  -\n"
            "Memory (page size 512 bytes)\n"
            "  kernel_flash          0x80000000-0x800fffff   1024 KiB\n"
            "  app_flash             0x80100000-0x801fffff   1024 KiB\n"
            "  ram                   0x80200000-0x803fffff   2048 KiB\n"
            "Protection: riscv-epmp\n"
            "  16 hardware regions; a process may use 5, 2 of them for its own flash and RAM, "
            "leaving 3 for sharing\n"
            "  minimum region size 4 bytes; sizes need not be powers of two; base not tied to "
            "size; no subregions\n"
            "  source: PMPUserMPU<5, KernelProtectionMMLEPMP<16, 5>> (chips/qemu_rv32_virt_chip)\n"
            "Flash methods (* = default)\n"
            "  * qemu            machine=virt binary=qemu-system-riscv32 load=gdbstub bios=none "
            "semihosting=true epmp=true globals=virtio-mmio.force-legacy=false "
            "devices=virtio-rng-device,virtio-keyboard-device nic=virtio-net-device\n"
            "    gdb             remote=127.0.0.1:1234\n"
            "Console: uart, 16550 UART @0x10000000, baud 115200\n"
            "Trace: uart, baud 115200\n"
            "  tracer (tockctl build --integrate): chip qemu_rv32_virt_lib::ChipHw, clock "
            "qemu_rv32_virt_chip::chip::QemuRv32VirtClint<'static>\n"
            "  --integrate also adds lines at 2 anchors of src/lib.rs\n"
            "  Ethernet shim on eth0 (TraceEthernet around "
            "qemu_rv32_virt_chip::virtio::devices::virtio_net::VirtIONet<'static, "
            "RiscvCoherentDmaFence>): 10 edits of src/lib.rs\n"
            "Network hardware\n"
            "  eth0    ethernet    VirtIO-net; EthernetTap driver 0x30007\n"
            "                      present when QEMU is started with a virtio-net-device "
            "(NETDEV=SLIRP|TAP)\n"
            "Legacy IPC (0x10000): yes\n"
            "Facts from: boards/qemu_rv32_virt/layout.ld, boards/qemu_rv32_virt/Makefile\n");
}

// nrf52840dk's tracer facts include the 802.15.4 radio shim (board.trace.rust.radio).
TEST(BoardsCommandTest, ShowSummarisesTheTracerRadioShim) {
  auto r = RunTockctl({"boards", "show", "nrf52840dk"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Trace: uart, baud 115200\n"
                       "  tracer (tockctl build --integrate): chip nrf52840dk_lib::ChipHw, clock "
                       "nrf52840::rtc::Rtc<'static>\n"
                       "  --integrate also adds lines at 2 anchors of src/lib.rs\n"
                       "  802.15.4 shim on wpan0 (TraceRadio around RadioHw): 8 edits of "
                       "src/lib.rs, src/main.rs\n"
                       "Network hardware\n"),
            std::string::npos)
      << r.out;
}

TEST(BoardsCommandTest, ShowListsReservedRegionsAndDriverNumbers) {
  auto r = RunTockctl({"boards", "show", "clue_nrf52840"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  reserved bootloader   0x0-0x35fff             216 KiB\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  * tock-bootloader baud=115200\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Trace: usb, vid_pid 239a:8071\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("BleAdvertising driver 0x30000"), std::string::npos);
  EXPECT_NE(r.out.find("driver 0x30001"), std::string::npos);
}

TEST(BoardsCommandTest, ShowJsonIsTheBoardObject) {
  auto r = RunTockctl({"--json", "boards", "show", "nrf52840dk"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto b = nlohmann::json::parse(r.out);
  EXPECT_EQ(b["name"], "nrf52840dk");
  EXPECT_EQ(b["tock_path"], "boards/nordic/nrf52840dk");
  EXPECT_EQ(b["protection"]["kind"], "armv7m-mpu");
  EXPECT_EQ(b["memory"]["kernel_flash"]["length"], "0x40000");
  EXPECT_EQ(b["network_hardware"][1]["driver_num"], "0x30001");
}

TEST(BoardsCommandTest, UnknownBoardSuggestsTheClosestNames) {
  auto r = RunTockctl({"boards", "show", "nrf52840"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: unknown board \"nrf52840\"; did you mean nrf52840dk, nrf52840_dongle?\n");
  r = RunTockctl({"--json", "boards", "show", "pico2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
}

TEST(BoardsCommandTest, HelpAndMissingArguments) {
  for (auto args : {std::vector<std::string>{"boards", "--help"},
                    std::vector<std::string>{"boards", "list", "--help"},
                    std::vector<std::string>{"boards", "show", "--help"}}) {
    auto r = RunTockctl(args);
    EXPECT_EQ(r.exit_code, 0) << args.back();
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.out;
  }
  EXPECT_NE(RunTockctl({"--help"}).out.find("boards"), std::string::npos);
  auto r = RunTockctl({"boards", "show"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("NAME is required"), std::string::npos) << r.err;
  EXPECT_EQ(RunTockctl({"boards"}).exit_code, 2);
}

TEST(BoardsCommandTest, ABrokenBoardFileOnlyWarnsNamingIt) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.path() / "boards");
  dir.Write("boards/broken.json", "{ \"format\": 1, \"board\": { } }\n");
  dir.Write("boards/hail.json", ReadFile(testing::SourceDir() / "boards" / "hail.json"));
  auto r = RunTockctl({"--data-dir", dir.path().string(), "boards", "list"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "warning: " + (dir.path() / "boards" / "broken.json").string() +
                       ":1:25: /board/name: missing required key \"name\"; valid: add \"name\" to "
                       "/board; broken.json is left out of the catalog\n");
  EXPECT_EQ(r.out.substr(r.out.find('\n') + 1, 5), "hail ");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(BoardsCommandTest, DocsListExcerptMatchesTheRealOutput) {
  std::string docs = ReadFile(testing::SourceDir() / "docs" / "boards.md");
  std::string out = RunTockctl({"boards", "list"}).out;
  std::istringstream lines(docs);
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("    NAME ", 0) != 0 && line.rfind("    nrf52840dk ", 0) != 0 &&
        line.rfind("    nucleo_f429zi ", 0) != 0 && line.rfind("    qemu_rv32_virt ", 0) != 0)
      continue;
    EXPECT_NE(out.find(line.substr(4) + "\n"), std::string::npos) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
