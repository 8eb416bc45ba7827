#include "kernel/text_template.h"

#include <algorithm>

#include "common/error.h"

namespace tockctl::kernel {
namespace {

bool IsNameChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// Length of the placeholder name starting at `start` if `@` closes it, else 0.
size_t NameLength(std::string_view text, size_t start) {
  size_t end = start;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  return end > start && end < text.size() && text[end] == '@' ? end - start : 0;
}

[[noreturn]] void Unknown(std::string_view text, size_t at, const std::string& name,
                          const std::map<std::string, std::string>& values,
                          const std::string& file) {
  ErrorContext ctx;
  ctx.file = file;
  ctx.line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  std::string known;
  for (const auto& [key, value] : values) known += (known.empty() ? "@" : ", @") + key + "@";
  throw Error(ErrorCategory::kInvalidInput, "unknown placeholder @" + name + "@", ctx,
              "known placeholders: " + known);
}

}  // namespace

std::string ExpandTemplate(std::string_view text, const std::map<std::string, std::string>& values,
                           const std::string& file) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t at = text.find('@', i);
    if (at == std::string_view::npos) at = text.size();
    out.append(text.substr(i, at - i));
    if (at == text.size()) break;
    size_t n = NameLength(text, at + 1);
    if (n == 0) {
      out += '@';
      i = at + 1;
      continue;
    }
    std::string name(text.substr(at + 1, n));
    auto it = values.find(name);
    if (it == values.end()) Unknown(text, at, name, values, file);
    out += it->second;
    i = at + n + 2;
  }
  return out;
}

}  // namespace tockctl::kernel
