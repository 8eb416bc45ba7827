// `tockctl flash` through the real binary with the serial and USB methods: the Tock bootloader
// over a pty served by the peer in this process, UF2 output, a fake openocd on PATH, and a
// PICOBOOT request on a host with no BOOTSEL device.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/file_io.h"
#include "flasher/uf2_image.h"
#include "tests/flasher/tock_bootloader_peer.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace fs = std::filesystem;

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

TEST(FlashSerialUsbCliTest, TockBootloaderFlashesOverAPty) {
  testing::TockBootloaderPeer peer;
  TempDir dir;
  auto data = Random(3000, 1);
  std::string bin = WriteBin(dir, data);
  auto r = RunTockctl(
      {"flash", bin, "--address", "0x10000", "--board", "hail", "--port", peer.port_path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(peer.ReadFlash(0x10000, data.size()), data);
  EXPECT_NE(r.err.find("Tock bootloader 1.1.3 on " + peer.port_path()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Flashed 2.9 KiB to hail via tock-bootloader"), std::string::npos) << r.err;
  for (int i = 0; i < 100 && !peer.exited(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(peer.exited());
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
      {"flash", bin, "--address", "0x10000", "--board", "hail", "--port", peer.port_path()});
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

}  // namespace
}  // namespace tockctl::flasher
