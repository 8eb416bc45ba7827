#include "tracer/extcap_install.h"

#include <map>
#include <sstream>

#include "common/error.h"

namespace tockctl::tracer {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDissectorName = "tockctl_ipc.lua";

std::string Trim(std::string s) {
  const char* space = " \t\r";
  s.erase(0, s.find_first_not_of(space));
  s.erase(s.find_last_not_of(space) + 1);
  return s;
}

Error IoError(const fs::path& path, const std::string& message, const std::string& hint = {}) {
  ErrorContext ctx;
  ctx.file = path.string();
  return Error(ErrorCategory::kIo, message, ctx, hint);
}

WiresharkFolders GuessedFolders(const EnvLookup& env) {
  std::optional<std::string> home = env("HOME");
  std::optional<std::string> xdg = env("XDG_CONFIG_HOME");
  if ((!home || home->empty()) && (!xdg || xdg->empty())) {
    throw Error(ErrorCategory::kIo,
                "cannot tell where Wireshark's personal folders are: neither tshark nor HOME is "
                "there to ask",
                {}, "give them with --extcap-dir DIR and --lua-dir DIR");
  }
  WiresharkFolders f;
  f.guessed = true;
  const fs::path config = xdg && !xdg->empty() ? fs::path(*xdg) : fs::path(*home) / ".config";
  f.extcap = config / "wireshark" / "extcap";
  f.lua_plugins = fs::path(home.value_or("")) / ".local" / "lib" / "wireshark" / "plugins";
  return f;
}

void CheckReplaceable(const fs::path& link, bool force) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(link, ec);
  if (!fs::exists(st) || fs::is_symlink(st)) return;
  if (fs::is_directory(st)) throw IoError(link, "a folder is in the way", "move it away");
  if (!force) {
    throw IoError(link, "a file that is not a link is in the way",
                  "remove it, or pass --force to replace it");
  }
}

// Replaces the link at once (a new link renamed over the old one), so Wireshark never sees none.
std::string PlaceLink(const fs::path& link, const fs::path& target) {
  std::error_code ec;
  fs::create_directories(link.parent_path(), ec);
  if (ec) throw IoError(link.parent_path(), "cannot create the folder: " + ec.message());
  fs::path fresh = link;
  fresh += ".tockctl-new";
  fs::remove(fresh, ec);
  fs::create_symlink(target, fresh, ec);
  if (!ec) fs::rename(fresh, link, ec);
  if (ec) throw IoError(link, "cannot create the link: " + ec.message());
  return "linked " + link.string() + " -> " + target.string() + "\n";
}

std::string RemoveLink(const fs::path& link) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(link, ec);
  if (!fs::exists(st)) return "nothing to remove at " + link.string() + "\n";
  if (!fs::is_symlink(st)) return "kept " + link.string() + ": it is not a link\n";
  fs::remove(link, ec);
  if (ec) throw IoError(link, "cannot remove the link: " + ec.message());
  return "removed " + link.string() + "\n";
}

}  // namespace

std::optional<WiresharkFolders> ParseWiresharkFolders(std::string_view text) {
  std::map<std::string, std::string> folders;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    folders.emplace(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  WiresharkFolders f;
  if (auto it = folders.find("Personal Extcap path"); it != folders.end()) {
    f.extcap = it->second;
  } else if (auto conf = folders.find("Personal configuration"); conf != folders.end()) {
    f.extcap = fs::path(conf->second) / "extcap";
  }
  if (auto it = folders.find("Personal Lua Plugins"); it != folders.end())
    f.lua_plugins = it->second;
  if (f.extcap.empty() || f.lua_plugins.empty()) return std::nullopt;
  return f;
}

WiresharkFolders FindWiresharkFolders(ProcessRunner& runner,
                                      const std::optional<std::string>& tshark,
                                      const EnvLookup& env) {
  if (tshark) {
    ProcessSpec spec;
    spec.argv = {*tshark, "-G", "folders"};
    spec.timeout = std::chrono::seconds(30);
    ProcessResult r = runner.Run(spec);
    if (r.exit_code == 0) {
      if (auto folders = ParseWiresharkFolders(r.stdout_text)) return *folders;
    }
  }
  return GuessedFolders(env);
}

std::string InstallExtcap(const ExtcapInstallOptions& o) {
  const fs::path program = o.folders.extcap / kExtcapProgramName;
  const fs::path dissector = o.folders.lua_plugins / kDissectorName;
  CheckReplaceable(program, o.force);  // both before either link, so a refusal changes nothing
  CheckReplaceable(dissector, o.force);
  std::string out = PlaceLink(program, o.executable);
  out += PlaceLink(dissector, o.dissector);
  return out;
}

std::string UninstallExtcap(const WiresharkFolders& folders) {
  std::string out = RemoveLink(folders.extcap / kExtcapProgramName);
  out += RemoveLink(folders.lua_plugins / kDissectorName);
  return out;
}

std::string RunExtcapInstall(const ExtcapInstallRequest& r, ProcessRunner& runner,
                             const EnvLookup& env) {
  WiresharkFolders folders;
  if (!r.extcap_dir || !r.lua_dir) folders = FindWiresharkFolders(runner, r.tshark, env);
  if (r.extcap_dir) folders.extcap = *r.extcap_dir;
  if (r.lua_dir) folders.lua_plugins = *r.lua_dir;
  if (r.uninstall) return UninstallExtcap(folders);
  std::string out = InstallExtcap({folders, r.executable, FindDissector(r.data_dir), r.force});
  if (folders.guessed) {
    out +=
        "tshark is not installed to ask for Wireshark's folders, so these are the ones of "
        "Wireshark 4.0; Wireshark 4.2 and later read ~/.local/lib/wireshark/extcap instead "
        "(pass --extcap-dir)\n";
  }
  return out +
         "Wireshark shows the tockctl interfaces from its next start (or after Capture > "
         "Refresh Interfaces); check with: tshark -D\n";
}

fs::path FindDissector(const fs::path& data_dir) {
  for (const fs::path& candidate : {data_dir / "wireshark" / kDissectorName,
                                    data_dir / "tracer" / "dissector" / kDissectorName}) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return fs::absolute(candidate);
  }
  throw IoError(data_dir, std::string("no ") + kDissectorName + " in the data directory",
                "reinstall tockctl, or point --data-dir at its source tree");
}

}  // namespace tockctl::tracer
