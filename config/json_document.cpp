#include "config/json_document.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "common/error.h"
#include "common/file_io.h"

namespace tockctl::config {
namespace {

// Walks already-validated JSON text and records where each value and key starts.
class PositionScanner {
 public:
  PositionScanner(std::string_view text, std::map<std::string, SourcePosition>& values,
                  std::map<std::string, SourcePosition>& keys)
      : text_(text), values_(values), keys_(keys) {}

  void Run() {
    SkipSpace();
    Value("");
  }

 private:
  void Value(const std::string& pointer) {
    values_[pointer] = Here();
    char c = Peek();
    if (c == '{') return Object(pointer);
    if (c == '[') return Array(pointer);
    if (c == '"') return (void)String();
    while (pos_ < text_.size() &&
           std::string_view(",]} \t\r\n").find(Peek()) == std::string_view::npos)
      Advance();
  }
  void Object(const std::string& pointer) {
    Advance();
    SkipSpace();
    while (Peek() == '"') {
      SourcePosition key_pos = Here();
      std::string child = pointer + "/" + EscapePointerToken(String());
      keys_[child] = key_pos;
      SkipSpace();
      Advance();  // ':'
      SkipSpace();
      Value(child);
      SkipSpace();
      if (Peek() == ',') Advance(), SkipSpace();
    }
    Advance();  // '}'
  }
  void Array(const std::string& pointer) {
    Advance();
    SkipSpace();
    for (size_t i = 0; Peek() != ']' && pos_ < text_.size(); ++i) {
      Value(pointer + "/" + std::to_string(i));
      SkipSpace();
      if (Peek() == ',') Advance(), SkipSpace();
    }
    Advance();  // ']'
  }
  // Returns the decoded string (escapes other than \" and \\ kept raw is enough for keys).
  std::string String() {
    std::string raw;
    Advance();
    while (pos_ < text_.size() && Peek() != '"') {
      if (Peek() == '\\') raw += Advance();
      raw += Advance();
    }
    Advance();
    return nlohmann::json::parse("\"" + raw + "\"").get<std::string>();
  }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           std::string_view(" \t\r\n").find(Peek()) != std::string_view::npos)
      Advance();
  }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  char Advance() {
    char c = Peek();
    ++pos_;
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
    return c;
  }
  SourcePosition Here() const { return {line_, column_}; }

  std::string_view text_;
  size_t pos_ = 0;
  uint64_t line_ = 1, column_ = 1;
  std::map<std::string, SourcePosition>& values_;
  std::map<std::string, SourcePosition>& keys_;
};

SourcePosition PositionAtOffset(std::string_view text, size_t offset) {
  SourcePosition p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

Error SyntaxError(const std::string& file, std::string_view text, size_t offset,
                  const std::string& message) {
  ErrorContext ctx;
  ctx.file = file;
  SourcePosition p = PositionAtOffset(text, offset);
  ctx.line = p.line;
  ctx.column = p.column;
  return Error(ErrorCategory::kInvalidInput, message, ctx);
}

// Rejects nesting deeper than kMaxJsonDepth before the recursive parts of parsing run.
void CheckDepth(const std::string& file, std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        throw SyntaxError(file, text, i,
                          "JSON nesting deeper than " + std::to_string(kMaxJsonDepth) +
                              " levels; flatten the document");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}

// nlohmann reports the byte after the character that failed; point at the start of the bad
// token instead ("tru" in `"name": tru}`), which is where a person looks.
size_t StartOfBadToken(std::string_view text, size_t error_byte) {
  if (error_byte == 0 || text.empty()) return 0;
  if (error_byte > text.size()) return text.size();  // unexpected end of input
  size_t pos = error_byte - 1;
  if (text[pos] == '"' && pos > 0) {  // a whole string literal was unexpected: its opening quote
    size_t open = text.rfind('"', pos - 1);
    while (open != std::string_view::npos && open > 0 && text[open - 1] == '\\')
      open = text.rfind('"', open - 2);
    return open == std::string_view::npos ? pos : open;
  }
  if (!IsTokenChar(text[pos]) && pos > 0 && IsTokenChar(text[pos - 1])) --pos;
  while (pos > 0 && IsTokenChar(text[pos]) && IsTokenChar(text[pos - 1])) --pos;
  return pos;
}

// Strips the "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
std::string CleanParseMessage(const std::string& what) {
  auto colon = what.find(": ");
  std::string msg = colon == std::string::npos ? what : what.substr(colon + 2);
  if (msg.rfind("syntax error while parsing value - ", 0) == 0) msg = msg.substr(35);
  if (msg.rfind("syntax error while parsing object key - ", 0) == 0) msg = msg.substr(40);
  if (msg.rfind("syntax error while parsing object separator - ", 0) == 0) msg = msg.substr(46);
  if (msg.rfind("syntax error while parsing object - ", 0) == 0) msg = msg.substr(36);
  if (msg.rfind("syntax error while parsing array - ", 0) == 0) msg = msg.substr(35);
  return "malformed JSON: " + msg;
}

// nlohmann throws out_of_range 406 for a number that does not fit in a double ("1e999"), with
// the literal in quotes and no position: find the literal to say where it is.
Error NumberOutOfRange(const std::string& file, std::string_view text, const std::string& what) {
  size_t open = what.find('\'');
  size_t close = what.rfind('\'');
  std::string literal =
      open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
  size_t at = literal.empty() ? std::string_view::npos : text.find(literal);
  return SyntaxError(file, text, at == std::string_view::npos ? 0 : at,
                     "malformed JSON: number " + literal + " is out of range");
}

// Parses `text`, refusing duplicate keys (nlohmann would keep the last one silently).
nlohmann::ordered_json ParseRefusingDuplicates(const std::string& file, std::string_view text) {
  using Json = nlohmann::ordered_json;
  std::vector<std::vector<std::string>> seen;
  size_t key_offset = 0;
  Json::parser_callback_t cb = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) seen.emplace_back();
    if (event == Json::parse_event_t::object_end) seen.pop_back();
    if (event == Json::parse_event_t::key) {
      auto key = parsed.get<std::string>();
      for (const auto& k : seen.back())
        if (k == key) {
          key_offset = text.find("\"" + key + "\"", key_offset);
          throw SyntaxError(file, text, key_offset == std::string_view::npos ? 0 : key_offset,
                            "duplicate key \"" + key + "\" in the same object");
        }
      seen.back().push_back(key);
      key_offset = text.find("\"" + key + "\"", key_offset) + 1;
    }
    return true;
  };
  return Json::parse(text.begin(), text.end(), cb);
}

// Offsets and lengths of the number literals in `text` that overflow a double.
std::vector<std::pair<size_t, size_t>> FindHugeNumbers(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> out;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c != '-' && !std::isdigit(static_cast<unsigned char>(c))) continue;
    size_t end = i;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    std::string literal(text.substr(i, end - i));
    bool number_chars = literal.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (number_chars && std::isinf(std::strtod(literal.c_str(), nullptr)))
      out.emplace_back(i, end - i);
    i = end - 1;
  }
  return out;
}

// The pointer of the value that starts at `position`.
std::string PointerAt(const std::map<std::string, SourcePosition>& values,
                      SourcePosition position) {
  for (const auto& [pointer, at] : values)
    if (at.line == position.line && at.column == position.column) return pointer;
  return "";
}

}  // namespace

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

JsonDocument JsonDocument::Parse(std::string text, std::string file, HugeNumbers huge) {
  JsonDocument doc;
  doc.file_ = std::move(file);
  CheckDepth(doc.file_, text);
  std::string parsed_text = text;  // huge numbers become "null" padded to their length
  std::vector<std::pair<size_t, size_t>> huge_at;
  if (huge == HugeNumbers::kRecord) huge_at = FindHugeNumbers(text);
  for (const auto& [offset, length] : huge_at)
    parsed_text.replace(offset, length, "null" + std::string(length - 4, ' '));
  try {
    doc.root_ = ParseRefusingDuplicates(doc.file_, parsed_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw SyntaxError(doc.file_, text, StartOfBadToken(text, e.byte), CleanParseMessage(e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    throw NumberOutOfRange(doc.file_, text, e.what());
  }
  doc.text_ = std::move(text);
  PositionScanner(doc.text_, doc.value_positions_, doc.key_positions_).Run();
  for (const auto& [offset, length] : huge_at)
    doc.huge_numbers_.push_back(
        {PointerAt(doc.value_positions_, PositionAtOffset(doc.text_, offset)),
         doc.text_.substr(offset, length)});
  return doc;
}

JsonDocument JsonDocument::Load(const std::string& path, HugeNumbers huge) {
  return Parse(ReadFile(path, kMaxJsonFileSize), path, huge);
}

SourcePosition JsonDocument::PositionOf(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = value_positions_.find(p);
    if (it != value_positions_.end()) return it->second;
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return {};
    p.resize(slash);
  }
}

SourcePosition JsonDocument::KeyPositionOf(const std::string& pointer) const {
  auto it = key_positions_.find(pointer);
  return it != key_positions_.end() ? it->second : PositionOf(pointer);
}

std::string FormatJson(const nlohmann::ordered_json& doc) { return doc.dump(2) + "\n"; }

}  // namespace tockctl::config
