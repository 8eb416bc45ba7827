#include "cli/cli_model.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace tockctl::cli {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t end = 0; (end = text.find(sep, start)) != std::string::npos; start = end + 1)
    parts.push_back(text.substr(start, end - start));
  parts.push_back(text.substr(start));
  return parts;
}

// "TEXT:{auto,always,never}" -> {"auto", "always", "never"}.
std::vector<std::string> ChoicesIn(const std::string& type_name) {
  size_t open = type_name.find('{');
  size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  return Split(type_name.substr(open + 1, close - open - 1), ',');
}

// The argument's own name: the first long name, else the positional name, lower case.
std::string BareName(const CLI::Option& opt) {
  if (!opt.get_lnames().empty()) return opt.get_lnames().front();
  if (opt.get_positional()) return Lower(opt.get_name(true));
  return opt.get_snames().empty() ? "" : opt.get_snames().front();
}

bool HasWord(const std::string& text, const std::string& word) {
  std::string lower = Lower(text);
  for (size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
    bool starts = at == 0 || !std::isalpha(static_cast<unsigned char>(lower[at - 1]));
    size_t end = at + word.size();
    bool ends = end == lower.size() || !std::isalpha(static_cast<unsigned char>(lower[end]));
    if (starts && ends) return true;
  }
  return false;
}

const std::set<std::string>& FileNames() {
  static const std::set<std::string> kNames = {"file",   "files",  "image",    "in",     "input",
                                               "out",    "output", "elf",      "path",   "app",
                                               "config", "write",  "save-raw", "replay", "capture"};
  return kNames;
}

// Kind from the type name segments ("TEXT:FILE", "BOARD") set by type_name() or validators.
ValueKind KindFromTypeName(const std::string& type_name) {
  for (const auto& segment : Split(type_name, ':')) {
    if (segment == "BOARD") return ValueKind::kBoard;
    if (segment == "FILE" || segment.rfind("PATH", 0) == 0) return ValueKind::kFile;
    if (segment == "DIR") return ValueKind::kDirectory;
  }
  return ValueKind::kText;
}

ValueKind KindFromName(const CLI::Option& opt) {
  std::string name = BareName(opt);
  const std::string& description = opt.get_description();
  if (name == "board" || HasWord(description, "board name")) return ValueKind::kBoard;
  if (name.find("dir") != std::string::npos || name == "mount") return ValueKind::kDirectory;
  if (FileNames().count(name) != 0 || HasWord(description, "file")) return ValueKind::kFile;
  return ValueKind::kText;
}

void SetKind(const CLI::Option& opt, ArgumentSpec& arg) {
  std::string type_name = opt.get_type_name();
  arg.choices = ChoicesIn(type_name);
  if (!arg.choices.empty()) {
    arg.kind = ValueKind::kChoice;
    return;
  }
  arg.kind = KindFromTypeName(type_name);
  if (arg.kind == ValueKind::kText) arg.kind = KindFromName(opt);
}

std::string ValueName(const CLI::Option& opt, const ArgumentSpec& arg) {
  if (opt.get_positional()) return opt.get_name(true);
  switch (arg.kind) {
    case ValueKind::kBoard:
      return "BOARD";
    case ValueKind::kFile:
      return "FILE";
    case ValueKind::kDirectory:
      return "DIR";
    case ValueKind::kChoice: {
      std::string upper = BareName(opt);
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      return upper;
    }
    default:
      break;
  }
  std::string first = Split(opt.get_type_name(), ':').front();
  return first.empty() ? "VALUE" : first;
}

ArgumentSpec ArgumentFrom(const CLI::Option& opt) {
  ArgumentSpec arg;
  arg.short_names = opt.get_snames();
  arg.long_names = opt.get_lnames();
  arg.description = opt.get_description();
  arg.required = opt.get_required();
  bool flag = opt.get_expected_max() == 0;
  arg.repeatable = opt.get_expected_max() > 1 ||
                   (flag && opt.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll);
  if (!flag) {
    SetKind(opt, arg);
    arg.value_name = ValueName(opt, arg);
  }
  return arg;
}

bool Hidden(const CLI::Option& opt) { return opt.get_group().empty(); }

void AddArguments(CLI::App& app, CommandSpec& spec) {
  for (const CLI::Option* opt : app.get_options()) {
    if (Hidden(*opt)) continue;
    auto& list = opt->nonpositional() ? spec.options : spec.positionals;
    list.push_back(ArgumentFrom(*opt));
  }
}

CommandSpec Convert(CLI::App& app) {
  CommandSpec spec;
  spec.name = app.get_name();
  spec.description = app.get_description();
  spec.inherits_options = app.get_fallthrough() && app.get_parent() != nullptr;
  spec.requires_subcommand = app.get_require_subcommand_min() > 0;
  AddArguments(app, spec);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name().empty()) {
      AddArguments(*sub, spec);  // an option group
    } else if (!sub->get_group().empty()) {
      spec.subcommands.push_back(Convert(*sub));
      for (const std::string& alias : sub->get_aliases()) {
        CommandSpec copy = spec.subcommands.back();
        copy.name = alias;
        copy.alias_of = sub->get_name();
        spec.subcommands.push_back(std::move(copy));
      }
    }
  }
  return spec;
}

}  // namespace

CommandSpec CommandSpecFromApp(CLI::App& app) { return Convert(app); }

}  // namespace tockctl::cli
