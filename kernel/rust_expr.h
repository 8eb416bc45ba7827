// Rust constant expressions and items written the way rustfmt (default settings, edition 2021)
// formats them, so generated code passes `rustfmt --check` without running rustfmt.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tockctl::kernel {

/// The subset of Rust expressions generated configuration uses: atoms (literals and paths),
/// string literals, struct literals, one-argument calls (`Some(x)`, `Mac([..])`) and arrays.
class RustExpr {
 public:
  /// What the expression is.
  enum class Kind { kAtom, kStruct, kCall, kArray };

  /// A literal or path written as is: `0x30007`, `true`, `IpcBackend::Auto`.
  static RustExpr Atom(std::string text);
  /// A string literal holding `value` (escaped; non-ASCII written as \u{..}).
  static RustExpr String(std::string_view value);
  /// `Name { field: value, ... }` with fields in the given order.
  static RustExpr Struct(std::string name, std::vector<std::pair<std::string, RustExpr>> fields);
  /// `Name(argument)`.
  static RustExpr Call(std::string name, RustExpr argument);
  /// `&[a, b]` when `borrowed`, else `[a, b]`.
  static RustExpr Array(std::vector<RustExpr> items, bool borrowed);

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  const std::vector<std::pair<std::string, RustExpr>>& fields() const { return fields_; }
  const std::vector<RustExpr>& items() const { return items_; }
  bool borrowed() const { return borrowed_; }

 private:
  Kind kind_ = Kind::kAtom;
  std::string text_;  ///< Atom text, struct or call name.
  std::vector<std::pair<std::string, RustExpr>> fields_;
  std::vector<RustExpr> items_;  ///< Array items, or the call's single argument.
  bool borrowed_ = false;
};

/// rustfmt's default limits: line width, and the widths up to which struct literals and arrays
/// stay on one line; array items up to kRustShortArrayElementWidth fill lines instead of one each.
inline constexpr size_t kRustMaxWidth = 100;
inline constexpr size_t kRustStructLitWidth = 18;          ///< Fields of a one-line struct literal.
inline constexpr size_t kRustArrayWidth = 60;              ///< Items of a one-line array.
inline constexpr size_t kRustShortArrayElementWidth = 10;  ///< "Short" array items.

/// `head` followed by `expr` and `;`, e.g. head "pub static IPC: IpcConfig = ", as lines
/// joined with '\n' (no final newline), formatted as rustfmt would at column 0.
std::string RenderRustItem(std::string_view head, const RustExpr& expr);

/// `value` as the contents of a Rust string literal (without the quotes).
std::string EscapeRustString(std::string_view value);

}  // namespace tockctl::kernel
