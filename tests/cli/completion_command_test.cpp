// Runs the generated completion scripts in real bash, fish and zsh against the real binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/completion_script.h"
#include "common/file_io.h"
#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;
using Words = std::vector<std::string>;

Words Lines(const std::string& text) {
  Words lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line.substr(0, line.find('\t')));
  return lines;
}

Words Sorted(Words words) {
  std::sort(words.begin(), words.end());
  return words;
}

// Runs argv with the built tockctl first on PATH and the source tree as data directory.
ProcessResult RunShell(const Words& argv) {
  std::string shell = argv.front();
  if (!FindProgram(shell))
    ADD_FAILURE() << shell << " is not installed; run scripts/deps (Debian package " << shell
                  << ")";
  ProcessSpec spec;
  spec.argv = argv;
  spec.env["PATH"] =
      std::filesystem::path(TOCKCTL_BINARY).parent_path().string() + ":" + std::getenv("PATH");
  spec.env["TOCKCTL_DATA_DIR"] = testing::SourceDir().string();
  spec.env["HOME"] = testing::BuildDir().string();
  spec.timeout = std::chrono::seconds(30);
  PosixProcessRunner runner;
  return runner.Run(spec);
}

class CompletionTest : public ::testing::Test {
 protected:
  // The scripts are generated once for the suite; zsh's completion system is set up once too
  // (compinit's dump file), instead of reading every completion function of the system per line.
  static void SetUpTestSuite() {
    suite_dir_ = new testing::TempDir();
    for (const char* shell : {"bash", "zsh", "fish"}) {
      auto r = RunTockctl({"completion", shell});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      scripts_[shell] = suite_dir_->Write(std::string("tockctl.") + shell, r.out);
    }
  }
  static void TearDownTestSuite() {
    delete suite_dir_;
    suite_dir_ = nullptr;
    scripts_.clear();
  }

  // COMPREPLY of the generated bash function for `words` (the last one is being completed).
  Words Bash(const Words& words, const std::string& cwd = "") {
    std::string program = "source " + ShellQuote(scripts_["bash"].string()) + "\n";
    if (!cwd.empty()) program += "cd " + ShellQuote(cwd) + "\n";
    program += "COMP_WORDS=(";
    for (const auto& w : words) program += ShellQuote(w) + " ";
    program += ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
               "\n_tockctl\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    auto r = RunShell({"bash", "--norc", "-c", program});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.stderr_text, "");
    return Sorted(Lines(r.stdout_text));
  }

  Words Fish(const std::string& line) {
    std::string program =
        "source " + ShellQuote(scripts_["fish"].string()) + "; complete -C" + ShellQuote(line);
    auto r = RunShell({"fish", "--no-config", "-c", program});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    return Sorted(Lines(r.stdout_text));
  }

  // Completions zsh offers for `line`, with the script sourced (or autoloaded from `fpath`).
  Words Zsh(const std::string& line, const std::string& fpath = "") {
    auto harness = testing::SourceDir() / "tests" / "cli" / "zsh_complete.zsh";
    std::string script = fpath.empty() ? scripts_["zsh"].string() : fpath;
    Words argv{"zsh", "-f", harness.string(), script, line};
    if (fpath.empty()) argv.push_back((suite_dir_->path() / "zcompdump").string());
    auto r = RunShell(argv);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    return Sorted(Lines(r.stdout_text));
  }

  testing::TempDir dir_;
  static inline testing::TempDir* suite_dir_ = nullptr;
  static inline std::map<std::string, std::filesystem::path> scripts_;
};

Words BoardsStartingWith(const std::string& prefix) {
  Words names;
  for (const auto& b : nlohmann::json::parse(RunTockctl({"--json", "boards", "list"}).out))
    if (b["name"].get<std::string>().rfind(prefix, 0) == 0) names.push_back(b["name"]);
  return Sorted(names);
}

// The top-level commands as CLI11's own --help lists them.
Words HelpCommands() {
  std::istringstream help(RunTockctl({"--help"}).out);
  Words commands;
  bool in_section = false;
  for (std::string line; std::getline(help, line);) {
    if (line.rfind("Subcommands:", 0) == 0)
      in_section = true;
    else if (in_section && line.rfind("  ", 0) == 0) {
      // "console, listen": a command and its alias; completions offer both
      std::istringstream names(line.substr(2, line.find("  ", 2) - 2));
      for (std::string name; std::getline(names >> std::ws, name, ',');) commands.push_back(name);
    } else if (in_section)
      break;
  }
  return Sorted(commands);
}

TEST_F(CompletionTest, BashCompletesCommandsAndBoardNames) {
  EXPECT_EQ(Bash({"tockctl", "bo"}), Words{"boards"});
  EXPECT_EQ(Bash({"tockctl", "boards", ""}), (Words{"list", "show"}));
  EXPECT_EQ(Bash({"tockctl", "boards", "show", "nrf"}), BoardsStartingWith("nrf"));
  EXPECT_EQ(BoardsStartingWith("nrf"), (Words{"nrf52840_dongle", "nrf52840dk", "nrf52dk"}));
  EXPECT_EQ(Bash({"tockctl", "boards", "show", "nrf52840dk", ""}), Words{});
  // Another command's board argument, found by its name (BOARD) alone.
  EXPECT_EQ(Bash({"tockctl", "config", "init", "nrf52840d"}), Words{"nrf52840dk"});
}

TEST_F(CompletionTest, BashOffersEveryCommandInHelp) {
  Words commands = HelpCommands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "completion"), commands.end());
  EXPECT_EQ(Bash({"tockctl", ""}), commands);
}

// An alias completes like its command: `listen` is `console`.
TEST_F(CompletionTest, AnAliasCompletesLikeItsCommand) {
  EXPECT_EQ(Bash({"tockctl", "lis"}), Words{"listen"});
  EXPECT_EQ(Bash({"tockctl", "listen", "--times"}), Words{"--timestamps"});
  EXPECT_EQ(Bash({"tockctl", "listen", "--board", "nrf52840d"}), Words{"nrf52840dk"});
  EXPECT_EQ(Fish("tockctl listen --times"), Words{"--timestamps"});
  EXPECT_EQ(Zsh("tockctl listen --times"), Words{"--timestamps"});
}

TEST_F(CompletionTest, BashCompletesOptionsChoicesAndDirectories) {
  EXPECT_EQ(Bash({"tockctl", "boards", "show", "--js"}), Words{"--json"});
  EXPECT_EQ(Bash({"tockctl", "-q", "--color", "never", "boards", "s"}), Words{"show"});
  EXPECT_EQ(Bash({"tockctl", "--color", "al"}), Words{"always"});
  EXPECT_EQ(Bash({"tockctl", "--color", "=", "al"}), Words{"always"});  // '=' split the word
  EXPECT_EQ(Bash({"tockctl", "--color=al"}), Words{"--color=always"});
  EXPECT_EQ(Bash({"tockctl", "completion", ""}), (Words{"bash", "fish", "man", "zsh"}));
  dir_.Write("data/boards/.keep", "");
  dir_.Write("datafile", "");
  EXPECT_EQ(Bash({"tockctl", "--data-dir", "da"}, dir_.path().string()), Words{"data"});
}

TEST_F(CompletionTest, BashAsksTheDataDirectoryGivenOnTheLine) {
  auto board = ReadFile(testing::SourceDir() / "boards" / "qemu_rv32_virt.json");
  dir_.Write("data/boards/qemu_rv32_virt.json", board);
  std::string data = (dir_.path() / "data").string();
  EXPECT_EQ(Bash({"tockctl", "--data-dir", data, "boards", "show", "q"}), Words{"qemu_rv32_virt"});
  EXPECT_EQ(Bash({"tockctl", "--data-dir=" + data, "boards", "show", "q"}),
            Words{"qemu_rv32_virt"});
  EXPECT_EQ(Bash({"tockctl", "boards", "show", "qemu_rv"}), BoardsStartingWith("qemu_rv"));
}

TEST_F(CompletionTest, FishCompletesCommandsOptionsAndBoards) {
  EXPECT_EQ(Fish("tockctl bo"), Words{"boards"});
  EXPECT_EQ(Fish("tockctl "), HelpCommands());
  EXPECT_EQ(Fish("tockctl boards show nrf"), BoardsStartingWith("nrf"));
  EXPECT_EQ(Fish("tockctl --color "), (Words{"always", "auto", "never"}));
  EXPECT_EQ(Fish("tockctl --color never boards show --js"), Words{"--json"});
}

TEST_F(CompletionTest, ZshCompletesCommandsOptionsAndBoards) {
  EXPECT_EQ(Zsh("tockctl bo"), Words{"boards"});
  EXPECT_EQ(Zsh("tockctl boards show nrf"), BoardsStartingWith("nrf"));
  EXPECT_EQ(Zsh("tockctl --color=al"), Words{"always"});
  EXPECT_EQ(Zsh("tockctl -q boards s"), Words{"show"});
  EXPECT_EQ(Zsh("tockctl completion "), (Words{"bash", "fish", "man", "zsh"}));
}

TEST_F(CompletionTest, ZshAutoloadsTheScriptFromFpath) {
  auto fpath = dir_.path() / "zfunc";
  std::filesystem::create_directory(fpath);
  std::filesystem::copy_file(scripts_["zsh"], fpath / "_tockctl");
  EXPECT_EQ(Zsh("tockctl boards show nrf52840d", fpath.string()), Words{"nrf52840dk"});
}

TEST_F(CompletionTest, DocsExamplesWork) {
  // docs/install.md: source <(tockctl completion bash); tockctl completion man | man -l -
  auto r =
      RunShell({"bash", "--norc", "-c", "source <(tockctl completion bash); complete -p tockctl"});
  EXPECT_EQ(r.stdout_text, "complete -F _tockctl tockctl\n") << r.stderr_text;
  r = RunShell({"bash", "-c", "tockctl completion man | MANPAGER=cat MANWIDTH=100 man -l -"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("tockctl - build, flash and trace Tock kernels"), std::string::npos)
      << r.stdout_text;
}

TEST(CompletionCommandTest, ListBoardsPrintsTheCatalogNames) {
  auto r = RunTockctl({"completion", "--list-boards"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), BoardsStartingWith(""));
}

TEST(CompletionCommandTest, KindIsRequiredAndChecked) {
  auto r = RunTockctl({"completion"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: completion needs KIND: bash, zsh, fish or man; e.g. tockctl completion bash > "
            "~/.local/share/bash-completion/completions/tockctl\n");
  r = RunTockctl({"completion", "tcsh"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: KIND: tcsh not in {bash,zsh,fish,man}; run with --help for usage\n");
}

TEST(CompletionCommandTest, ScriptsPassTheShellsSyntaxChecks) {
  testing::TempDir dir;
  for (const char* shell : {"bash", "zsh", "fish"}) {
    auto script = dir.Write(std::string("s.") + shell, RunTockctl({"completion", shell}).out);
    auto r = RunShell({shell, "-n", script.string()});
    EXPECT_EQ(r.exit_code, 0) << shell << ": " << r.stderr_text;
    EXPECT_EQ(r.stderr_text, "") << shell;
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ManPageCommandTest, RendersWithoutWarningsAndListsEveryCommand) {
  testing::TempDir dir;
  auto r = RunTockctl({"completion", "man"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto page = dir.Write("tockctl.1", r.out);
  ProcessSpec groff;
  groff.argv = {"groff", "-man", "-Tutf8", "-ww", "-z", page.string()};
  PosixProcessRunner runner;
  auto checked = runner.Run(groff);
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_EQ(checked.stderr_text, "");  // -ww: every warning
  ProcessSpec man;
  man.argv = {"man", "-l", page.string()};
  man.env = {{"MANPAGER", "cat"}, {"MANWIDTH", "100"}, {"MAN_KEEP_FORMATTING", ""}};
  auto shown = runner.Run(man);
  ASSERT_EQ(shown.exit_code, 0) << shown.stderr_text;
  std::string text = shown.stdout_text;
  text.erase(std::remove(text.begin(), text.end(), '\b'), text.end());  // overstrike bold
  for (const char* part : {"TOCKCTL(1)", "NAME", "tockctl - build, flash and trace Tock kernels",
                           "GLOBAL OPTIONS", "--data-dir DIR", "EXIT STATUS", "ENVIRONMENT"})
    EXPECT_NE(text.find(part), std::string::npos) << part;
  for (const auto& command : HelpCommands())
    EXPECT_NE(text.find("   tockctl " + command + "\n"), std::string::npos) << command;
  EXPECT_NE(text.find("tockctl boards show [OPTIONS] NAME"), std::string::npos) << text;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
