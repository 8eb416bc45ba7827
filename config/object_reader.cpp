#include "config/object_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "common/hex.h"

namespace tockctl::config {

std::optional<uint64_t> ParseUnsigned(const OrderedJson& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    auto v = value.get<int64_t>();
    if (v < 0) return std::nullopt;
    return static_cast<uint64_t>(v);
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  std::string_view digits = text;
  if (digits.size() < 3 || digits[0] != '0' || (digits[1] != 'x' && digits[1] != 'X'))
    return std::nullopt;
  digits.remove_prefix(2);
  if (digits[0] == '+' || digits[0] == '-') return std::nullopt;
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out, 16);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return out;
}

std::string Quoted(const std::string& word) { return "\"" + word + "\""; }

std::string JoinWords(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? separator : "") + words[i];
  return out;
}

std::string JsonTypeName(const OrderedJson& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_number_integer()) return "an integer";
  return "a number";
}

ObjectReader::ObjectReader(const OrderedJson& object, std::string pointer, ValidationReport& report)
    : object_(object),
      pointer_(std::move(pointer)),
      report_(report),
      is_object_(object_.is_object()) {
  if (!is_object_)
    report_.Error(pointer_, "expected an object, found " + JsonTypeName(object_), "an object");
}

std::string ObjectReader::PointerOf(const std::string& key) const {
  return pointer_ + "/" + EscapePointerToken(key);
}

bool ObjectReader::Has(const std::string& key) {
  Accept({key});
  return is_object_ && object_.contains(key);
}

const OrderedJson* ObjectReader::Member(const std::string& key, bool required) {
  if (Has(key)) return &object_.at(key);
  if (required && is_object_)
    report_.Error(PointerOf(key), "missing required key \"" + key + "\"",
                  "add \"" + key + "\" to " + (pointer_.empty() ? "/" : pointer_));
  return nullptr;
}

void ObjectReader::TypeError(const std::string& key, const std::string& expected,
                             const OrderedJson& got) {
  report_.Error(PointerOf(key), "expected " + expected + ", found " + JsonTypeName(got), expected);
}

std::optional<std::string> ObjectReader::String(const std::string& key, bool required) {
  const OrderedJson* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    TypeError(key, "a string", *v);
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::string> ObjectReader::Name(const std::string& key, const std::string& valid,
                                              bool required) {
  auto text = String(key, required);
  if (!text || !text->empty()) return text;
  report_.Error(PointerOf(key), key + " must not be empty", valid);
  return std::nullopt;
}

std::optional<std::string> ObjectReader::Enum(const std::string& key,
                                              const std::vector<std::string>& values,
                                              bool required) {
  const OrderedJson* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string() ||
      std::find(values.begin(), values.end(), v->get<std::string>()) == values.end()) {
    report_.Error(PointerOf(key), "unknown " + key + " " + v->dump(), JoinWords(values));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<uint64_t> ObjectReader::Unsigned(const std::string& key, uint64_t min, uint64_t max,
                                               bool required) {
  const OrderedJson* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  std::string range = std::to_string(min) + ".." + std::to_string(max);
  auto n = ParseUnsigned(*v);
  if (!n) {
    report_.Error(PointerOf(key), key + " " + v->dump() + " is not a non-negative integer",
                  "an integer or hex string in " + range);
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    report_.Error(PointerOf(key), key + " " + std::to_string(*n) + " is out of range", range);
    return std::nullopt;
  }
  return n;
}

std::optional<bool> ObjectReader::Bool(const std::string& key, bool required) {
  const OrderedJson* v = Member(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    TypeError(key, "true or false", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

const OrderedJson* ObjectReader::Object(const std::string& key, bool required) {
  const OrderedJson* v = Member(key, required);
  if (v != nullptr && !v->is_object()) {
    TypeError(key, "an object", *v);
    return nullptr;
  }
  return v;
}

const OrderedJson* ObjectReader::Array(const std::string& key, bool required) {
  const OrderedJson* v = Member(key, required);
  if (v != nullptr && !v->is_array()) {
    TypeError(key, "an array", *v);
    return nullptr;
  }
  return v;
}

std::optional<std::vector<std::string>> ObjectReader::StringList(
    const std::string& key, const std::vector<std::string>& allowed, bool required) {
  const OrderedJson* v = Array(key, required);
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const OrderedJson& item = (*v)[i];
    std::string item_pointer = PointerOf(key) + "/" + std::to_string(i);
    if (item.is_string() && item.get<std::string>().empty()) {
      report_.Error(item_pointer, key + " entry must not be empty",
                    allowed.empty() ? "a non-empty string" : JoinWords(allowed));
      out.emplace_back();
      continue;
    }
    bool ok = item.is_string() &&
              (allowed.empty() ||
               std::find(allowed.begin(), allowed.end(), item.get<std::string>()) != allowed.end());
    if (!ok) {
      report_.Error(item_pointer, "unknown " + key + " entry " + item.dump(),
                    allowed.empty() ? "a string" : JoinWords(allowed));
      out.emplace_back();  // keeps the indexes of later entries
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

void ObjectReader::Accept(const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (std::find(known_.begin(), known_.end(), k) == known_.end()) known_.push_back(k);
}

void ObjectReader::WarnUnknownKeys() {
  if (!is_object_) return;
  for (const auto& [key, value] : object_.items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    report_.KeyWarning(PointerOf(key), "unknown key \"" + key + "\" is kept but not used",
                       JoinWords(known_));
  }
}

}  // namespace tockctl::config
