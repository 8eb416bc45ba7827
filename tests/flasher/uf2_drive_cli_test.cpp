// The Pico's default flash method (uf2) through the real binary: it finds a mounted RPI-RP2 drive
// in the mount table and copies the image there, or says plainly that it only wrote a file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/file_io.h"
#include "flasher/uf2_backend.h"
#include "flasher/uf2_image.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {
namespace fs = std::filesystem;

using tockctl::testing::RunTockctl;
using tockctl::testing::TempDir;

// A temporary directory with kernel.bin and a mount table that lists the drives made by AddDrive.
class Uf2Drives : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFileAtomic(dir_.path() / "kernel.bin", std::string(300, '\x5a'));
    table_ = dir_.path() / "mounts";
    std::ofstream(table_) << "proc /proc proc rw 0 0\n";
    ::setenv("TOCKCTL_MOUNT_TABLE", table_.c_str(), 1);
  }
  void TearDown() override { ::unsetenv("TOCKCTL_MOUNT_TABLE"); }

  // A mounted drive whose INFO_UF2.TXT names `board_id`; `name` may hold a space (\040 in the
  // table, as the kernel writes it).
  fs::path AddDrive(const std::string& name, const std::string& board_id) {
    const fs::path mount = dir_.path() / name;
    fs::create_directories(mount);
    std::ofstream(mount / "INFO_UF2.TXT")
        << "UF2 Bootloader v3.0\r\nModel: Raspberry Pi RP2\r\nBoard-ID: " << board_id << "\r\n";
    std::string escaped = mount.string();
    for (size_t at; (at = escaped.find(' ')) != std::string::npos;) escaped.replace(at, 1, "\\040");
    std::ofstream(table_, std::ios::app) << "/dev/sdb1 " << escaped << " vfat rw 0 0\n";
    return mount;
  }

  tockctl::testing::CliRun Flash() {
    return RunTockctl({"flash", (dir_.path() / "kernel.bin").string(), "--address", "0x10000000",
                       "--board", "raspberry_pi_pico"});
  }

  TempDir dir_;
  fs::path table_;
};

TEST_F(Uf2Drives, TheMountedRpiRp2DriveGetsTheImage) {
  AddDrive("RP2350", "RP2350");  // another chip's drive is not the Pico's
  const fs::path drive = AddDrive("RPI RP2", "RPI-RP2");
  const auto r = Flash();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto uf2 = ReadBinaryFile(drive / "kernel.uf2");
  EXPECT_EQ(ParseUf2(uf2, "kernel.uf2", std::nullopt).segments.at(0).address, 0x10000000u);
  EXPECT_FALSE(fs::exists(dir_.path() / "kernel.uf2"));
  EXPECT_NE(r.err.find("found the RPI-RP2 drive at " + drive.string() + "\n"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("copied " + (drive / "kernel.uf2").string() +
                       " (2 blocks, family rp2040); the board flashes it and reboots\n"),
            std::string::npos)
      << r.err;
}

TEST_F(Uf2Drives, WithoutADriveItSaysAFileWasWrittenAndWhatToDo) {
  const auto r = Flash();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string file = (dir_.path() / "kernel.uf2").string();
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(r.err.find("Flashed"), std::string::npos) << r.err;
  const std::regex summary(
      "Wrote 300 B for raspberry_pi_pico to " + file +
      " via uf2 in [0-9.]+ s; the board is not flashed yet: no RPI-RP2 drive is mounted; hold "
      "BOOTSEL while plugging the board in and copy the file to the RPI-RP2 drive, or run this "
      "again then\n$");
  EXPECT_TRUE(std::regex_search(r.err, summary)) << r.err;
}

TEST_F(Uf2Drives, TwoDrivesAreAUsageError) {
  const fs::path a = AddDrive("a", "RPI-RP2");
  const fs::path b = AddDrive("b", "RPI-RP2");
  const auto r = Flash();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error: 2 RPI-RP2 drives are mounted (" + a.string() + ", " + b.string() +
                       "); choose one with --mount DIR\n"),
            std::string::npos)
      << r.err;
}

TEST(Uf2DriveBoardId, RpFamiliesHaveTheirDrives) {
  EXPECT_EQ(Uf2DriveBoardId(0xe48bff56u), "RPI-RP2");
  EXPECT_EQ(Uf2DriveBoardId(0xe48bff59u), "RP2350");
  EXPECT_EQ(Uf2DriveBoardId(0xe48bff5au), "RP2350");
  EXPECT_EQ(Uf2DriveBoardId(0xada52840u), "");  // nRF52840: no drive tockctl knows
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
