#include "common/text_diff.h"

#include <algorithm>
#include <vector>

namespace tockctl {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// One line of the edit script: ' ' kept, '-' removed, '+' added, with its line numbers.
struct Step {
  char op;
  size_t old_line;
  size_t new_line;
  std::string_view text;
};

// The longest-common-subsequence edit script (quadratic; for source files of a board).
std::vector<Step> EditScript(const std::vector<std::string_view>& a,
                             const std::vector<std::string_view>& b) {
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Step> steps;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      steps.push_back({' ', i++, j++, a[i - 1]});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      steps.push_back({'-', i++, j, a[i - 1]});
    } else {
      steps.push_back({'+', i, j++, b[j - 1]});
    }
  }
  return steps;
}

std::string Range(size_t start, size_t count) {
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

// The hunk covering steps [begin, end).
std::string Hunk(const std::vector<Step>& steps, size_t begin, size_t end) {
  size_t old_count = 0, new_count = 0;
  std::string body;
  for (size_t k = begin; k < end; ++k) {
    old_count += steps[k].op != '+';
    new_count += steps[k].op != '-';
    body += steps[k].op + std::string(steps[k].text) + "\n";
  }
  return "@@ -" + Range(steps[begin].old_line, old_count) + " +" +
         Range(steps[begin].new_line, new_count) + " @@\n" + body;
}

}  // namespace

std::string UnifiedDiff(std::string_view old_text, std::string_view new_text,
                        const std::string& old_name, const std::string& new_name, size_t context) {
  if (old_text == new_text) return {};
  std::vector<Step> steps = EditScript(Lines(old_text), Lines(new_text));
  std::string out = "--- " + old_name + "\n+++ " + new_name + "\n";
  size_t k = 0;
  while (k < steps.size()) {
    while (k < steps.size() && steps[k].op == ' ') ++k;
    if (k == steps.size()) break;
    size_t begin = k >= context ? k - context : 0;
    size_t end = k, kept = 0;
    while (end < steps.size() && kept <= 2 * context) {
      kept = steps[end].op == ' ' ? kept + 1 : 0;
      ++end;
    }
    end -= std::min(kept, kept > context ? kept - context : size_t{0});
    out += Hunk(steps, begin, end);
    k = end;
  }
  return out;
}

}  // namespace tockctl
