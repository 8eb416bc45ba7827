// Finding Wireshark's personal folders (from `tshark -G folders` as 4.0 and 4.2 print it, or
// guessed) and placing and removing the links, in temporary folders.
#include "tracer/extcap_install.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "tests/support/test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;

// `tshark -G folders` of Wireshark 4.0.17 (tabs as printed).
const char* kFolders40 =
    "Temp:                \t/tmp\n"
    "Personal configuration:\t/home/ada/.config/wireshark\n"
    "Global configuration:\t/usr/share/wireshark\n"
    "System:              \t/etc\n"
    "Program:             \t/usr/bin\n"
    "Personal Plugins:    \t/home/ada/.local/lib/wireshark/plugins/4.0\n"
    "Global Plugins:      \t/usr/lib/x86_64-linux-gnu/wireshark/plugins/4.0\n"
    "Personal Lua Plugins:\t/home/ada/.local/lib/wireshark/plugins\n"
    "Global Lua Plugins:  \t/usr/lib/x86_64-linux-gnu/wireshark/plugins\n"
    "Extcap path:         \t/usr/lib/x86_64-linux-gnu/wireshark/extcap\n";

// Wireshark 4.2 and later name a personal extcap folder of their own.
const char* kFolders42 =
    "Personal configuration:\t/home/ada/.config/wireshark\n"
    "Personal Lua Plugins:\t/home/ada/.local/lib/wireshark/plugins\n"
    "Personal Extcap path:\t/home/ada/.local/lib/wireshark/extcap\n"
    "Global Extcap path:  \t/usr/lib/x86_64-linux-gnu/wireshark/extcap\n";

class CannedRunner : public ProcessRunner {
 public:
  ProcessResult Run(const ProcessSpec& spec) override {
    argv = spec.argv;
    return result;
  }
  std::unique_ptr<ChildProcess> Spawn(const ProcessSpec&, const std::string&) override {
    throw Error(ErrorCategory::kInternal, "not used");
  }
  ProcessResult result;
  std::vector<std::string> argv;
};

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(ExtcapInstall, ReadsTheFoldersOfWireshark40And42) {
  auto f40 = ParseWiresharkFolders(kFolders40);
  ASSERT_TRUE(f40);
  EXPECT_EQ(f40->extcap, "/home/ada/.config/wireshark/extcap");
  EXPECT_EQ(f40->lua_plugins, "/home/ada/.local/lib/wireshark/plugins");
  auto f42 = ParseWiresharkFolders(kFolders42);
  ASSERT_TRUE(f42);
  EXPECT_EQ(f42->extcap, "/home/ada/.local/lib/wireshark/extcap");
  EXPECT_FALSE(ParseWiresharkFolders("Temp:\t/tmp\n"));
}

TEST(ExtcapInstall, AsksTsharkAndGuessesWithoutIt) {
  CannedRunner runner;
  runner.result = {0, false, kFolders40, "Running as user \"root\" ...\n"};
  auto env = Env({{"HOME", "/home/bob"}});
  WiresharkFolders asked = FindWiresharkFolders(runner, "/usr/bin/tshark", env);
  EXPECT_EQ(runner.argv, (std::vector<std::string>{"/usr/bin/tshark", "-G", "folders"}));
  EXPECT_EQ(asked.extcap, "/home/ada/.config/wireshark/extcap");
  EXPECT_FALSE(asked.guessed);

  WiresharkFolders guessed = FindWiresharkFolders(runner, std::nullopt, env);
  EXPECT_TRUE(guessed.guessed);
  EXPECT_EQ(guessed.extcap, "/home/bob/.config/wireshark/extcap");
  EXPECT_EQ(guessed.lua_plugins, "/home/bob/.local/lib/wireshark/plugins");

  runner.result = {1, false, "", "tshark: broken\n"};
  auto xdg = Env({{"HOME", "/home/bob"}, {"XDG_CONFIG_HOME", "/cfg"}});
  EXPECT_EQ(FindWiresharkFolders(runner, "/usr/bin/tshark", xdg).extcap, "/cfg/wireshark/extcap");

  try {
    FindWiresharkFolders(runner, std::nullopt, Env({}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(),
              "cannot tell where Wireshark's personal folders are: neither tshark nor HOME is "
              "there to ask; give them with --extcap-dir DIR and --lua-dir DIR");
  }
}

class InstallTest : public ::testing::Test {
 protected:
  ExtcapInstallOptions Options() const {
    return {{dir_.path() / "extcap", dir_.path() / "plugins", false},
            "/usr/bin/tockctl",
            "/usr/share/tockctl/wireshark/tockctl_ipc.lua",
            false};
  }
  fs::path Link() const { return dir_.path() / "extcap" / "tockctl-extcap"; }
  fs::path Lua() const { return dir_.path() / "plugins" / "tockctl_ipc.lua"; }
  tockctl::testing::TempDir dir_;
};

TEST_F(InstallTest, LinksTockctlAndTheDissectorAndReplacesOldLinks) {
  EXPECT_EQ(InstallExtcap(Options()), "linked " + Link().string() +
                                          " -> /usr/bin/tockctl\nlinked " + Lua().string() +
                                          " -> /usr/share/tockctl/wireshark/tockctl_ipc.lua\n");
  EXPECT_EQ(fs::read_symlink(Link()), "/usr/bin/tockctl");
  EXPECT_EQ(fs::read_symlink(Lua()), "/usr/share/tockctl/wireshark/tockctl_ipc.lua");

  ExtcapInstallOptions moved = Options();
  moved.executable = "/opt/tockctl/bin/tockctl";
  InstallExtcap(moved);
  EXPECT_EQ(fs::read_symlink(Link()), "/opt/tockctl/bin/tockctl");
  EXPECT_EQ(std::distance(fs::directory_iterator(Link().parent_path()), {}), 1);
}

TEST_F(InstallTest, AFileInTheWayIsKeptUnlessForced) {
  fs::create_directories(Lua().parent_path());
  std::ofstream(Lua()) << "-- a copy made by hand\n";
  try {
    InstallExtcap(Options());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::kIo);
    EXPECT_EQ(e.Describe(), Lua().string() +
                                ": a file that is not a link is in the way; remove it, or pass "
                                "--force to replace it");
  }
  EXPECT_FALSE(fs::exists(fs::symlink_status(Link())));  // nothing was changed
  EXPECT_EQ(UninstallExtcap(Options().folders), "nothing to remove at " + Link().string() +
                                                    "\nkept " + Lua().string() +
                                                    ": it is not a link\n");
  ExtcapInstallOptions forced = Options();
  forced.force = true;
  InstallExtcap(forced);
  EXPECT_TRUE(fs::is_symlink(Lua()));
}

TEST_F(InstallTest, UninstallRemovesTheLinks) {
  InstallExtcap(Options());
  EXPECT_EQ(UninstallExtcap(Options().folders),
            "removed " + Link().string() + "\nremoved " + Lua().string() + "\n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(Link())));
  EXPECT_EQ(UninstallExtcap(Options().folders), "nothing to remove at " + Link().string() +
                                                    "\nnothing to remove at " + Lua().string() +
                                                    "\n");
}

TEST_F(InstallTest, RunWithFoldersGivenAsksNoTshark) {
  CannedRunner runner;
  ExtcapInstallRequest request;
  request.extcap_dir = dir_.path() / "extcap";
  request.lua_dir = dir_.path() / "plugins";
  request.executable = "/usr/bin/tockctl";
  request.data_dir = tockctl::testing::SourceDir();
  request.tshark = "/usr/bin/tshark";
  EXPECT_EQ(RunExtcapInstall(request, runner, Env({})),
            "linked " + Link().string() + " -> /usr/bin/tockctl\nlinked " + Lua().string() +
                " -> " +
                (tockctl::testing::SourceDir() / "tracer/dissector/tockctl_ipc.lua").string() +
                "\nWireshark shows the tockctl interfaces from its next start (or after Capture > "
                "Refresh Interfaces); check with: tshark -D\n");
  EXPECT_TRUE(runner.argv.empty());
  request.uninstall = true;
  EXPECT_EQ(RunExtcapInstall(request, runner, Env({})),
            "removed " + Link().string() + "\nremoved " + Lua().string() + "\n");
}

TEST_F(InstallTest, GuessedFoldersComeWithANote) {
  CannedRunner runner;
  ExtcapInstallRequest request;
  request.executable = "/usr/bin/tockctl";
  request.data_dir = tockctl::testing::SourceDir();
  const std::string out =
      RunExtcapInstall(request, runner, Env({{"HOME", (dir_.path() / "home").string()}}));
  EXPECT_NE(out.find("\ntshark is not installed to ask for Wireshark's folders, so these are the "
                     "ones of Wireshark 4.0; Wireshark 4.2 and later read "
                     "~/.local/lib/wireshark/extcap instead (pass --extcap-dir)\n"),
            std::string::npos)
      << out;
  EXPECT_TRUE(fs::is_symlink(dir_.path() / "home/.config/wireshark/extcap/tockctl-extcap"));
}

TEST(ExtcapInstall, FindsTheDissectorInstalledOrInTheSourceTree) {
  EXPECT_EQ(FindDissector(tockctl::testing::SourceDir()),
            tockctl::testing::SourceDir() / "tracer/dissector/tockctl_ipc.lua");
  tockctl::testing::TempDir dir;
  dir.Write("wireshark/tockctl_ipc.lua", "-- installed\n");
  EXPECT_EQ(FindDissector(dir.path()), dir.path() / "wireshark/tockctl_ipc.lua");
  try {
    FindDissector(dir.path() / "nowhere");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.Describe(), (dir.path() / "nowhere").string() +
                                ": no tockctl_ipc.lua in the data directory; reinstall tockctl, "
                                "or point --data-dir at its source tree");
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
