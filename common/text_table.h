// Plain-text tables for people: `boards list`, `devices`, the flash plan, `config show`.
#pragma once

#include <string>
#include <vector>

namespace tockctl {

/// Rows as left-aligned columns two spaces apart, each line starting with `indent` and ending in
/// '\n'; the last cell of a row gets no padding. Widths count bytes, so cells are ASCII.
std::string RenderTextTable(const std::vector<std::vector<std::string>>& rows,
                            const std::string& indent = "");

}  // namespace tockctl
