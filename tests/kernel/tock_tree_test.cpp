#include "kernel/tock_tree.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "config/board_catalog.h"
#include "tests/kernel/fixture_tree.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::FixtureTree;

using tockctl::testing::ErrorText;

config::HardwareBoard QemuBoard() {
  return config::BoardCatalog::Load(tockctl::testing::SourceDir() / "boards")
      .Find("qemu_rv32_virt");
}

TEST(TockTreeTest, FlagWinsOverEnvironmentAndDirectory) {
  FixtureTree tree;
  TockTree found = FindTockTree(tree.root().string(), "/nonexistent", "/");
  EXPECT_EQ(found.root, tree.root());
  EXPECT_EQ(found.found_by, "--tock-dir");
}

TEST(TockTreeTest, EnvironmentWinsOverDirectory) {
  FixtureTree tree;
  TockTree found = FindTockTree(std::nullopt, tree.root().c_str(), "/");
  EXPECT_EQ(found.root, tree.root());
  EXPECT_EQ(found.found_by, "TOCK_DIR");
}

TEST(TockTreeTest, WalksUpFromTheCurrentDirectory) {
  FixtureTree tree;
  TockTree found = FindTockTree(std::nullopt, "", tree.board_dir() / "src");
  EXPECT_EQ(found.root, tree.root());
  EXPECT_EQ(found.found_by, "the current directory");
}

TEST(TockTreeTest, NotATockTreeSaysWhatIsMissing) {
  FixtureTree tree;
  fs::remove_all(tree.root() / "capsules");
  std::string dir = tree.root().string();
  EXPECT_EQ(ErrorText([&] { FindTockTree(dir, nullptr, "/"); }),
            dir +
                " (from --tock-dir) is not a Tock checkout: it has no capsules/; pass "
                "--tock-dir DIR or set TOCK_DIR to the top of a Tock checkout (git clone "
                "https://github.com/tock/tock)");
}

TEST(TockTreeTest, NoTreeAboveTheDirectory) {
  tockctl::testing::TempDir dir;
  EXPECT_EQ(ErrorText([&] { FindTockTree(std::nullopt, nullptr, dir.path()); }),
            "no Tock checkout found: neither " + dir.path().string() +
                " nor any directory above it has kernel/, capsules/, boards/ and Cargo.toml; "
                "pass --tock-dir DIR or set TOCK_DIR to the top of a Tock checkout (git clone "
                "https://github.com/tock/tock)");
}

TEST(TockTreeTest, LocatesTheBoardCrate) {
  FixtureTree tree;
  BoardCrate crate = LocateBoardCrate({tree.root(), "test"}, QemuBoard());
  EXPECT_EQ(crate.board_dir, tree.board_dir());
  EXPECT_EQ(crate.package, "qemu_rv32_virt");
  EXPECT_EQ(crate.target, "riscv32imac-unknown-none-elf");
  EXPECT_FALSE(crate.json_target);
  EXPECT_TRUE(crate.warnings.empty());
}

TEST(TockTreeTest, MissingBoardDirectory) {
  FixtureTree tree;
  config::HardwareBoard board = QemuBoard();
  board.tock_path = "boards/nordic/nrf52840dk";
  std::string root = tree.root().string();
  EXPECT_EQ(ErrorText([&] {
              LocateBoardCrate({tree.root(), "test"}, board);
            }),
            root +
                "/boards/nordic/nrf52840dk: board directory boards/nordic/nrf52840dk of "
                "qemu_rv32_virt is missing in " +
                root + "; check tock_path in the board JSON, or update the checkout (git -C " +
                root + " pull)");
}

TEST(TockTreeTest, PackageNameMismatchIsAWarningAndCargoWins) {
  FixtureTree tree;
  tree.Replace("boards/qemu_rv32_virt/Cargo.toml", "name = \"qemu_rv32_virt\"",
               "name = \"qemu-virt-kernel\"");
  BoardCrate crate = LocateBoardCrate({tree.root(), "test"}, QemuBoard());
  EXPECT_EQ(crate.package, "qemu-virt-kernel");
  ASSERT_EQ(crate.warnings.size(), 1u);
  EXPECT_EQ(crate.warnings[0],
            "boards/qemu_rv32_virt/Cargo.toml names package qemu-virt-kernel but the board JSON "
            "says qemu_rv32_virt; the ELF is named qemu-virt-kernel");
}

TEST(TockTreeTest, MissingPackageName) {
  FixtureTree tree;
  tree.Replace("boards/qemu_rv32_virt/Cargo.toml", "name = \"qemu_rv32_virt\"", "");
  std::string manifest = (tree.board_dir() / "Cargo.toml").string();
  EXPECT_EQ(ErrorText([&] {
              LocateBoardCrate({tree.root(), "test"}, QemuBoard());
            }),
            manifest +
                ": Cargo.toml has no [package] name; a Tock board crate names its "
                "package, e.g. name = \"qemu_rv32_virt\"");
}

TEST(TockTreeTest, JsonTargetSpecFromCargoConfig) {
  FixtureTree tree;
  tree.Replace("boards/qemu_rv32_virt/.cargo/config.toml", "\"riscv32imac-unknown-none-elf\"",
               "\"rv32-tock.json\"");
  tree.temp().Write("tock/boards/qemu_rv32_virt/rv32-tock.json", "{}");
  BoardCrate crate = LocateBoardCrate({tree.root(), "test"}, QemuBoard());
  EXPECT_TRUE(crate.json_target);
  EXPECT_EQ(crate.target, "rv32-tock");
  EXPECT_EQ(crate.target_spec, tree.board_dir() / "rv32-tock.json");
  ASSERT_EQ(crate.warnings.size(), 1u);
  EXPECT_EQ(crate.warnings[0],
            "boards/qemu_rv32_virt/.cargo builds for target rv32-tock but the board JSON says "
            "riscv32imac-unknown-none-elf; using rv32-tock");
}

TEST(TockTreeTest, TomlStringReadsSectionsAndQuotes) {
  std::string toml =
      "top = \"x\"\n[package]\nname = \"a\" # comment\nversion.workspace = true\n"
      "[build]\n  target = 'thumbv7em-none-eabi'\n[[bin]]\nname = \"b\"\n";
  EXPECT_EQ(TomlString(toml, "", "top"), "x");
  EXPECT_EQ(TomlString(toml, "package", "name"), "a");
  EXPECT_EQ(TomlString(toml, "build", "target"), "thumbv7em-none-eabi");
  EXPECT_EQ(TomlString(toml, "package", "version"), std::nullopt);
  EXPECT_EQ(TomlString(toml, "build", "name"), std::nullopt);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
