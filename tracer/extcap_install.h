// `tockctl extcap --install`: makes Wireshark run tockctl as an extcap program and load the
// tockctl Lua dissector, by linking both into the user's personal Wireshark folders. Wireshark
// runs an extcap program by file name with only extcap flags; tockctl started as
// `tockctl-extcap` acts as `tockctl extcap`.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/process.h"

namespace tockctl::tracer {

/// The name of the link in Wireshark's extcap folder.
inline constexpr std::string_view kExtcapProgramName = "tockctl-extcap";

/// The personal folders Wireshark reads extcap programs and Lua plugins from.
struct WiresharkFolders {
  std::filesystem::path extcap;
  std::filesystem::path lua_plugins;
  bool guessed = false;  ///< No tshark to ask: the folders of Wireshark 4.0 and earlier.
};

/// Reads `tshark -G folders` output: "Personal Extcap path" (Wireshark 4.2 and later) or else
/// "Personal configuration"/extcap (4.0 and earlier read extcap programs there), and "Personal
/// Lua Plugins". Nullopt if a folder is missing from the text.
std::optional<WiresharkFolders> ParseWiresharkFolders(std::string_view text);

/// Looks up an environment variable (getenv in production).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// Asks `tshark` (its path; nullopt when not installed) `-G folders` through `runner`; without
/// tshark (or if it fails), guesses $XDG_CONFIG_HOME/wireshark/extcap (or ~/.config/...) and
/// ~/.local/lib/wireshark/plugins. Throws Error(kIo) when neither HOME nor XDG_CONFIG_HOME is set
/// and tshark cannot say.
WiresharkFolders FindWiresharkFolders(ProcessRunner& runner,
                                      const std::optional<std::string>& tshark,
                                      const EnvLookup& env);

/// What --install links, and where.
struct ExtcapInstallOptions {
  WiresharkFolders folders;
  std::filesystem::path executable;  ///< tockctl itself.
  std::filesystem::path dissector;   ///< tockctl_ipc.lua.
  bool force = false;                ///< Replace files that are not links too.
};

/// Creates (or replaces) the links `extcap`/tockctl-extcap -> executable and
/// `lua_plugins`/tockctl_ipc.lua -> dissector, creating the folders. Returns what it did, one
/// line each. Throws Error(kIo) naming the path when a folder cannot be created, or (before
/// changing anything) when a file that is not a link is in the way and !force.
std::string InstallExtcap(const ExtcapInstallOptions& options);

/// Removes the links InstallExtcap made (files that are not links stay). Returns what it did.
/// Throws Error(kIo) naming a link that cannot be removed.
std::string UninstallExtcap(const WiresharkFolders& folders);

/// What `tockctl extcap --install` / `--uninstall` was asked.
struct ExtcapInstallRequest {
  bool uninstall = false;
  bool force = false;                               ///< --force
  std::optional<std::filesystem::path> extcap_dir;  ///< --extcap-dir, instead of Wireshark's.
  std::optional<std::filesystem::path> lua_dir;     ///< --lua-dir, instead of Wireshark's.
  std::filesystem::path executable;                 ///< tockctl itself.
  std::filesystem::path data_dir;                   ///< Where FindDissector looks.
  std::optional<std::string> tshark;                ///< tshark's path, if installed.
};

/// Installs or uninstalls: finds the folders (the --extcap-dir/--lua-dir ones, else
/// FindWiresharkFolders), then InstallExtcap or UninstallExtcap. Returns the lines to show, with a
/// note on how to check the result. Throws as those functions do.
std::string RunExtcapInstall(const ExtcapInstallRequest& request, ProcessRunner& runner,
                             const EnvLookup& env);

/// tockctl_ipc.lua in the data directory (share/tockctl/wireshark/ when installed,
/// tracer/dissector/ in the source tree). Throws Error(kIo) if it is in neither place.
std::filesystem::path FindDissector(const std::filesystem::path& data_dir);

}  // namespace tockctl::tracer
