// Where tockctl finds its data files (boards/, templates/, dissector).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace tockctl {

/// Picks the data directory: `flag` (--data-dir) if set, else `env` (TOCKCTL_DATA_DIR) if set,
/// else `<exe dir>/../share/tockctl` if it has boards/, else the source tree tockctl was built
/// from. Throws Error(kIo) if the chosen directory has no boards/ subdirectory.
std::filesystem::path ResolveDataDir(const std::optional<std::string>& flag, const char* env,
                                     const std::filesystem::path& exe_path);

/// Path of the running executable (/proc/self/exe), or empty if unknown.
std::filesystem::path CurrentExecutable();

}  // namespace tockctl
