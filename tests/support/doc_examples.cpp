#include "tests/support/doc_examples.h"

#include <sstream>

namespace tockctl::testing {

std::vector<ConsoleExample> ConsoleExamples(const std::string& markdown) {
  std::vector<ConsoleExample> out;
  std::istringstream in(markdown);
  bool in_console = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) {
      in_console = !in_console && line == "```console";
    } else if (in_console && line.starts_with("$ ")) {
      out.push_back({line.substr(2), {}});
    } else if (in_console && !out.empty() && line != "...") {
      out.back().shown.push_back(line);
    }
  }
  return out;
}

bool MatchesShown(const std::string& shown, const std::string& actual) {
  const std::string ellipsis = "…";
  std::vector<std::string> pieces;
  for (size_t from = 0;;) {
    const size_t next = shown.find(ellipsis, from);
    pieces.push_back(shown.substr(from, next == std::string::npos ? next : next - from));
    if (next == std::string::npos) break;
    from = next + ellipsis.size();
  }
  if (pieces.size() == 1) return actual == shown;
  if (!actual.starts_with(pieces.front())) return false;
  size_t at = pieces.front().size();
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    const size_t found = actual.find(pieces[i], at);
    if (found == std::string::npos) return false;
    at = found + pieces[i].size();
  }
  return actual.size() >= at + pieces.back().size() && actual.ends_with(pieces.back());
}

std::vector<std::string> CommandWords(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  bool any = false;
  for (char c : command) {
    if (c == '\'') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) words.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) words.push_back(word);
  return words;
}

}  // namespace tockctl::testing
