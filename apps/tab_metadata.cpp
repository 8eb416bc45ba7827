#include "apps/tab_metadata.h"

#include <cctype>
#include <set>
#include <sstream>

#include "common/error.h"

namespace tockctl::apps {
namespace {

Error TomlError(const std::string& what, size_t line, size_t column, const std::string& message) {
  ErrorContext ctx;
  ctx.file = what;
  ctx.line = line;
  ctx.column = column;
  return Error(ErrorCategory::kInvalidInput, message, ctx,
               "metadata.toml holds `key = \"string\"`, integers, booleans and arrays of strings");
}

// A bare TOML date or time ("2024-05-01T10:11:12Z"), kept as its text.
bool IsTomlDateTime(const std::string& token) {
  return !token.empty() && std::isdigit(static_cast<unsigned char>(token[0])) != 0 &&
         token.find_first_of("-:") != std::string::npos &&
         token.find_first_not_of("0123456789-:TZtz.+") == std::string::npos;
}

// A cursor over one line of TOML.
class TomlLine {
 public:
  TomlLine(const std::string& text, size_t line, const std::string& what)
      : text_(text), line_(line), what_(what) {}

  void SkipBlanks() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool AtEnd() {
    SkipBlanks();
    return pos_ >= text_.size() || text_[pos_] == '#';
  }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  Error Fail(const std::string& message) const {
    return TomlError(what_, line_, pos_ + 1, message);
  }
  void Expect(char c) {
    SkipBlanks();
    if (Peek() != c) throw Fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  std::string Key() {
    SkipBlanks();
    if (Peek() == '"' || Peek() == '\'') return QuotedString();
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 ||
                                   text_[pos_] == '-' || text_[pos_] == '_' || text_[pos_] == '.'))
      ++pos_;
    if (start == pos_) throw Fail("expected a key");
    return text_.substr(start, pos_ - start);
  }

  TomlValue Value() {
    SkipBlanks();
    const char c = Peek();
    if (c == '"' || c == '\'') return QuotedString();
    if (c == '[') return StringArray();
    return Bare();
  }

 private:
  std::string QuotedString() {
    const char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (quote == '"' && text_[pos_] == '\\') {
        out += Escape();
        continue;
      }
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) throw Fail("unterminated string");
    ++pos_;
    return out;
  }

  std::string Escape() {
    ++pos_;
    const char c = Peek();
    ++pos_;
    switch (c) {
      case 'n':
        return "\n";
      case 't':
        return "\t";
      case '"':
        return "\"";
      case '\\':
        return "\\";
      default:
        --pos_;
        throw Fail(std::string("unsupported escape \\") + (c == '\0' ? ' ' : c));
    }
  }

  std::vector<std::string> StringArray() {
    ++pos_;
    std::vector<std::string> out;
    for (;;) {
      SkipBlanks();
      if (Peek() == ']') break;
      if (Peek() != '"' && Peek() != '\'') throw Fail("arrays hold strings only here");
      out.push_back(QuotedString());
      SkipBlanks();
      if (Peek() == ',')
        ++pos_;
      else if (Peek() != ']')
        throw Fail("expected ',' or ']'");
    }
    ++pos_;
    return out;
  }

  // true, false, an integer, or a date/time (kept as its text).
  TomlValue Bare() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ' ' && text_[pos_] != '\t' && text_[pos_] != '#')
      ++pos_;
    const std::string token = text_.substr(start, pos_ - start);
    if (token == "true" || token == "false") return token == "true";
    if (auto n = Integer(token)) return *n;
    if (IsTomlDateTime(token)) return token;
    pos_ = start;
    throw Fail("expected a string, integer, boolean, date or array of strings");
  }

  static std::optional<int64_t> Integer(const std::string& token) {
    if (token.empty() || token.size() > 18) return std::nullopt;
    size_t i = (token[0] == '-' || token[0] == '+') ? 1 : 0;
    if (i == token.size()) return std::nullopt;
    int64_t v = 0;
    for (; i < token.size(); ++i) {
      if (token[i] == '_') continue;
      if (std::isdigit(static_cast<unsigned char>(token[i])) == 0) return std::nullopt;
      v = v * 10 + (token[i] - '0');
    }
    return token[0] == '-' ? -v : v;
  }

  const std::string& text_;
  size_t pos_ = 0;
  size_t line_;
  const std::string& what_;
};

std::string TableName(TomlLine& line) {
  line.Expect('[');
  std::string name = line.Key();
  line.Expect(']');
  return name;
}

}  // namespace

std::vector<TomlEntry> ParseToml(const std::string& text, const std::string& what) {
  std::vector<TomlEntry> out;
  std::set<std::string> seen;
  std::string table;
  std::istringstream in(text);
  std::string raw;
  for (size_t number = 1; std::getline(in, raw); ++number) {
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    TomlLine line(raw, number, what);
    if (line.AtEnd()) continue;
    if (line.Peek() == '[') {
      table = TableName(line) + ".";
    } else {
      TomlEntry e{table + line.Key(), {}, number};
      line.Expect('=');
      e.value = line.Value();
      if (!seen.insert(e.key).second) throw line.Fail("key \"" + e.key + "\" is defined twice");
      out.push_back(std::move(e));
    }
    if (!line.AtEnd()) throw line.Fail("unexpected text after the value");
  }
  return out;
}

namespace {

template <typename T>
const T& Expect(const TomlEntry& e, const char* type, const std::string& what) {
  if (const T* v = std::get_if<T>(&e.value)) return *v;
  throw TomlError(what, e.line, 1, "\"" + e.key + "\" must be " + type);
}

std::vector<std::string> BoardList(const TomlEntry& e, const std::string& what) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&e.value)) return *list;
  std::vector<std::string> out;
  std::istringstream in(Expect<std::string>(e, "a string or an array of strings", what));
  for (std::string name; std::getline(in, name, ',');) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

void TakeKey(TabMetadata& m, const TomlEntry& e, const std::string& what) {
  if (e.key == "tab-version")
    m.tab_version = Expect<int64_t>(e, "an integer", what);
  else if (e.key == "name")
    m.name = Expect<std::string>(e, "a string", what);
  else if (e.key == "only-for-boards")
    m.only_for_boards = BoardList(e, what);
  else if (e.key == "build-date")
    m.build_date = Expect<std::string>(e, "a date or string", what);
  else if (e.key == "minimum-tock-kernel-version")
    m.minimum_tock_kernel_version = Expect<std::string>(e, "a string", what);
  else if (e.key == "tock-kernel-version")
    m.tock_kernel_version = Expect<std::string>(e, "a string", what);
  else if (e.key == "minimum-ram-size")
    m.minimum_ram_size = Expect<int64_t>(e, "an integer", what);
  else
    m.other[e.key] = e.value;
}

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string TabMetadata::KernelVersion() const {
  return tock_kernel_version.empty() ? minimum_tock_kernel_version : tock_kernel_version;
}

TabMetadata ParseTabMetadata(const std::string& text, const std::string& what) {
  TabMetadata m;
  for (const TomlEntry& e : ParseToml(text, what)) TakeKey(m, e, what);
  return m;
}

std::string WriteTabMetadata(const TabMetadata& m) {
  std::string out;
  if (m.tab_version) out += "tab-version = " + std::to_string(*m.tab_version) + "\n";
  out += "name = " + TomlString(m.name) + "\n";
  std::string boards;
  for (const std::string& b : m.only_for_boards) boards += (boards.empty() ? "" : ",") + b;
  out += "only-for-boards = " + TomlString(boards) + "\n";
  if (!m.build_date.empty())
    out +=
        "build-date = " + (IsTomlDateTime(m.build_date) ? m.build_date : TomlString(m.build_date)) +
        "\n";
  if (!m.minimum_tock_kernel_version.empty())
    out += "minimum-tock-kernel-version = " + TomlString(m.minimum_tock_kernel_version) + "\n";
  if (!m.tock_kernel_version.empty())
    out += "tock-kernel-version = " + TomlString(m.tock_kernel_version) + "\n";
  if (m.minimum_ram_size) out += "minimum-ram-size = " + std::to_string(*m.minimum_ram_size) + "\n";
  return out;
}

nlohmann::json TomlValueToJson(const TomlValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

}  // namespace tockctl::apps
