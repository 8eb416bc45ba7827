// Reading the copy-pasteable examples of docs/*.md, for the tests that run them: the "$ command"
// lines of ```console blocks with the lines shown under each, "…" as any text in a shown line.
#pragma once

#include <string>
#include <vector>

namespace tockctl::testing {

/// One "$ command" line of a ```console block and the lines shown under it ("..." lines, which
/// only mark skipped output, left out).
struct ConsoleExample {
  std::string command;
  std::vector<std::string> shown;
};

/// Every "$ " line of the ```console blocks of `markdown`, in order.
std::vector<ConsoleExample> ConsoleExamples(const std::string& markdown);

/// True if `actual` equals `shown`, where each "…" in `shown` stands for any text.
bool MatchesShown(const std::string& shown, const std::string& actual);

/// The words of a command line: blanks separate them, single quotes group (and are dropped).
std::vector<std::string> CommandWords(const std::string& command);

}  // namespace tockctl::testing
