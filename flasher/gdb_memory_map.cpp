#include "flasher/gdb_memory_map.h"

#include <cstdlib>
#include <optional>
#include <string>

#include "common/byte_reader.h"
#include "common/error.h"
#include "flasher/device_context.h"

namespace tockctl::flasher {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  throw Error(ErrorCategory::kTransport, "the gdb server's memory map is malformed: " + message);
}

// The value of attribute `name` in the start tag `tag` ("<memory type=\"flash\" ...>").
std::optional<std::string> Attribute(std::string_view tag, std::string_view name) {
  for (size_t pos = tag.find(name); pos != std::string_view::npos; pos = tag.find(name, pos + 1)) {
    size_t eq = pos + name.size();
    bool starts_word =
        pos > 0 && (tag[pos - 1] == ' ' || tag[pos - 1] == '\t' || tag[pos - 1] == '\n');
    if (!starts_word || eq + 1 >= tag.size() || tag[eq] != '=') continue;
    char quote = tag[eq + 1];
    if (quote != '"' && quote != '\'') continue;
    size_t close = tag.find(quote, eq + 2);
    if (close == std::string_view::npos) Fail("unterminated attribute " + std::string(name));
    return std::string(tag.substr(eq + 2, close - eq - 2));
  }
  return std::nullopt;
}

uint64_t Number(const std::optional<std::string>& text, const char* what) {
  if (!text || text->empty()) Fail(std::string("flash region without ") + what);
  const std::string& s = *text;
  bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  std::string digits = hex ? s.substr(2) : s;
  if (digits.empty() || digits.size() > (hex ? 16u : 20u) ||
      digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos)
    Fail(std::string(what) + " `" + PrintableText(s) + "` is not a number");
  return std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10);
}

// The blocksize property inside one <memory>...</memory> element body.
std::optional<std::string> BlockSize(std::string_view body) {
  size_t prop = body.find("name=\"blocksize\"");
  if (prop == std::string_view::npos) return std::nullopt;
  size_t gt = body.find('>', prop);
  size_t lt = body.find('<', gt);
  if (gt == std::string_view::npos || lt == std::string_view::npos) Fail("unterminated blocksize");
  std::string value(body.substr(gt + 1, lt - gt - 1));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\n')) value.pop_back();
  while (!value.empty() && (value.front() == ' ' || value.front() == '\n')) value.erase(0, 1);
  return value;
}

}  // namespace

std::vector<GdbFlashRegion> ParseGdbMemoryMap(std::string_view xml) {
  std::vector<GdbFlashRegion> out;
  for (size_t pos = xml.find("<memory"); pos != std::string_view::npos;
       pos = xml.find("<memory", pos + 1)) {
    size_t tag_end = xml.find('>', pos);
    if (tag_end == std::string_view::npos) Fail("unterminated <memory> tag");
    std::string_view tag = xml.substr(pos, tag_end - pos);
    if (tag.rfind("<memory-map", 0) == 0 || Attribute(tag, "type") != "flash") continue;
    size_t close = xml.find("</memory>", tag_end);
    std::string_view body =
        xml.substr(tag_end, close == std::string_view::npos ? 0 : close - tag_end);
    GdbFlashRegion r;
    r.start = Number(Attribute(tag, "start"), "start");
    r.length = Number(Attribute(tag, "length"), "length");
    r.block_size = Number(BlockSize(body), "blocksize");
    if (r.block_size == 0) Fail("flash region with blocksize 0");
    if (!CheckedAdd(r.start, r.length)) Fail("flash region wraps past 2^64");
    out.push_back(r);
  }
  return out;
}

}  // namespace tockctl::flasher
