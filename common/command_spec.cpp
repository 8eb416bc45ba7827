#include "common/command_spec.h"

#include <algorithm>

namespace tockctl {
namespace {

bool SharesAName(const ArgumentSpec& a, const ArgumentSpec& b) {
  auto names_a = DashedNames(a);
  for (const auto& name : DashedNames(b))
    if (std::find(names_a.begin(), names_a.end(), name) != names_a.end()) return true;
  return false;
}

std::vector<const ArgumentSpec*> OptionsOf(const CommandSpec& command,
                                           const std::vector<const ArgumentSpec*>& inherited) {
  std::vector<const ArgumentSpec*> options;
  for (const auto& opt : command.options) options.push_back(&opt);
  if (!command.inherits_options) return options;
  for (const ArgumentSpec* outer : inherited) {
    bool shadowed = std::any_of(command.options.begin(), command.options.end(),
                                [&](const ArgumentSpec& own) { return SharesAName(own, *outer); });
    if (!shadowed) options.push_back(outer);
  }
  return options;
}

void Visit(const CommandSpec& command, const CommandVisit& parent,
           const std::function<void(const CommandVisit&)>& fn) {
  CommandVisit visit;
  visit.path = parent.path;
  visit.path.push_back(command.name);
  visit.command = &command;
  visit.options = OptionsOf(command, parent.options);
  fn(visit);
  for (const auto& sub : command.subcommands) Visit(sub, visit, fn);
}

}  // namespace

void VisitCommands(const CommandSpec& root, const std::function<void(const CommandVisit&)>& fn) {
  Visit(root, CommandVisit{}, fn);
}

std::vector<std::string> DashedNames(const ArgumentSpec& arg) {
  std::vector<std::string> names;
  for (const auto& s : arg.short_names) names.push_back("-" + s);
  for (const auto& l : arg.long_names) names.push_back("--" + l);
  return names;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) out += (out.empty() ? "" : " ") + part;
  return out;
}

}  // namespace tockctl
