// Tock Application Bundles (TAB): a tar archive of metadata.toml and one TBF per architecture,
// or per fixed-address variant (`rv32imac.0x80100080.0x80300000.tbf`); legacy TABs hold
// `<arch>.bin`. Also reads a bare .tbf, so `tockctl app inspect` takes either.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apps/tab_metadata.h"
#include "apps/tbf.h"

namespace tockctl::apps {

/// One TBF of a TAB.
struct TabTbf {
  std::string file;                    ///< Name inside the archive ("cortex-m4.tbf").
  std::string arch;                    ///< The part before the first '.' ("cortex-m4", "rv32imac").
  std::optional<uint64_t> name_flash;  ///< From `arch.0xFLASH.0xRAM.tbf`.
  std::optional<uint64_t> name_ram;
  TbfFile tbf;
};

/// A TAB, or a bare TBF (then `is_tab` is false, there is no metadata and one TbfFile).
struct AppBundle {
  std::string path;  ///< As given.
  bool is_tab = false;
  std::optional<TabMetadata> metadata;
  std::vector<TabTbf> tbfs;
  std::vector<std::string> other_files;  ///< Archive members that are neither.

  /// The app's name: metadata's, else the first TBF's package name, else the file's stem.
  std::string Name() const;
};

/// Reads a TAB archive from `data`. Throws Error(kInvalidInput) naming `what` (and the member)
/// when the tar structure, metadata.toml or a TBF is broken, or the archive holds no TBF.
AppBundle ReadTab(std::span<const uint8_t> data, const std::string& what);

/// Reads `data` as a TAB when it looks like a tar archive, else as a single TBF.
AppBundle ReadAppBundle(std::span<const uint8_t> data, const std::string& what);

/// Reads the file at `path` (Error(kIo) when it cannot) with ReadAppBundle.
AppBundle LoadAppBundle(const std::filesystem::path& path);

/// Splits "rv32imac.0x80100080.0x80300000.tbf" into arch and fixed addresses.
TabTbf TabTbfName(const std::string& file);

/// A TAB archive: metadata.toml then the given TBFs under their names.
std::vector<uint8_t> BuildTab(
    const TabMetadata& metadata,
    const std::vector<std::pair<std::string, std::vector<uint8_t>>>& tbfs);

}  // namespace tockctl::apps
