// The Tock-shaped fixture tree (tests/fixtures/tock-tree) copied into a temporary directory, so
// tests can generate into it, break it and build it without touching the source tree.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace tockctl::kernel::testing {

/// A private copy of tests/fixtures/tock-tree.
class FixtureTree {
 public:
  FixtureTree();
  /// Top of the copied tree (the Tock root).
  std::filesystem::path root() const { return dir_.path() / "tock"; }
  /// boards/qemu_rv32_virt in the copy.
  std::filesystem::path board_dir() const { return root() / "boards" / "qemu_rv32_virt"; }
  /// Where the board's release ELF lands.
  std::filesystem::path release_elf() const;
  /// Runs `make` in the board directory (after writing an empty generated module if none is
  /// there); returns make's exit code.
  int Make(const std::string& target = "release") const;
  /// Appends `text` to the file at `relative` (from the root).
  void Append(const std::string& relative, const std::string& text) const;
  /// Replaces the first `from` by `to` in the file at `relative` (from the root).
  void Replace(const std::string& relative, const std::string& from, const std::string& to) const;
  /// The temporary directory holding the tree (for other files).
  const tockctl::testing::TempDir& temp() const { return dir_; }

 private:
  tockctl::testing::TempDir dir_;
};

/// The riscv64-unknown-elf-gcc command that builds the demo firmware (firmware/qemu_demo, as
/// firmware/CMakeLists.txt does) into `elf`.
std::vector<std::string> DemoFirmwareGccArgv(const std::filesystem::path& elf);

}  // namespace tockctl::kernel::testing
