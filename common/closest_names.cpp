#include "common/closest_names.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace tockctl {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// How well `candidate` matches what the user typed: 0 same but for case, 1 prefix, 2 substring,
// 3 close by edit distance, 4 no match.
int MatchTier(const std::string& typed, const std::string& candidate) {
  std::string a = Lower(typed), b = Lower(candidate);
  if (a == b) return 0;
  if (b.rfind(a, 0) == 0 || a.rfind(b, 0) == 0) return 1;
  if (b.find(a) != std::string::npos || a.find(b) != std::string::npos) return 2;
  size_t threshold = std::max<size_t>(2, a.size() / 3);
  return EditDistance(a, b) <= threshold ? 3 : 4;
}

struct ScoredName {
  int tier;
  size_t distance;
  std::string name;
  bool operator<(const ScoredName& o) const {
    return std::tie(tier, distance, name) < std::tie(o.tier, o.distance, o.name);
  }
};

}  // namespace

size_t EditDistance(const std::string& a_in, const std::string& b_in) {
  std::string a = Lower(a_in), b = Lower(b_in);
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> ClosestNames(const std::string& typed,
                                      const std::vector<std::string>& candidates, size_t limit) {
  std::vector<ScoredName> scored;
  for (const auto& candidate : candidates)
    if (int tier = MatchTier(typed, candidate); tier < 4)
      scored.push_back({tier, EditDistance(typed, candidate), candidate});
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < limit; ++i) {
    // Stop at a weaker kind of match after a case-insensitive match or two good ones.
    bool weaker = i > 0 && scored[i].tier != scored[i - 1].tier;
    if (weaker && (out.size() >= 2 || scored[i - 1].tier == 0)) break;
    out.push_back(scored[i].name);
  }
  return out;
}

}  // namespace tockctl
