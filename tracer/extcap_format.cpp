#include "tracer/extcap_format.h"

namespace tockctl::tracer {
namespace {

const char* TypeName(ExtcapArgType type) {
  switch (type) {
    case ExtcapArgType::kInteger:
      return "integer";
    case ExtcapArgType::kString:
      return "string";
    case ExtcapArgType::kBoolFlag:
      return "boolflag";
    case ExtcapArgType::kFileSelect:
      return "fileselect";
  }
  return "string";
}

std::string Param(std::string_view name, std::string_view value) {
  return "{" + std::string(name) + "=" + ExtcapText(value) + "}";
}

std::string ArgLine(size_t number, const ExtcapArg& arg) {
  std::string line = "arg " + Param("number", std::to_string(number)) + Param("call", arg.call) +
                     Param("display", arg.display) + Param("tooltip", arg.tooltip) +
                     Param("type", TypeName(arg.type));
  if (!arg.range.empty()) line += Param("range", arg.range);
  if (!arg.default_value.empty()) line += Param("default", arg.default_value);
  if (arg.type == ExtcapArgType::kFileSelect) line += Param("mustexist", "false");
  if (!arg.group.empty()) line += Param("group", arg.group);
  return line + "\n";
}

}  // namespace

std::string ExtcapText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '{') {
      out += '(';
    } else if (c == '}') {
      out += ')';
    } else if (u < 0x20 || u == 0x7f) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderExtcapHeader(std::string_view version, std::string_view help) {
  return "extcap " + Param("version", version) + Param("help", help) + "\n";
}

std::string RenderExtcapInterfaces(const std::vector<ExtcapInterface>& interfaces) {
  std::string out;
  for (const auto& i : interfaces) {
    out += "interface " + Param("value", i.value) + Param("display", i.display) + "\n";
  }
  return out;
}

std::string RenderExtcapDlts(const std::vector<ExtcapDlt>& dlts) {
  std::string out;
  for (const auto& d : dlts) {
    out += "dlt " + Param("number", std::to_string(d.number)) + Param("name", d.name) +
           Param("display", d.display) + "\n";
  }
  return out;
}

std::string RenderExtcapConfig(const std::vector<ExtcapArg>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) out += ArgLine(i, args[i]);
  return out;
}

}  // namespace tockctl::tracer
