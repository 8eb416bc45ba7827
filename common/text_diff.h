// A unified diff (`diff -u` format) of two texts, line by line.
#pragma once

#include <string>
#include <string_view>

namespace tockctl {

/// The unified diff turning `old_text` into `new_text` with `context` lines around each change,
/// headed `--- old_name` / `+++ new_name`; "" when the texts are equal. Never fails.
std::string UnifiedDiff(std::string_view old_text, std::string_view new_text,
                        const std::string& old_name, const std::string& new_name,
                        size_t context = 3);

}  // namespace tockctl
