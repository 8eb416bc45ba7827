// `tockctl flash` through the real binary with the serial and USB methods: the Tock bootloader
// over a pty served by the peer in this process, UF2 output, a fake openocd on PATH, and a
// PICOBOOT request on a host with no BOOTSEL device.
#include <gtest/gtest.h>
#include <spdlog/fmt/fmt.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/file_io.h"
#include "flasher/crc32.h"
#include "flasher/uf2_image.h"
#include "tests/flasher/tock_bootloader_peer.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {
namespace fs = std::filesystem;

using tockctl::testing::CliRun;
using tockctl::testing::RunTockctl;
using tockctl::testing::TempDir;

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::string WriteBin(const TempDir& dir, const std::vector<uint8_t>& data) {
  auto path = dir.path() / "kernel.bin";
  WriteFileAtomic(path, std::span<const uint8_t>(data));
  return path.string();
}

// The last line of the output, without its newline.
std::string LastLine(const std::string& text) {
  std::string t = text.substr(0, text.find_last_not_of('\n') + 1);
  return t.substr(t.find_last_of('\n') + 1);
}

bool EndsWith(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

// Flashes `data` at 0x10000 onto the peer with `extra` arguments.
CliRun FlashOnto(testing::TockBootloaderPeer& peer, const std::vector<uint8_t>& data,
                 std::vector<std::string> extra, const std::string& address = "0x10000") {
  TempDir dir;
  std::vector<std::string> args{"flash", WriteBin(dir, data), "--address",
                                address, "--serial",          peer.port_path()};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunTockctl(args);
}

TEST(FlashSerialUsbCliTest, TockBootloaderFlashesOverAPty) {
  testing::TockBootloaderPeer peer;  // 1.1.3 on a nano33ble
  auto data = Random(3000, 1);
  auto r = FlashOnto(peer, data, {"--board", "nano33ble"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
  EXPECT_NE(r.err.find("Tock bootloader 1.1.3 on " + peer.port_path() + " (board nano33ble)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Flashed 2.9 KiB to nano33ble via tock-bootloader"), std::string::npos)
      << r.err;
  // 1.1.x resets into the kernel on EXIT; a pty has no DTR line to pulse as well.
  EXPECT_TRUE(EndsWith(LastLine(r.err), ", verified, EXIT sent")) << r.err;
  for (int i = 0; i < 100 && !peer.kernel_started(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(peer.kernel_started());
}

TEST(FlashSerialUsbCliTest, Nrf52ImageWithAnAllFFPageVerifies) {
  testing::TockBootloaderPeer peer;  // erases to 0x01, like 1.1.x on an nRF52
  auto data = Random(1536, 2);
  std::fill(data.begin() + 512, data.begin() + 1024, 0xFF);
  auto r = FlashOnto(peer, data, {"--board", "nano33ble"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
}

TEST(FlashSerialUsbCliTest, Hail101KernelStartIsReportedAsItHappened) {
  testing::TockBootloaderPeer peer(testing::Hail101Peer());
  auto r = FlashOnto(peer, Random(1000, 3), {"--board", "hail"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(EndsWith(LastLine(r.err),
                       ", verified, kernel not started: bootloader 1.0.1 has no "
                       "EXIT and " +
                           peer.port_path() + " has no DTR line; press the board's reset button"))
      << r.err;
  auto commands = peer.commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), 0x22), 0);
  EXPECT_FALSE(peer.kernel_started());
}

TEST(FlashSerialUsbCliTest, LegacyCBootloaderCrcWithAnEscapeByteVerifies) {
  testing::TockBootloaderPeer peer(testing::ImixLegacyCPeer());
  std::vector<uint8_t> data;
  for (uint32_t seed = 100;; ++seed) {  // about 1 image in 64 has a 0xFC in its CRC-32
    data = Random(512, seed);
    uint32_t crc = Crc32(data);
    if ((crc & 0xFF) == 0xFC || (crc >> 8 & 0xFF) == 0xFC || (crc >> 16 & 0xFF) == 0xFC ||
        crc >> 24 == 0xFC)
      break;
  }
  auto r = FlashOnto(peer, data, {"--board", "imix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
}

TEST(FlashSerialUsbCliTest, WrongCrcWithGoodFlashNamesTheSegmentAddress) {
  testing::TockBootloaderPeer peer;
  testing::PeerFault fault;
  fault.kind = testing::PeerFault::Kind::kWrongCrc;
  fault.command = 0x15;
  fault.skip = 1;  // the write's own check passes; verify's CRC is off by one bit
  peer.AddFault(fault);
  auto data = Random(1024, 4);
  auto r = FlashOnto(peer, data, {"--board", "nano33ble"});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_EQ(LastLine(r.err),
            fmt::format("error: verify failed: segment binary differs from the image at "
                        "0x10000 (CRC-32 0x{:08x}, expected 0x{:08x}, but a read-back matches "
                        "byte for byte) (tock-bootloader: verify); flash again; if it keeps "
                        "failing the flash or the connection is faulty",
                        Crc32(data) ^ 1, Crc32(data)));
}

TEST(FlashSerialUsbCliTest, BoardMismatchIsRefusedUnlessForced) {
  testing::TockBootloaderPeer peer;  // a nano33ble's bootloader
  auto data = Random(512, 5);
  auto r = FlashOnto(peer, data, {"--board", "clue_nrf52840"}, "0x36000");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(LastLine(r.err), "error: the bootloader on " + peer.port_path() +
                                 " belongs to board \"nano33ble\", not clue_nrf52840; pass "
                                 "--board nano33ble, or --force to write the clue_nrf52840 image "
                                 "anyway");
  auto commands = peer.commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), 0x07), 0);
  auto forced = FlashOnto(peer, data, {"--board", "clue_nrf52840", "--force"}, "0x36000");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.err.find("warning: the bootloader on " + peer.port_path() +
                            " belongs to board \"nano33ble\", not clue_nrf52840; writing anyway "
                            "(--force)\n"),
            std::string::npos)
      << forced.err;
}

TEST(FlashSerialUsbCliTest, WithoutABoardTheBootloaderNamesIt) {
  testing::TockBootloaderPeer peer;
  auto data = Random(700, 6);
  auto r = FlashOnto(peer, data, {"--method", "tock-bootloader"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("board nano33ble (from the bootloader's \"board\" attribute)\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("to nano33ble via tock-bootloader"), std::string::npos) << r.err;
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
}

TEST(FlashSerialUsbCliTest, PageWithMoreThan79EscapeBytesOnNrf52IsRefused) {
  testing::TockBootloaderPeer peer;
  auto data = Random(1024, 7);
  std::replace(data.begin(), data.end(), uint8_t{0xFC}, uint8_t{0x00});
  std::fill(data.begin() + 600, data.begin() + 680, 0xFC);
  auto r = FlashOnto(peer, data, {"--board", "nano33ble"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(LastLine(r.err),
            "error: the page at 0x00010200 holds 80 bytes 0xFC; bootloader 1.1.3 on " +
                peer.port_path() +
                " receives at most 79 per page (each is sent twice and its 600-byte receive "
                "buffer overflows); nothing of this segment was written; flash this image with "
                "another method (e.g. --method jlink, openocd or probe-rs)");
}

TEST(FlashSerialUsbCliTest, VerifyOnlySaysWhatItDidAfterwards) {
  testing::TockBootloaderPeer peer;
  auto data = Random(1000, 8);
  peer.WriteFlash(0x10000, data);
  auto r = FlashOnto(peer, data, {"--board", "nano33ble", "--verify-only"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(EndsWith(LastLine(r.err), ", verified, EXIT sent")) << r.err;
  EXPECT_EQ(r.err.find("resumed"), std::string::npos) << r.err;
  auto commands = peer.commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), 0x07), 0);
}

// A board file like the catalog's `board`, with `settings` added to its tock-bootloader method.
std::string BoardFileWith(const TempDir& dir, const std::string& board,
                          const nlohmann::ordered_json& settings) {
  auto doc = nlohmann::ordered_json::parse(
      ReadFile(fs::path(TOCKCTL_SOURCE_DIR) / "boards" / (board + ".json")));
  for (auto& m : doc["board"]["flash"]["methods"])
    if (m["method"] == "tock-bootloader") m.update(settings);
  auto path = dir.path() / (board + "-custom.json");
  std::ofstream(path) << doc.dump(2);
  return path.string();
}

TEST(FlashSerialUsbCliTest, StartAddressOnBootloader101IsRefusedBeforeWriting) {
  testing::TockBootloaderPeer peer(testing::Hail101Peer());
  TempDir dir;
  std::string config = BoardFileWith(dir, "hail", {{"start_address", "0x30000"}});
  auto r = FlashOnto(peer, Random(512, 9), {"--config", config});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(LastLine(r.err),
            "error: /start_address: start_address 0x00030000 in the tock-bootloader flash method "
            "needs bootloader 1.1.0 or later, but " +
                peer.port_path() +
                " runs 1.0.1, which cannot store a start address; nothing was written; remove "
                "start_address (this bootloader starts the kernel at 0x10000) or update the "
                "bootloader");
  auto commands = peer.commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), 0x07), 0);
}

TEST(FlashSerialUsbCliTest, SkippedZeroPagesPassVerify) {
  testing::TockBootloaderPeer peer;
  TempDir dir;
  std::string config = BoardFileWith(dir, "nano33ble", {{"skip_zero_pages", true}});
  auto data = Random(1536, 10);
  std::fill(data.begin() + 512, data.begin() + 1024, 0);
  auto r = FlashOnto(peer, data, {"--config", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(EndsWith(LastLine(r.err), ", verified, EXIT sent")) << r.err;
}

TEST(FlashSerialUsbCliTest, TockBootloaderRefusalExitsWithTheDeviceCode) {
  testing::TockBootloaderPeer peer;
  testing::PeerFault fault;
  fault.kind = testing::PeerFault::Kind::kRefuse;
  fault.command = 0x07;
  fault.refuse_code = 0x13;
  peer.AddFault(fault);
  TempDir dir;
  std::string bin = WriteBin(dir, Random(512, 2));
  auto r = RunTockctl(
      {"flash", bin, "--address", "0x10000", "--board", "nano33ble", "--serial", peer.port_path()});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("error: the Tock bootloader refused the command: INTERROR (0x13), internal "
                       "error while accessing flash (" +
                       peer.port_path() + ": WRITE_PAGE 0x00010000)"),
            std::string::npos)
      << r.err;
}

TEST(FlashSerialUsbCliTest, Uf2GoesOntoAMountedDrive) {
  TempDir dir;
  fs::create_directories(dir.path() / "RPI-RP2");
  std::ofstream(dir.path() / "RPI-RP2" / "INFO_UF2.TXT")
      << "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\n";
  auto data = Random(1000, 3);
  std::string bin = WriteBin(dir, data);
  auto r = RunTockctl({"flash", bin, "--address", "0x10000000", "--board", "raspberry_pi_pico",
                       "--mount", (dir.path() / "RPI-RP2").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto uf2 = ReadBinaryFile(dir.path() / "RPI-RP2" / "kernel.uf2");
  EXPECT_EQ(uf2.size(), 4u * 512);  // 1000 bytes in 256-byte payloads
  Image back = ParseUf2(uf2, "kernel.uf2", std::nullopt);
  ASSERT_EQ(back.segments.size(), 1u);
  EXPECT_EQ(back.segments[0].address, 0x10000000u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), back.segments[0].data.begin()));
  EXPECT_EQ(back.uf2_family, 0xe48bff56u);
}

TEST(FlashSerialUsbCliTest, Uf2WithoutADriveIsRefused) {
  TempDir dir;
  std::string bin = WriteBin(dir, Random(16, 4));
  auto r = RunTockctl({"flash", bin, "--address", "0x10000000", "--board", "raspberry_pi_pico",
                       "--mount", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "note: verify skipped: uf2 cannot read back or check a CRC\nerror: " +
                       dir.path().string() +
                       " is not a mounted UF2 drive (no INFO_UF2.TXT); hold BOOTSEL while plugging "
                       "the board in; the drive appears as RPI-RP2 or RP2350\n");
}

TEST(FlashSerialUsbCliTest, Uf2NextToTheImage) {
  TempDir dir;
  std::string bin = WriteBin(dir, Random(300, 5));
  auto r = RunTockctl(
      {"flash", bin, "--address", "0x10000000", "--board", "raspberry_pi_pico", "--method", "uf2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "kernel.uf2"));
  EXPECT_NE(
      r.err.find("wrote " + (dir.path() / "kernel.uf2").string() + " (2 blocks, family rp2040)"),
      std::string::npos)
      << r.err;
}

TEST(FlashSerialUsbCliTest, PicobootWithoutADeviceSaysWhatToDo) {
  TempDir dir;
  std::string bin = WriteBin(dir, Random(16, 6));
  auto r = RunTockctl({"flash", bin, "--address", "0x10000000", "--board", "raspberry_pi_pico",
                       "--method", "picoboot"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("error: no RP2040/RP2350 in BOOTSEL mode (2e8a:0003) is connected; connect "
                       "it (for BOOTSEL or DFU mode hold the boot button while plugging in) and "
                       "check `tockctl devices`"),
            std::string::npos)
      << r.err;
}

TEST(FlashSerialUsbCliTest, OpenOcdRunsTheToolOnPath) {
  TempDir dir;
  auto tools = dir.path() / "bin";
  fs::create_directories(tools);
  std::ofstream(tools / "openocd")
      << "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done >> \""
      << (dir.path() / "calls.txt").string() << "\"\necho >> \""
      << (dir.path() / "calls.txt").string() << "\"\nexit 0\n";
  fs::permissions(tools / "openocd", fs::perms::owner_all);
  std::string old_path = getenv("PATH");
  setenv("PATH", (tools.string() + ":" + old_path).c_str(), 1);
  std::string bin = WriteBin(dir, Random(64, 7));
  auto r = RunTockctl({"flash", bin, "--address", "0x08000000", "--board", "nucleo_f429zi"});
  setenv("PATH", old_path.c_str(), 1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string calls = ReadFile(dir.path() / "calls.txt");
  std::string first = calls.substr(0, calls.find('\n'));
  EXPECT_EQ(first.substr(0, first.find("{")), "[-f][board/st_nucleo_f4.cfg][-c][program ");
  EXPECT_NE(calls.find("[-c][init][-c][reset init][-c][verify_image {"), std::string::npos);
  EXPECT_NE(calls.find("[-c][init][-c][reset run][-c][shutdown]"), std::string::npos);
  EXPECT_NE(r.err.find("verified"), std::string::npos) << r.err;
}

// An OpenOCD stand-in written from OpenOCD's manual (`program FILE ADDRESS`, `dump_image FILE
// ADDRESS SIZE`, `verify_image FILE ADDRESS bin` printing "checksum mismatch" on a difference,
// `reset run`), over a flash image file: `app install`, `list` and `uninstall` through the
// openocd method read the board with dump_image and write only what changed.
TEST(FlashSerialUsbCliTest, AppCommandsReadAndWriteThroughOpenOcd) {
  TempDir dir;
  const auto tools = dir.path() / "bin";
  fs::create_directories(tools);
  const auto flash = dir.path() / "flash.bin";  // 0x08000000, 512 KiB, erased
  WriteFileAtomic(flash, std::vector<uint8_t>(0x80000, 0xFF));
  const auto calls = dir.path() / "calls.txt";
  std::ofstream(tools / "openocd")
      << "#!/bin/sh\n"
         "FLASH='"
      << flash.string()
      << "'\n"
         "at() { echo $(( $1 - 0x08000000 )); }\n"
         "while [ $# -gt 0 ]; do\n"
         "  if [ \"$1\" = -c ]; then\n"
         "    echo \"$2\" >> '"
      << calls.string()
      << "'\n"
         "    set -- $2 \"$@\"; cmd=$1; shift\n"
         "    case $cmd in\n"
         "      program) f=${1#\\{}; f=${f%\\}}; dd if=\"$f\" of=\"$FLASH\" bs=1 seek=$(at $2) "
         "conv=notrunc status=none; shift 3;;\n"
         "      dump_image) f=${1#\\{}; f=${f%\\}}; dd if=\"$FLASH\" of=\"$f\" bs=1 skip=$(at $2) "
         "count=$3 status=none; echo \"dumped $3 bytes\"; shift 3;;\n"
         "      verify_image) f=${1#\\{}; f=${f%\\}}; n=$(stat -c %s \"$f\");\n"
         "        dd if=\"$FLASH\" of=\"$f.dev\" bs=1 skip=$(at $2) count=$n status=none;\n"
         "        cmp -s \"$f\" \"$f.dev\" && echo verified $n bytes || echo checksum mismatch;"
         " shift 3;;\n"
         "      reset) shift;;\n"
         "      *) shift $(( $# > 0 ? 0 : 0 ));;\n"
         "    esac\n"
         "    shift 2\n"
         "  else shift; fi\n"
         "done\n";
  fs::permissions(tools / "openocd", fs::perms::owner_all);
  const std::string old_path = getenv("PATH");
  setenv("PATH", (tools.string() + ":" + old_path).c_str(), 1);
  const std::string apps = std::string(TOCKCTL_SOURCE_DIR) + "/tests/fixtures/apps/";
  auto install = RunTockctl({"app", "install", apps + "blink.tab", apps + "rot13_service.tab",
                             "--board", "nucleo_f429zi"});
  auto list = RunTockctl({"app", "list", "--board", "nucleo_f429zi"});
  auto uninstall = RunTockctl({"app", "uninstall", "blink", "--board", "nucleo_f429zi"});
  auto after = RunTockctl({"app", "list", "--board", "nucleo_f429zi"});
  setenv("PATH", old_path.c_str(), 1);
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_NE(LastLine(install.err).find(", verified, reset by openocd"), std::string::npos)
      << install.err;
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            "ADDRESS     SIZE  NAME              VERSION  FLAGS\n"
            "0x08040000  5120  org.tockos.rot13  3        enabled\n"
            "0x08042000  2048  blink             1        enabled\n");
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.err;
  EXPECT_EQ(after.out,
            "ADDRESS     SIZE  NAME              VERSION  FLAGS\n"
            "0x08040000  5120  org.tockos.rot13  3        enabled\n");
  const std::string log = ReadFile(calls);
  EXPECT_NE(log.find("dump_image {"), std::string::npos) << log;
  EXPECT_NE(log.find("} 0x08040000 16\n"), std::string::npos) << log;  // the first header
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
