// `tockctl config` through the real binary: every subcommand, exit codes, whole messages, and
// that failed or refused edits leave files exactly as they were.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;
using testing::TempDir;

using ::tockctl::testing::Slurp;

// Files in `dir` other than `keep`: a failed edit must leave no temporary file behind.
std::vector<std::string> Others(const std::filesystem::path& dir, const std::string& keep) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename() != keep) out.push_back(e.path().filename().string());
  return out;
}

class ConfigCommandTest : public ::testing::Test {
 protected:
  // A fresh config for `board` at dir_/board.json, made by `config init`.
  std::string Init(const std::string& board = "nrf52840dk") {
    std::string path = (dir_.path() / "board.json").string();
    auto r = RunTockctl({"config", "init", board, "-o", path, "--force"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }
  TempDir dir_;
};

TEST_F(ConfigCommandTest, InitWritesAValidFileAndRefusesToOverwrite) {
  std::string path = (dir_.path() / "q.json").string();
  auto r = RunTockctl({"config", "init", "qemu_rv32_virt", "-o", path});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "wrote " + path + " for board qemu_rv32_virt\n");
  auto j = nlohmann::ordered_json::parse(Slurp(path));
  EXPECT_EQ(j["board"]["name"], "qemu_rv32_virt");
  EXPECT_EQ(j["network"]["interfaces"][0]["stack"], "lwip");
  std::string first = Slurp(path);

  r = RunTockctl({"config", "init", "nrf52840dk", "-o", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: " + path +
                       ": already exists; not overwriting it; use --force to replace it, or choose "
                       "another -o FILE\n");
  EXPECT_EQ(Slurp(path), first);

  r = RunTockctl({"config", "init", "nrf52840dk", "-o", path, "--force"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(Slurp(path))["board"]["name"], "nrf52840dk");
}

TEST_F(ConfigCommandTest, InitUnknownBoardIsAUsageError) {
  auto r = RunTockctl({"config", "init", "nrf52840", "-o", (dir_.path() / "x.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error: unknown board \"nrf52840\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nrf52840dk"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "x.json"));
}

TEST_F(ConfigCommandTest, ShowSummarisesAndJsonPrintsTheDocument) {
  std::string path = Init();
  auto r = RunTockctl({"config", "show", path});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      r.out,
      "board       nrf52840dk: Nordic nRF52840 DK (PCA10056)\n"
      "chip        nrf52840, cortex-m4f, thumbv7em-none-eabi\n"
      "protection  armv7m-mpu: 8 regions per process, 6 free for IPC\n"
      "ram         0x20000000 + 0x40000\n"
      "ipc: backend copy; interfaces message_passing, rpc; 0 services, 0 clients\n"
      "network: 2 interfaces\n"
      "  NAME   KIND        ADDRESS                  MTU  STACK       PLACEMENT  MUX        APPS\n"
      "  ble0   ble         -                        31   raw         userspace  broadcast  *\n"
      "  wpan0  ieee802154  1e:a2:73:0f:dc:51:56:98  127  openthread  userspace  broadcast  *\n"
      "trace: off\n");
  r = RunTockctl({"config", "show", path, "--json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::ordered_json::parse(r.out), nlohmann::ordered_json::parse(Slurp(path)));
}

TEST_F(ConfigCommandTest, GetPrintsValues) {
  std::string path = Init();
  auto r = RunTockctl({"config", "get", path, "/ipc/backend"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "copy\n");
  r = RunTockctl({"config", "get", path, "/ipc/interfaces"});
  EXPECT_EQ(r.out, "[\n  \"message_passing\",\n  \"rpc\"\n]\n");
  r = RunTockctl({"--json", "config", "get", path, "/ipc/backend"});
  EXPECT_EQ(r.out, "\"copy\"\n");
  r = RunTockctl({"config", "get", path, "/ipc/nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err,
      "error: /ipc/nope: no value at /ipc/nope; /ipc has: interfaces, backend, copy_threshold, "
      "discovery, services, clients, fault_policy, authentication\n");
}

TEST_F(ConfigCommandTest, SetWritesJsonValuesAndPlainStrings) {
  std::string path = Init();
  auto r = RunTockctl({"config", "set", path, "/x_note", "kept as it is", "--force"});  // unknown
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunTockctl({"config", "set", path, "/network/interfaces/1/channel", "15"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, path + ": set /network/interfaces/1/channel done\n");
  r = RunTockctl({"config", "set", path, "/ipc/services/-",
                  R"({"name": "thread", "server": "openthread", "interface": "rpc"})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunTockctl({"config", "set", path, "/ipc/fault_policy/server_fault", "reconnect"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::ordered_json::parse(Slurp(path));
  EXPECT_EQ(j["network"]["interfaces"][1]["channel"], 15);
  EXPECT_EQ(j["ipc"]["services"][0]["server"], "openthread");
  EXPECT_EQ(j["ipc"]["fault_policy"]["server_fault"], "reconnect");
  EXPECT_EQ(j.begin().key(), "format");
  EXPECT_EQ(std::prev(j.end()).key(), "x_note");
  EXPECT_EQ(j["x_note"], "kept as it is");
  EXPECT_EQ(Others(dir_.path(), "board.json"), std::vector<std::string>{});
}

TEST_F(ConfigCommandTest, SetThatWouldMakeTheFileInvalidIsRefusedByteForByte) {
  std::string path = Init();
  std::string before = Slurp(path);
  auto r = RunTockctl({"config", "set", path, "/ipc/backend", "shared"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            path +
                ":196:16: error: /ipc/backend: backend \"shared\" cannot work: nrf52840dk's "
                "armv7m-mpu regions must be power-of-two sized and aligned to their size, so IPC "
                "buffers cannot be shared between processes; valid: copy, auto (falls back to "
                "copy on this board)\n"
                "error: " +
                path +
                ": refused to set /ipc/backend: it would add 1 error; the file is unchanged; fix "
                "the value, or use --force to write it anyway\n");
  EXPECT_EQ(Slurp(path), before);
  EXPECT_EQ(Others(dir_.path(), "board.json"), std::vector<std::string>{});
}

TEST_F(ConfigCommandTest, ForceWritesAnInvalidEditWithAWarning) {
  std::string path = Init();
  auto r = RunTockctl({"config", "set", path, "/network/interfaces/-",
                       R"({"name": "can0", "kind": "can"})", "--force"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, path +
                       ":236:17: error: /network/interfaces/2/kind: nrf52840dk has no can "
                       "hardware; valid: ble, ieee802154\n"
                       "warning: " +
                       path + " was written with the errors above (--force)\n" + path +
                       ": set /network/interfaces/- done\n");
  EXPECT_EQ(nlohmann::json::parse(Slurp(path))["network"]["interfaces"][2]["kind"], "can");
  r = RunTockctl({"config", "validate", path});
  EXPECT_EQ(r.exit_code, 3);
}

TEST_F(ConfigCommandTest, UnsetRemovesAndIsCheckedToo) {
  std::string path = Init();
  auto r = RunTockctl({"config", "unset", path, "/network/interfaces/0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(Slurp(path))["network"]["interfaces"].size(), 1u);
  std::string before = Slurp(path);
  r = RunTockctl({"config", "unset", path, "/board"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err,
            path +
                ":1:1: error: /board: missing required key \"board\"; valid: add \"board\" "
                "to /\nerror: " +
                path +
                ": refused to unset /board: it would add 1 error; the file is unchanged; fix "
                "the value, or use --force to write it anyway\n");
  EXPECT_EQ(Slurp(path), before);
  r = RunTockctl({"config", "unset", path, "/ipc/zzz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Slurp(path), before);
}

TEST_F(ConfigCommandTest, EditsOfUnusableFilesFailWithoutWriting) {
  std::string ro = Init();
  std::string before = Slurp(ro);
  ASSERT_EQ(::chmod(ro.c_str(), 0444), 0);
  auto r = RunTockctl({"config", "set", ro, "/ipc/copy_threshold", "64"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err,
            "error: " + ro + ": is read-only; make it writable (chmod u+w) or write elsewhere\n");
  EXPECT_EQ(Slurp(ro), before);
  EXPECT_EQ(Others(dir_.path(), "board.json"), std::vector<std::string>{});

  std::filesystem::create_directory(dir_.path() / "d.json");
  r = RunTockctl({"config", "set", (dir_.path() / "d.json").string(), "/a", "1"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err,
            "error: " + (dir_.path() / "d.json").string() + ": is a directory, expected a file\n");

  std::string missing = (dir_.path() / "missing.json").string();
  r = RunTockctl({"config", "unset", missing, "/a"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "error: " + missing + ": no such file\n");
  EXPECT_FALSE(std::filesystem::exists(missing));

  auto bad = dir_.Write("bad.json", "{\n  \"format\": 1\n  \"board\": {}\n}\n");
  r = RunTockctl({"config", "set", bad.string(), "/format", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: " + bad.string() +
                       ":3:3: malformed JSON: unexpected string literal; expected '}'\n");
  EXPECT_EQ(Slurp(bad), "{\n  \"format\": 1\n  \"board\": {}\n}\n");
}

TEST_F(ConfigCommandTest, ValidateReportsEveryFileAndFinding) {
  std::string good = Init("qemu_rv32_virt");
  auto warn = dir_.Write("warn.json", Slurp(good));
  auto r = RunTockctl({"config", "set", warn.string(), "/ipc/colour", "blue", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTockctl({"config", "validate", good, warn.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, good + ": no errors, no warnings\n" + warn.string() +
                       ":245:5: warning: /ipc/colour: unknown key \"colour\" is kept but not used; "
                       "valid: interfaces, backend, copy_threshold, discovery, services, clients, "
                       "fault_policy, authentication\n" +
                       warn.string() + ": no errors, 1 warning\n");
  EXPECT_EQ(r.err, "");

  auto bad = dir_.Write("bad.json", "{\"format\": 1}");
  r = RunTockctl({"config", "validate", good, bad.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, good + ": no errors, no warnings\n" + bad.string() +
                       ":1:1: error: /board: missing required key \"board\"; valid: add \"board\" "
                       "to /\n" +
                       bad.string() + ": 1 error, no warnings\n");
  EXPECT_EQ(r.err, "error: 1 of 2 files are invalid\n");
}

TEST_F(ConfigCommandTest, ValidateJson) {
  auto bad = dir_.Write("bad.json", "{\"format\": 2}");
  auto r = RunTockctl({"config", "validate", "--json", bad.string()});
  EXPECT_EQ(r.exit_code, 3);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(j["files"][0]["valid"], false);
  EXPECT_EQ(j["files"][0]["errors"], 2);
  EXPECT_EQ(j["files"][0]["findings"][0]["pointer"], "/board");
  EXPECT_EQ(j["files"][0]["findings"][0]["valid"], "add \"board\" to /");
  EXPECT_EQ(j["files"][0]["findings"][1],
            nlohmann::json::parse(R"({"file": ")" + bad.string() + R"(", "line": 1, "column": 12,
              "severity": "error", "pointer": "/format", "message": "unsupported format 2",
              "valid": "1"})"));
}

TEST_F(ConfigCommandTest, ValidateRefusesUnreadableInputClearly) {
  auto malformed = dir_.Write("m.json", "{\n  \"format\": 1,\n  \"ipc\": [1 2]\n}\n");
  auto r = RunTockctl({"config", "validate", malformed.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, malformed.string() +
                       ":3:13: error: malformed JSON: unexpected number literal; expected ']'\n" +
                       malformed.string() + ": cannot be checked\n");

  auto deep = dir_.Write("deep.json", std::string(100000, '[') + std::string(100000, ']'));
  r = RunTockctl({"config", "validate", deep.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, deep.string() +
                       ":1:65: error: JSON nesting deeper than 64 levels; flatten the document\n" +
                       deep.string() + ": cannot be checked\n");

  auto huge = dir_.Write("huge.json", "[" + std::string(9 << 20, ' ') + "]");
  r = RunTockctl({"config", "validate", huge.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, huge.string() +
                       ": error: file is 9437186 bytes, more than the limit of 8388608\n" +
                       huge.string() + ": cannot be checked\n");

  std::filesystem::create_directory(dir_.path() / "dir.json");
  std::string missing = (dir_.path() / "none.json").string();
  r = RunTockctl({"config", "validate", (dir_.path() / "dir.json").string(), missing});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, (dir_.path() / "dir.json").string() +
                       ": error: is a directory, expected a file\n" +
                       (dir_.path() / "dir.json").string() + ": cannot be checked\n" + missing +
                       ": error: no such file\n" + missing + ": cannot be checked\n");
  EXPECT_EQ(r.err, "error: 2 of 2 files are invalid\n");
}

TEST_F(ConfigCommandTest, DiffExitsOneWhenDifferent) {
  std::string a = Init("qemu_rv32_virt");
  auto b = dir_.Write("b.json", Slurp(a));
  auto r = RunTockctl({"config", "diff", a, b.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  ASSERT_EQ(RunTockctl({"config", "set", b.string(), "/ipc/copy_threshold", "64"}).exit_code, 0);
  ASSERT_EQ(RunTockctl({"config", "set", b.string(), "/board/page_size", "0x200"}).exit_code, 0);
  ASSERT_EQ(RunTockctl({"config", "unset", b.string(), "/ipc/authentication"}).exit_code, 0);
  r = RunTockctl({"config", "diff", a, b.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "~ /ipc/copy_threshold: 256 -> 64\n- /ipc/authentication: \"none\"\n");
  r = RunTockctl({"--json", "config", "diff", a, b.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["change"], "changed");
  r = RunTockctl({"config", "diff", a, (dir_.path() / "none.json").string()});
  EXPECT_EQ(r.exit_code, 4);
}

TEST_F(ConfigCommandTest, EverySubcommandHasHelp) {
  for (const char* sub : {"init", "show", "get", "set", "unset", "validate", "diff"}) {
    auto r = RunTockctl({"config", sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub << ": " << r.out;
  }
  auto r = RunTockctl({"config"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

// Sets an environment variable for the tockctl runs of one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

// 1-based number of the first line of `text` that contains `needle`.
size_t LineOf(const std::string& text, const std::string& needle) {
  return static_cast<size_t>(std::count(text.begin(), text.begin() + text.find(needle), '\n')) + 1;
}

TEST_F(ConfigCommandTest, SetRefusesAMisspeltKeyNamingTheClosestOne) {
  std::string path = Init();
  std::string before = Slurp(path);
  auto r = RunTockctl({"config", "set", path, "/ipc/bakend", "copy"});
  EXPECT_EQ(r.exit_code, 3);
  std::string line = std::to_string(LineOf(before, "    \"authentication\"") + 1);
  EXPECT_EQ(r.err, path + ":" + line +
                       ":5: error: /ipc/bakend: unknown key \"bakend\"; did you mean \"backend\"?; "
                       "valid: interfaces, backend, copy_threshold, discovery, services, clients, "
                       "fault_policy, authentication\n"
                       "error: " +
                       path +
                       ": refused to set /ipc/bakend: it would add 1 error; the file is unchanged; "
                       "fix the value, or use --force to write it anyway\n");
  EXPECT_EQ(Slurp(path), before);
  r = RunTockctl({"config", "set", path, "/nonexist/deep", "1"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            path + ":" + std::to_string(std::count(before.begin(), before.end(), '\n')) +
                ":3: error: /nonexist: unknown key \"nonexist\"; valid: $schema, format, board, "
                "ipc, network, trace");
  EXPECT_EQ(Slurp(path), before);
  EXPECT_EQ(Others(dir_.path(), "board.json"), std::vector<std::string>{});
}

TEST_F(ConfigCommandTest, SetThroughASymlinkEditsTheFileItNames) {
  std::string path = Init();
  auto link = dir_.path() / "link.json";
  std::filesystem::create_symlink("board.json", link);
  auto r = RunTockctl({"config", "set", link.string(), "/ipc/copy_threshold", "64"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(nlohmann::ordered_json::parse(Slurp(path))["ipc"]["copy_threshold"], 64);
  EXPECT_EQ(Others(dir_.path(), "board.json"), std::vector<std::string>{"link.json"});
}

TEST_F(ConfigCommandTest, UserBoardDirectoriesAddBoardsAndABrokenFileOnlyWarns) {
  TempDir boards;
  std::string text = Slurp(testing::SourceDir() / "boards" / "hail.json");
  auto at = text.find("\"name\": \"hail\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 14, "\"name\": \"my_hail\"");
  boards.Write("my_hail.json", text);
  boards.Write("broken.json", "{\"format\": 1, \"board\": {}}\n");
  ScopedEnv env("TOCKCTL_BOARDS_PATH", boards.path().string());
  std::string warning = "warning: " + (boards.path() / "broken.json").string() +
                        ":1:24: /board/name: missing required key \"name\"; valid: add "
                        "\"name\" to /board; broken.json is left out of the catalog\n";
  auto r = RunTockctl({"boards", "list"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, warning);
  EXPECT_NE(r.out.find("\nmy_hail "), std::string::npos) << r.out;
  auto file = dir_.Write("mine.json", "{\"format\": 1, \"board\": \"my_hail\"}\n");
  r = RunTockctl({"config", "validate", file.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, file.string() + ": no errors, no warnings\n");
  EXPECT_EQ(r.err, warning);
}

TEST_F(ConfigCommandTest, XdgConfigBoardsAreFound) {
  TempDir config_home;
  std::filesystem::create_directories(config_home.path() / "tockctl" / "boards");
  std::string text = Slurp(testing::SourceDir() / "boards" / "hail.json");
  text.replace(text.find("\"name\": \"hail\""), 14, "\"name\": \"xdg_hail\"");
  config_home.Write("tockctl/boards/xdg_hail.json", text);
  ScopedEnv env("XDG_CONFIG_HOME", config_home.path().string());
  auto r = RunTockctl({"boards", "show", "xdg_hail"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
