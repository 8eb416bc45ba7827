// Finding a Tock checkout and a board inside it: where `make` runs and what the ELF is called.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/board.h"

namespace tockctl::kernel {

/// A Tock checkout's top directory and how it was found.
struct TockTree {
  std::filesystem::path root;
  std::string found_by;  ///< "--tock-dir", "TOCK_DIR" or "the current directory".
};

/// A board crate inside a Tock tree.
struct BoardCrate {
  std::filesystem::path board_dir;  ///< root / board.tock_path
  std::string package;              ///< [package] name of the board's Cargo.toml: the ELF's name.
  std::string target;               ///< Target triple (a JSON-spec target by its file stem).
  bool json_target = false;  ///< Built from a JSON target spec (no rustup target to install).
  std::optional<std::filesystem::path> target_spec;  ///< The JSON spec file, when found.
  std::vector<std::string> warnings;  ///< Disagreements between the board JSON and the tree.
};

/// `path` relative to `root` ("boards/nordic/nrf52840dk"), for messages.
std::string PathInTree(const std::filesystem::path& path, const std::filesystem::path& root);

/// True if `dir` has kernel/, capsules/, boards/ and Cargo.toml, as a Tock checkout's top does.
bool IsTockRoot(const std::filesystem::path& dir);

/// The Tock tree: `flag` (--tock-dir) if set, else `env` (TOCK_DIR) if set and non-empty, else
/// the first of `cwd` and its parents that is a Tock root. Throws Error(kUsage) when the chosen
/// directory is not a Tock root, or when none is found, saying how to point tockctl at one.
TockTree FindTockTree(const std::optional<std::string>& flag, const char* env,
                      const std::filesystem::path& cwd);

/// The board crate of `board` in `tree`: its directory (board.tock_path), cargo package and target.
/// Throws Error(kIo) when the directory or its Cargo.toml is missing, Error(kInvalidInput) when
/// Cargo.toml names no package. A package name or target differing from the board JSON is a
/// warning (the tree wins: cargo names the ELF after Cargo.toml).
BoardCrate LocateBoardCrate(const TockTree& tree, const config::HardwareBoard& board);

/// The string value of `key` in `[section]` of TOML `text` ("" for keys before any section), or
/// nullopt. Understands `key = "basic"` and `key = 'literal'` lines, which is all Cargo.toml
/// package names and .cargo/config.toml targets use.
std::optional<std::string> TomlString(std::string_view text, std::string_view section,
                                      std::string_view key);

}  // namespace tockctl::kernel
