#include "common/completion_script.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "common/man_page.h"
#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using Words = std::vector<std::string>;

ArgumentSpec Arg(Words shorts, Words longs, ValueKind kind, std::string value_name = "") {
  ArgumentSpec a;
  a.short_names = std::move(shorts);
  a.long_names = std::move(longs);
  a.kind = kind;
  a.value_name = std::move(value_name);
  a.description = "about " + (a.long_names.empty() ? a.value_name : a.long_names[0]);
  return a;
}

// tool [-v] [--mode fast|slow] {copy [-o FILE] SRC... | dir [--into DIR]}
CommandSpec SampleSpec() {
  CommandSpec root{"tockctl", "tockctl: sample", {}, {}, {}, false, true};
  root.options.push_back(Arg({"v"}, {"verbose"}, ValueKind::kNone));
  root.options.back().repeatable = true;
  root.options.push_back(Arg({}, {"mode"}, ValueKind::kChoice, "MODE"));
  root.options.back().choices = {"fast", "slow"};
  CommandSpec copy{"copy", "Copy files", {}, {}, {}, true, false};
  copy.options.push_back(Arg({"o"}, {"output"}, ValueKind::kFile, "FILE"));
  copy.positionals.push_back(Arg({}, {}, ValueKind::kBoard, "BOARD"));
  copy.positionals.push_back(Arg({}, {}, ValueKind::kFile, "SRC"));
  copy.positionals.back().repeatable = true;
  CommandSpec dir{"dir", "Pick a directory", {}, {}, {}, false, false};
  dir.options.push_back(Arg({}, {"into"}, ValueKind::kDirectory, "DIR"));
  dir.options.push_back(Arg({}, {"mode"}, ValueKind::kText, "TEXT"));
  root.subcommands = {copy, dir};
  return root;
}

TEST(CommandSpecTest, VisitsParentsFirstWithInheritedOptions) {
  std::vector<std::pair<std::string, Words>> seen;
  VisitCommands(SampleSpec(), [&](const CommandVisit& v) {
    Words names;
    for (const ArgumentSpec* o : v.options) names.push_back(DashedNames(*o).back());
    seen.emplace_back(JoinPath(v.path), names);
  });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], (std::pair<std::string, Words>{"tockctl", {"--verbose", "--mode"}}));
  EXPECT_EQ(seen[1],
            (std::pair<std::string, Words>{"tockctl copy", {"--output", "--verbose", "--mode"}}));
  // dir does not inherit; its own --mode is text.
  EXPECT_EQ(seen[2], (std::pair<std::string, Words>{"tockctl dir", {"--into", "--mode"}}));
}

TEST(CompletionScriptTest, QuotingAndNames) {
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(FunctionSuffix({"tockctl", "save-raw", "x.y"}), "tockctl__save_raw__x_y");
  EXPECT_EQ(RoffEscape(".start -x \\"), "\\&.start \\-x \\e");
}

TEST(CompletionScriptTest, BashTablesDescribeTheSpec) {
  std::string script = BashCompletionScript(SampleSpec());
  for (const char* line : {
           "    'tockctl') echo 'copy dir' ;;\n",
           "    'tockctl copy') echo '-o --output -v --verbose --mode' ;;\n",
           "    'tockctl copy --mode') echo 'choice fast slow' ;;\n",
           "    'tockctl dir --mode') echo 'text' ;;\n",
           "    'tockctl dir --into') echo 'dir' ;;\n",
           "    'tockctl copy #0') echo 'board' ;;\n",
           "    'tockctl copy #1' | 'tockctl copy #'*) echo 'file' ;;\n",
       })
    EXPECT_NE(script.find(line), std::string::npos) << line;
}

Words BashComplete(const std::string& script, const Words& words, const std::string& cwd) {
  std::string program = script + "\ncd " + ShellQuote(cwd) + "\nCOMP_WORDS=(";
  for (const auto& w : words) program += ShellQuote(w) + " ";
  program += ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
             "\n_tockctl\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
  ProcessSpec spec;
  spec.argv = {"bash", "--norc", "-c", program};
  spec.timeout = std::chrono::seconds(30);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  EXPECT_EQ(r.stderr_text, "");
  Words lines;
  std::istringstream in(r.stdout_text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(CompletionScriptTest, BashCompletesFilesDirectoriesAndRepeatedPositionals) {
  testing::TempDir dir;
  dir.Write("alpha.bin", "");
  dir.Write("alps/x", "");
  dir.Write("beta.bin", "");
  std::string script = BashCompletionScript(SampleSpec());
  std::string cwd = dir.path().string();
  EXPECT_EQ(BashComplete(script, {"tockctl", "copy", "-o", "al"}, cwd),
            (Words{"alpha.bin", "alps"}));
  EXPECT_EQ(BashComplete(script, {"tockctl", "copy", "--output=b"}, cwd),
            Words{"--output=beta.bin"});
  EXPECT_EQ(BashComplete(script, {"tockctl", "copy", "someboard", "x", "-v", "b"}, cwd),
            Words{"beta.bin"});
  EXPECT_EQ(BashComplete(script, {"tockctl", "dir", "--into", "al"}, cwd), Words{"alps"});
  EXPECT_EQ(BashComplete(script, {"tockctl", "dir", "--mode", ""}, cwd), Words{});
  EXPECT_EQ(BashComplete(script, {"tockctl", "-vv", "--mode", "f"}, cwd), Words{"fast"});
  EXPECT_EQ(BashComplete(script, {"tockctl", "copy", "--v"}, cwd), Words{"--verbose"});
}

TEST(CompletionScriptTest, ZshAndFishSpecs) {
  std::string zsh = ZshCompletionScript(SampleSpec());
  for (const char* line :
       {"    '*-v[about verbose]' \\\n", "    '--mode=[about mode]:MODE:(fast slow)' \\\n",
        "    '-o+[about output]:FILE:_files' \\\n", "    '1:BOARD:_tockctl_boards' \\\n",
        "    '*:SRC:_files' \\\n", "    '--into=[about into]:DIR:_files -/' \\\n",
        "        'copy') _tockctl__copy && ret=0 ;;\n"})
    EXPECT_NE(zsh.find(line), std::string::npos) << line;
  std::string fish = FishCompletionScript(SampleSpec());
  for (const char* line :
       {"set -g __tockctl_commands 'tockctl copy' 'tockctl dir'\n",
        "set -g __tockctl_value_options 'tockctl --mode' 'tockctl copy -o' 'tockctl copy "
        "--output' 'tockctl copy --mode' 'tockctl dir --into' 'tockctl dir --mode'\n",
        "complete -c tockctl -n '__tockctl_using tockctl' -f -a 'copy' -d 'Copy files'\n",
        "complete -c tockctl -n '__tockctl_using tockctl copy' -s 'o' -l 'output' -r -F -d "
        "'about output'\n",
        "complete -c tockctl -n '__tockctl_using tockctl copy' -x -a '(__tockctl_boards)'\n",
        "complete -c tockctl -n '__tockctl_using tockctl copy' -F\n"})
    EXPECT_NE(fish.find(line), std::string::npos) << line;
}

TEST(ManPageTest, SectionsAndCommandsFromTheSpec) {
  std::string page = ManPage(SampleSpec(), "1.2.3");
  EXPECT_EQ(page.rfind(".\\\" Generated", 0), 0u);
  for (const char* text :
       {".TH TOCKCTL 1 \"\" \"tockctl 1.2.3\" \"User Commands\"\n",
        ".SH NAME\ntockctl \\- sample\n",
        ".TP\n\\fB\\-\\-mode\\fR \\fIMODE\\fR\nabout mode (one of \\fBfast\\fR, \\fBslow\\fR)\n",
        ".SS \"tockctl copy\"\n\\fBtockctl\\fR \\fBcopy\\fR [\\fIOPTIONS\\fR] [\\fIBOARD\\fR] "
        "[\\fISRC\\fR...]\n.br\nCopy files\n",
        ".TP\n.B 130\nInterrupted (Ctrl\\-C).\n", ".SH EXIT STATUS\n", ".SH ENVIRONMENT\n",
        ".SH FILES\n", ".SH SEE ALSO\n"})
    EXPECT_NE(page.find(text), std::string::npos) << text;
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
