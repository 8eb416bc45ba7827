#include "kernel/rust_expr.h"

#include <cstdio>
#include <optional>

namespace tockctl::kernel {
namespace {

constexpr size_t kIndent = 4;

using Lines = std::vector<std::string>;

std::string Pad(size_t n) { return std::string(n, ' '); }

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string Open(const RustExpr& array) { return array.borrowed() ? "&[" : "["; }

std::optional<std::string> OneLine(const RustExpr& e);

// Every item on one line, or nullopt.
std::optional<std::vector<std::string>> OneLineItems(const std::vector<RustExpr>& items) {
  std::vector<std::string> out;
  for (const RustExpr& item : items) {
    auto one = OneLine(item);
    if (!one) return std::nullopt;
    out.push_back(*one);
  }
  return out;
}

std::optional<std::string> OneLineStruct(const RustExpr& e) {
  std::vector<std::string> fields;
  for (const auto& [name, value] : e.fields()) {
    auto one = OneLine(value);
    if (!one) return std::nullopt;
    fields.push_back(name + ": " + *one);
  }
  std::string body = Join(fields, ", ");
  if (body.size() > kRustStructLitWidth) return std::nullopt;
  return e.text() + " { " + body + " }";
}

std::optional<std::string> OneLineArray(const RustExpr& e) {
  auto items = OneLineItems(e.items());
  if (!items) return std::nullopt;
  std::string body = Join(*items, ", ");
  if (body.size() > kRustArrayWidth) return std::nullopt;
  return Open(e) + body + "]";
}

// rustfmt's one-line form, judged by its width heuristics only (not by the line's width).
std::optional<std::string> OneLine(const RustExpr& e) {
  switch (e.kind()) {
    case RustExpr::Kind::kAtom:
      return e.text();
    case RustExpr::Kind::kStruct:
      return OneLineStruct(e);
    case RustExpr::Kind::kArray:
      return OneLineArray(e);
    case RustExpr::Kind::kCall: {
      auto arg = OneLine(e.items().front());
      if (!arg) return std::nullopt;
      return e.text() + "(" + *arg + ")";
    }
  }
  return std::nullopt;
}

Lines Render(const RustExpr& e, size_t indent, size_t lead, size_t trail);

// Appends `sub` (whose first line continues `first`) to `out`, then `suffix` to its last line.
void Append(Lines& out, const std::string& first, const Lines& sub, std::string_view suffix) {
  out.push_back(first + sub.front());
  for (size_t i = 1; i < sub.size(); ++i) out.push_back(sub[i]);
  out.back() += suffix;
}

Lines RenderStruct(const RustExpr& e, size_t indent) {
  Lines out{e.text() + " {"};
  size_t inner = indent + kIndent;
  for (const auto& [name, value] : e.fields()) {
    std::string first = Pad(inner) + name + ": ";
    Append(out, first, Render(value, inner, first.size(), 1), ",");
  }
  out.push_back(Pad(indent) + "}");
  return out;
}

bool AllShort(const std::vector<RustExpr>& items) {
  for (const RustExpr& item : items)
    if (item.kind() != RustExpr::Kind::kAtom || item.text().size() > kRustShortArrayElementWidth)
      return false;
  return !items.empty();
}

// Short items fill lines ("mixed" layout). rustfmt counts ", " after each item but the list's
// last, which only has its trailing ",".
void FillItems(Lines& out, const std::vector<RustExpr>& items, size_t inner) {
  std::string line;
  size_t width = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    size_t piece = items[i].text().size() + (i + 1 == items.size() ? 1 : 2);
    if (width > 0 && inner + width + piece > kRustMaxWidth) {
      out.push_back(Pad(inner) + line);
      line.clear();
      width = 0;
    }
    line += (line.empty() ? "" : " ") + items[i].text() + ",";
    width += piece;
  }
  out.push_back(Pad(inner) + line);
}

Lines RenderArray(const RustExpr& e, size_t indent) {
  if (e.items().size() == 1 && e.items().front().kind() == RustExpr::Kind::kStruct) {
    Lines out = RenderStruct(e.items().front(), indent);  // overflow: `&[Name {` ... `}]`
    out.front() = Open(e) + out.front();
    out.back() += "]";
    return out;
  }
  Lines out{Open(e)};
  size_t inner = indent + kIndent;
  if (AllShort(e.items())) {
    FillItems(out, e.items(), inner);
  } else {
    for (const RustExpr& item : e.items())
      Append(out, Pad(inner), Render(item, inner, inner, 1), ",");
  }
  out.push_back(Pad(indent) + "]");
  return out;
}

Lines RenderCall(const RustExpr& e, size_t indent) {
  const RustExpr& arg = e.items().front();
  if (arg.kind() == RustExpr::Kind::kArray) {  // overflow: `Name(&[` ... `])`
    Lines out = RenderArray(arg, indent);
    out.front() = e.text() + "(" + out.front();
    out.back() += ")";
    return out;
  }
  size_t inner = indent + kIndent;
  Lines out{e.text() + "("};
  Append(out, Pad(inner), Render(arg, inner, inner, 1), ",");
  out.push_back(Pad(indent) + ")");
  return out;
}

// `e` as lines: the first continues a line already `lead` wide; later lines carry their own
// indentation; `trail` characters follow the last line.
Lines Render(const RustExpr& e, size_t indent, size_t lead, size_t trail) {
  if (auto one = OneLine(e); one && lead + one->size() + trail <= kRustMaxWidth) return {*one};
  switch (e.kind()) {
    case RustExpr::Kind::kAtom:
      return {e.text()};
    case RustExpr::Kind::kStruct:
      return RenderStruct(e, indent);
    case RustExpr::Kind::kArray:
      if (e.items().empty()) return {Open(e) + "]"};
      return RenderArray(e, indent);
    case RustExpr::Kind::kCall:
      return RenderCall(e, indent);
  }
  return {};
}

// Decodes one UTF-8 sequence at `i` (advancing it); invalid input becomes U+FFFD.
uint32_t DecodeUtf8(std::string_view s, size_t& i) {
  auto b = static_cast<uint8_t>(s[i++]);
  if (b < 0x80) return b;
  size_t n = (b & 0xe0) == 0xc0 ? 1 : (b & 0xf0) == 0xe0 ? 2 : (b & 0xf8) == 0xf0 ? 3 : 0;
  if (n == 0 || s.size() - i < n) return 0xfffd;
  uint32_t cp = b & (0x7f >> (n + 1));
  for (size_t k = 0; k < n; ++k) {
    auto c = static_cast<uint8_t>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0xfffd;
    cp = (cp << 6) | (c & 0x3f);
  }
  i += n;
  bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  return surrogate || cp > 0x10ffff ? 0xfffd : cp;
}

std::string UnicodeEscape(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\u{%x}", cp);
  return buf;
}

}  // namespace

RustExpr RustExpr::Atom(std::string text) {
  RustExpr e;
  e.text_ = std::move(text);
  return e;
}

RustExpr RustExpr::String(std::string_view value) {
  return Atom("\"" + EscapeRustString(value) + "\"");
}

RustExpr RustExpr::Struct(std::string name, std::vector<std::pair<std::string, RustExpr>> fields) {
  RustExpr e;
  e.kind_ = Kind::kStruct;
  e.text_ = std::move(name);
  e.fields_ = std::move(fields);
  return e;
}

RustExpr RustExpr::Call(std::string name, RustExpr argument) {
  RustExpr e;
  e.kind_ = Kind::kCall;
  e.text_ = std::move(name);
  e.items_.push_back(std::move(argument));
  return e;
}

RustExpr RustExpr::Array(std::vector<RustExpr> items, bool borrowed) {
  RustExpr e;
  e.kind_ = Kind::kArray;
  e.items_ = std::move(items);
  e.borrowed_ = borrowed;
  return e;
}

std::string RenderRustItem(std::string_view head, const RustExpr& expr) {
  Lines out;
  Append(out, std::string(head), Render(expr, 0, head.size(), 1), ";");
  return Join(out, "\n");
}

std::string EscapeRustString(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size();) {
    uint32_t cp = DecodeUtf8(value, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (cp >= 0x20 && cp < 0x7f)
          out += static_cast<char>(cp);
        else
          out += UnicodeEscape(cp);
    }
  }
  return out;
}

}  // namespace tockctl::kernel
