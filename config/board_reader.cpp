#include "config/board_reader.h"

#include <algorithm>
#include <cstdio>

#include "common/error.h"
#include "common/hex.h"

namespace tockctl::config {
namespace {

constexpr const char* kHexExpected = "expected a hex string like \"0x20000000\" or an integer";

std::string ParseHexText(const std::string& text, uint64_t& out) {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return kHexExpected;
  uint64_t value = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    int digit = HexDigitValue(text[i]);
    if (digit < 0) return kHexExpected;
    if (value > (std::numeric_limits<uint64_t>::max() >> 4))
      return "value \"" + text + "\" does not fit in 64 bits";
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  out = value;
  return {};
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

std::string BoardJsonTypeName(const nlohmann::ordered_json& value) {
  if (value.is_object()) return "object";
  if (value.is_array()) return "array";
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_null()) return "null";
  if (value.is_number_integer()) return "integer";
  return "number";
}

std::string ParseBoardUnsigned(const nlohmann::ordered_json& value, uint64_t& out) {
  if (value.is_number_unsigned()) {
    out = value.get<uint64_t>();
    return {};
  }
  if (value.is_number_integer()) {
    if (value.get<int64_t>() < 0) return "expected a non-negative value, got " + value.dump();
    out = static_cast<uint64_t>(value.get<int64_t>());
    return {};
  }
  if (value.is_string()) return ParseHexText(value.get<std::string>(), out);
  return kHexExpected;
}

std::string FormatBoardHex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

void BoardObjectReader::Fail(const JsonDocument& doc, const std::string& pointer,
                             const std::string& message, const std::string& valid) {
  SourcePosition pos = doc.PositionOf(pointer);
  ErrorContext ctx;
  ctx.file = doc.file();
  ctx.line = pos.line;
  ctx.column = pos.column;
  ctx.json_pointer = pointer.empty() ? "/" : pointer;
  throw Error(ErrorCategory::kInvalidInput, message, ctx, valid.empty() ? "" : "valid: " + valid);
}

BoardObjectReader::BoardObjectReader(const JsonDocument& doc, const Json& value,
                                     std::string pointer, std::vector<BoardWarning>& warnings)
    : doc_(doc), value_(value), pointer_(std::move(pointer)), warnings_(warnings) {
  if (!value_.is_object())
    Fail(doc_, pointer_, "expected an object, got " + BoardJsonTypeName(value_), "an object");
}

std::string BoardObjectReader::PointerOf(const std::string& key) const {
  return pointer_ + "/" + EscapePointerToken(key);
}

void BoardObjectReader::FailAt(const std::string& key, const std::string& message,
                               const std::string& valid) const {
  Fail(doc_, PointerOf(key), message, valid);
}

void BoardObjectReader::MarkKnown(const std::string& key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
}

void BoardObjectReader::Accept(const std::vector<std::string>& keys) {
  for (const auto& key : keys) MarkKnown(key);
}

const BoardObjectReader::Json* BoardObjectReader::Find(const std::string& key, bool required) {
  MarkKnown(key);
  auto it = value_.find(key);
  if (it != value_.end()) return &*it;
  if (required)
    FailAt(key, "missing required key \"" + key + "\"",
           "add \"" + key + "\" to " + (pointer_.empty() ? "/" : pointer_));
  return nullptr;
}

std::optional<std::string> BoardObjectReader::OptionalString(const std::string& key) {
  const Json* v = Find(key, false);
  if (!v) return std::nullopt;
  if (!v->is_string()) FailAt(key, "expected a string, got " + BoardJsonTypeName(*v), "a string");
  return v->get<std::string>();
}

std::string BoardObjectReader::String(const std::string& key) {
  Find(key, true);
  std::string s = *OptionalString(key);
  if (s.empty()) FailAt(key, "must not be empty", "a non-empty string");
  return s;
}

std::string BoardObjectReader::Enum(const std::string& key,
                                    const std::vector<std::string>& values) {
  std::string s = String(key);
  if (std::find(values.begin(), values.end(), s) == values.end())
    FailAt(key, "unknown value \"" + s + "\"", Join(values));
  return s;
}

std::optional<uint64_t> BoardObjectReader::OptionalUnsigned(const std::string& key, uint64_t max) {
  const Json* v = Find(key, false);
  if (!v) return std::nullopt;
  uint64_t out = 0;
  if (std::string why = ParseBoardUnsigned(*v, out); !why.empty())
    FailAt(key, why, "an integer or a hex string like \"0x20000000\"");
  if (out > max)
    FailAt(key, "value " + FormatBoardHex(out) + " is larger than " + FormatBoardHex(max),
           "at most " + FormatBoardHex(max));
  return out;
}

uint64_t BoardObjectReader::Unsigned(const std::string& key, uint64_t max) {
  Find(key, true);
  return *OptionalUnsigned(key, max);
}

uint64_t BoardObjectReader::Integer(const std::string& key, uint64_t min, uint64_t max) {
  const Json* v = Find(key, true);
  uint64_t out = 0;
  if (!ParseBoardUnsigned(*v, out).empty() || out < min || out > max)
    FailAt(key,
           "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
               ", got " + v->dump(),
           std::to_string(min) + ".." + std::to_string(max));
  return out;
}

std::optional<bool> BoardObjectReader::OptionalBool(const std::string& key) {
  const Json* v = Find(key, false);
  if (!v) return std::nullopt;
  if (!v->is_boolean())
    FailAt(key, "expected true or false, got " + BoardJsonTypeName(*v), "true or false");
  return v->get<bool>();
}

bool BoardObjectReader::Bool(const std::string& key) {
  Find(key, true);
  return *OptionalBool(key);
}

BoardObjectReader BoardObjectReader::Object(const std::string& key) {
  const Json* v = Find(key, true);
  return BoardObjectReader(doc_, *v, PointerOf(key), warnings_);
}

const BoardObjectReader::Json& BoardObjectReader::Array(const std::string& key) {
  const Json* v = Find(key, true);
  if (!v->is_array()) FailAt(key, "expected an array, got " + BoardJsonTypeName(*v), "an array");
  return *v;
}

void BoardObjectReader::WarnUnknownKeys() {
  for (const auto& item : value_.items()) {
    if (std::find(known_.begin(), known_.end(), item.key()) != known_.end()) continue;
    std::string pointer = PointerOf(item.key());
    warnings_.push_back({pointer, doc_.KeyPositionOf(pointer),
                         "unknown key \"" + item.key() + "\" is kept but not used", Join(known_)});
  }
}

}  // namespace tockctl::config
