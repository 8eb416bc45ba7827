// "Did you mean ...?": the known names closest to a mistyped one (board names, command names).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tockctl {

/// Up to `limit` of `candidates` closest to `typed`: same but for case first, then prefixes, then
/// substrings, then names within a small edit distance. Empty when nothing is close.
std::vector<std::string> ClosestNames(const std::string& typed,
                                      const std::vector<std::string>& candidates, size_t limit = 3);

/// Levenshtein distance between two strings (case-insensitive).
size_t EditDistance(const std::string& a, const std::string& b);

}  // namespace tockctl
