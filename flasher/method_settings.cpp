#include "flasher/method_settings.h"

#include <algorithm>

#include "config/flash_methods.h"

namespace tockctl::flasher {

ErrorContext PointerContext(std::string pointer) {
  ErrorContext ctx;
  ctx.json_pointer = std::move(pointer);
  return ctx;
}

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  size_t start = hex ? 2 : 0;
  if (text.size() <= start || text.size() - start > (hex ? 16u : 19u)) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    int d = (c >= '0' && c <= '9')          ? c - '0'
            : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                            : -1;
    if (d < 0) return std::nullopt;
    v = v * (hex ? 16 : 10) + static_cast<uint64_t>(d);
  }
  return v;
}

MethodSettingsReader::MethodSettingsReader(const nlohmann::ordered_json& method,
                                           std::string method_name, std::string pointer_prefix)
    : method_(method), name_(std::move(method_name)), prefix_(std::move(pointer_prefix)) {
  if (!method_.is_object())
    throw Error(ErrorCategory::kInvalidInput, "the " + name_ + " flash method must be an object",
                PointerContext(prefix_));
  const config::FlashMethodSpec* spec = config::FindFlashMethodSpec(name_);
  if (!spec) throw Error(ErrorCategory::kInternal, "no flash method `" + name_ + "` in the table");
  std::string known = "method, note";
  for (const auto& k : spec->keys) known += std::string(", ") + k.key;
  for (const auto& item : method_.items()) {
    const std::string& key = item.key();  // a named variable: clang 14 cannot capture bindings
    bool ok = key == "method" || key == "note" ||
              std::any_of(spec->keys.begin(), spec->keys.end(),
                          [&](const config::MethodKey& k) { return key == k.key; });
    if (!ok)
      throw Error(ErrorCategory::kInvalidInput,
                  "unknown key \"" + key + "\" in the " + name_ + " flash method",
                  PointerContext(prefix_ + "/" + key), "known keys: " + known);
  }
}

void MethodSettingsReader::Fail(const std::string& key, const std::string& what) const {
  throw Error(ErrorCategory::kInvalidInput,
              "\"" + key + "\" in the " + name_ + " flash method must be " + what,
              PointerContext(prefix_ + "/" + key));
}

const nlohmann::ordered_json* MethodSettingsReader::Find(const std::string& key) const {
  auto it = method_.find(key);
  return it == method_.end() ? nullptr : &*it;
}

std::optional<std::string> MethodSettingsReader::String(const std::string& key) const {
  const auto* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) Fail(key, "a string");
  return v->get<std::string>();
}

std::optional<bool> MethodSettingsReader::Boolean(const std::string& key) const {
  const auto* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) Fail(key, "true or false");
  return v->get<bool>();
}

std::optional<uint64_t> MethodSettingsReader::Integer(const std::string& key) const {
  const auto* v = Find(key);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_string())
    if (auto parsed = ParseUnsigned(v->get<std::string>())) return parsed;
  Fail(key, "a non-negative integer (a number or a \"0x...\" string)");
}

std::optional<std::vector<std::string>> MethodSettingsReader::Strings(
    const std::string& key) const {
  const auto* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) Fail(key, "an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) Fail(key, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::vector<std::string>> MethodSettingsReader::StringList(
    const std::string& key) const {
  const auto* v = Find(key);
  if (v && v->is_string()) return std::vector<std::string>{v->get<std::string>()};
  return Strings(key);
}

std::optional<std::pair<uint16_t, uint16_t>> MethodSettingsReader::VidPid(
    const std::string& key) const {
  auto text = String(key);
  if (!text) return std::nullopt;
  auto colon = text->find(':');
  auto vid = colon == 4 ? ParseUnsigned("0x" + text->substr(0, 4)) : std::nullopt;
  auto pid = colon == 4 && text->size() == 9 ? ParseUnsigned("0x" + text->substr(5)) : std::nullopt;
  if (!vid || !pid) Fail(key, "\"VID:PID\" with four hex digits each, like \"0483:df11\"");
  return std::make_pair(static_cast<uint16_t>(*vid), static_cast<uint16_t>(*pid));
}

}  // namespace tockctl::flasher
