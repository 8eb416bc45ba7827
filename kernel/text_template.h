// A small template format for generated files: `@NAME@` (NAME of A-Z, 0-9 and _) is replaced by
// a value; every other character, including a lone `@`, is copied as is.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tockctl::kernel {

/// `text` with each `@NAME@` replaced by values.at(NAME). Throws Error(kInvalidInput) naming
/// `file`, the line and the placeholder when a placeholder has no value.
std::string ExpandTemplate(std::string_view text, const std::map<std::string, std::string>& values,
                           const std::string& file);

}  // namespace tockctl::kernel
