#include "config/config_editor.h"

#include <algorithm>
#include <map>

#include "common/error.h"
#include "common/file_io.h"
#include "config/board_catalog.h"
#include "config/config_validator.h"
#include "config/object_reader.h"

namespace tockctl::config {
namespace {

using Json = nlohmann::ordered_json;
using Pointer = Json::json_pointer;

[[noreturn]] void UsageError(const std::string& pointer, const std::string& message,
                             const std::string& hint = {}) {
  ErrorContext ctx;
  ctx.json_pointer = pointer;
  throw Error(ErrorCategory::kUsage, message, ctx, hint);
}

std::string KeysOf(const Json& value) {
  std::vector<std::string> keys;
  if (value.is_object())
    for (const auto& [k, v] : value.items()) keys.push_back(k);
  if (value.is_array() && !value.empty()) keys.push_back("0.." + std::to_string(value.size() - 1));
  return keys.empty() ? "none" : JoinWords(keys);
}

// Splits a pointer into its unescaped reference tokens.
std::vector<std::string> Tokens(const std::string& pointer) {
  Pointer p = ParsePointer(pointer);
  std::vector<std::string> tokens;
  while (!p.empty()) {
    tokens.insert(tokens.begin(), p.back());
    p.pop_back();
  }
  return tokens;
}

std::optional<size_t> ArrayIndex(const std::string& token) {
  if (token.empty() || token.size() > 9 || !std::all_of(token.begin(), token.end(), ::isdigit))
    return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  return std::stoul(token);
}

std::string Prefix(const std::vector<std::string>& tokens, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += "/" + EscapePointerToken(tokens[i]);
  return out;
}

// Walks to the parent of the last token, creating missing objects when `create` is set.
Json& Parent(Json& root, const std::vector<std::string>& tokens, const std::string& pointer,
             bool create) {
  Json* cur = &root;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    std::string here = Prefix(tokens, i);
    if (cur->is_object()) {
      if (!cur->contains(t)) {
        if (!create) UsageError(pointer, "no value at " + Prefix(tokens, i + 1));
        (*cur)[t] = Json::object();
      }
      cur = &(*cur)[t];
    } else if (cur->is_array()) {
      auto index = ArrayIndex(t);
      if (!index || *index >= cur->size())
        UsageError(pointer, "no element " + t + " in the array at " + (here.empty() ? "/" : here),
                   "valid indexes: " + KeysOf(*cur));
      cur = &(*cur)[*index];
    } else {
      UsageError(pointer, (here.empty() ? "/" : here) + " is " + JsonTypeName(*cur) +
                              ", not an object or array");
    }
  }
  return *cur;
}

}  // namespace

Pointer ParsePointer(const std::string& text) {
  try {
    return Pointer(text);
  } catch (const nlohmann::json::exception&) {
    UsageError("", "malformed JSON pointer \"" + text + "\"",
               "a pointer is empty or starts with '/', e.g. /ipc/backend");
  }
}

const Json& GetValue(const JsonDocument& doc, const std::string& pointer) {
  std::vector<std::string> tokens = Tokens(pointer);
  const Json* cur = &doc.root();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const Json* next = nullptr;
    if (cur->is_object() && cur->contains(t)) next = &(*cur)[t];
    auto index = ArrayIndex(t);
    if (cur->is_array() && index && *index < cur->size()) next = &(*cur)[*index];
    if (next == nullptr) {
      std::string here = Prefix(tokens, i);
      UsageError(pointer, "no value at " + Prefix(tokens, i + 1),
                 (here.empty() ? std::string("/") : here) + " has: " + KeysOf(*cur));
    }
    cur = next;
  }
  return *cur;
}

Json ParseValueArgument(const std::string& text) {
  int depth = 0, deepest = 0;
  for (char c : text) {
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    if (c == ']' || c == '}') --depth;
  }
  if (deepest > kMaxJsonDepth)
    throw Error(ErrorCategory::kInvalidInput, "VALUE nests " + std::to_string(deepest) +
                                                  " levels deep, more than the limit of " +
                                                  std::to_string(kMaxJsonDepth));
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    return Json(text);
  }
}

void SetValue(Json& root, const std::string& pointer, Json value) {
  std::vector<std::string> tokens = Tokens(pointer);
  if (tokens.empty()) UsageError(pointer, "cannot replace the whole document", "a pointer below /");
  Json& parent = Parent(root, tokens, pointer, true);
  const std::string& last = tokens.back();
  if (parent.is_object()) {
    parent[last] = std::move(value);
    return;
  }
  if (!parent.is_array())
    UsageError(pointer, Prefix(tokens, tokens.size() - 1) + " is " + JsonTypeName(parent) +
                            ", not an object or array");
  auto index = last == "-" ? std::optional<size_t>(parent.size()) : ArrayIndex(last);
  if (!index || *index > parent.size())
    UsageError(pointer, "no element " + last + " in the array",
               "valid indexes: " + KeysOf(parent) + ", or - to append");
  if (*index == parent.size())
    parent.push_back(std::move(value));
  else
    parent[*index] = std::move(value);
}

void UnsetValue(Json& root, const std::string& pointer) {
  std::vector<std::string> tokens = Tokens(pointer);
  if (tokens.empty()) UsageError(pointer, "cannot remove the whole document", "a pointer below /");
  Json& parent = Parent(root, tokens, pointer, false);
  const std::string& last = tokens.back();
  std::string where = Prefix(tokens, tokens.size() - 1);
  if (parent.is_object() && parent.contains(last)) {
    parent.erase(last);
    return;
  }
  auto index = ArrayIndex(last);
  if (parent.is_array() && index && *index < parent.size()) {
    parent.erase(*index);
    return;
  }
  UsageError(pointer, "no value at " + pointer,
             (where.empty() ? std::string("/") : where) + " has: " + KeysOf(parent));
}

namespace {

// Errors in `after` that `before` did not have (compared by pointer and message).
std::vector<Finding> IntroducedErrors(const ValidationReport& before,
                                      const ValidationReport& after) {
  std::map<std::pair<std::string, std::string>, int> old;
  for (const Finding& f : before.findings())
    if (f.severity == Severity::kError) ++old[{f.pointer, f.message}];
  std::vector<Finding> out;
  for (const Finding& f : after.findings()) {
    if (f.severity != Severity::kError) continue;
    int& n = old[{f.pointer, f.message}];
    if (n > 0)
      --n;
    else
      out.push_back(f);
  }
  return out;
}

bool IsUnknownKey(const Finding& f) {
  return f.severity == Severity::kWarning && f.message.rfind("unknown key \"", 0) == 0;
}

// The known key closest to `key` among `valid` ("a, b, c"), or "" when none is close.
std::string ClosestKey(const std::string& key, const std::string& valid) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, key.size() / 3) + 1;
  for (size_t start = 0; start < valid.size();) {
    size_t end = std::min(valid.find(", ", start), valid.size());
    std::string candidate = valid.substr(start, end - start);
    if (size_t d = EditDistance(key, candidate); d < best_distance) {
      best = candidate;
      best_distance = d;
    }
    start = end + 2;
  }
  return best;
}

// Unknown keys in `after` that `before` did not have, as errors naming the closest known key.
std::vector<Finding> IntroducedUnknownKeys(const ValidationReport& before,
                                           const ValidationReport& after) {
  std::vector<Finding> out;
  for (const Finding& f : after.findings()) {
    if (!IsUnknownKey(f)) continue;
    bool old =
        std::any_of(before.findings().begin(), before.findings().end(),
                    [&](const Finding& b) { return IsUnknownKey(b) && b.pointer == f.pointer; });
    if (old) continue;
    std::string key = f.pointer.substr(f.pointer.rfind('/') + 1);
    std::string closest = ClosestKey(key, f.valid);
    Finding error = f;
    error.severity = Severity::kError;
    error.message = "unknown key \"" + key + "\"" +
                    (closest.empty() ? "" : "; did you mean \"" + closest + "\"?");
    out.push_back(error);
  }
  return out;
}

}  // namespace

EditOutcome EditConfigFile(const std::string& path, bool force,
                           const std::function<void(Json&)>& edit, const BoardCatalog* catalog) {
  JsonDocument doc = JsonDocument::Load(path);
  CheckWritable(path);
  Json root = doc.root();
  edit(root);
  JsonDocument edited = JsonDocument::Parse(FormatJson(root), path);
  EditOutcome out;
  out.report = CheckBoardConfig(edited, catalog).report;
  ValidationReport before = CheckBoardConfig(doc, catalog).report;
  out.introduced = IntroducedErrors(before, out.report);
  for (Finding& f : IntroducedUnknownKeys(before, out.report)) out.introduced.push_back(f);
  if (!out.introduced.empty() && !force) return out;
  WriteFileAtomic(path, edited.text());
  out.written = true;
  return out;
}

namespace {

bool SameScalar(const Json& a, const Json& b) {
  if (a == b) return true;
  bool mixed = (a.is_string() && b.is_number_integer()) || (b.is_string() && a.is_number_integer());
  if (!mixed) return false;
  const Json& text = a.is_string() ? a : b;
  if (text.get_ref<const std::string&>().rfind("0x", 0) != 0) return false;
  auto x = ParseUnsigned(a), y = ParseUnsigned(b);
  return x && y && *x == *y;
}

void Diff(const Json& a, const Json& b, const std::string& pointer, std::vector<JsonChange>& out) {
  using K = JsonChange::Kind;
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      std::string p = pointer + "/" + EscapePointerToken(k);
      if (b.contains(k))
        Diff(v, b[k], p, out);
      else
        out.push_back({K::kRemoved, p, v, nullptr});
    }
    for (const auto& [k, v] : b.items())
      if (!a.contains(k))
        out.push_back({K::kAdded, pointer + "/" + EscapePointerToken(k), nullptr, v});
    return;
  }
  if (a.is_array() && b.is_array()) {
    size_t common = std::min(a.size(), b.size());
    for (size_t i = 0; i < common; ++i) Diff(a[i], b[i], pointer + "/" + std::to_string(i), out);
    for (size_t i = common; i < a.size(); ++i)
      out.push_back({K::kRemoved, pointer + "/" + std::to_string(i), a[i], nullptr});
    for (size_t i = common; i < b.size(); ++i)
      out.push_back({K::kAdded, pointer + "/" + std::to_string(i), nullptr, b[i]});
    return;
  }
  if (!SameScalar(a, b)) out.push_back({K::kChanged, pointer, a, b});
}

std::string Compact(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::vector<JsonChange> DiffJson(const Json& a, const Json& b) {
  std::vector<JsonChange> out;
  Diff(a, b, "", out);
  return out;
}

std::string FormatChanges(const std::vector<JsonChange>& changes) {
  std::string out;
  for (const JsonChange& c : changes) {
    std::string p = c.pointer.empty() ? "/" : c.pointer;
    switch (c.kind) {
      case JsonChange::Kind::kAdded:
        out += "+ " + p + ": " + Compact(c.after) + "\n";
        break;
      case JsonChange::Kind::kRemoved:
        out += "- " + p + ": " + Compact(c.before) + "\n";
        break;
      case JsonChange::Kind::kChanged:
        out += "~ " + p + ": " + Compact(c.before) + " -> " + Compact(c.after) + "\n";
        break;
    }
  }
  return out;
}

nlohmann::json ChangesToJson(const std::vector<JsonChange>& changes) {
  nlohmann::json out = nlohmann::json::array();
  for (const JsonChange& c : changes) {
    nlohmann::json item;
    const char* kind = c.kind == JsonChange::Kind::kAdded     ? "added"
                       : c.kind == JsonChange::Kind::kRemoved ? "removed"
                                                              : "changed";
    item["change"] = kind;
    item["pointer"] = c.pointer.empty() ? "/" : c.pointer;
    if (c.kind != JsonChange::Kind::kAdded) item["before"] = nlohmann::json::parse(c.before.dump());
    if (c.kind != JsonChange::Kind::kRemoved) item["after"] = nlohmann::json::parse(c.after.dump());
    out.push_back(item);
  }
  return out;
}

}  // namespace tockctl::config
