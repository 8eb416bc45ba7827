#include "cli/command_registry.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace tockctl::cli {
namespace {

struct Entry {
  int order;
  std::string name;
  RegisterFn fn;
  CommandScope scope;
};

std::vector<Entry>& Registry() {
  static std::vector<Entry> registry;
  return registry;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, const char* name, RegisterFn fn,
                                         CommandScope scope) {
  Registry().push_back({order, name, fn, scope});
}

void RegisterAllCommands(CLI::App& app, CliContext& ctx) {
  auto entries = Registry();
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.order < b.order; });
  for (const Entry& e : entries) e.fn(app, ctx);
}

bool RegisterOneCommand(CLI::App& app, CliContext& ctx, const std::string& name) {
  for (const Entry& e : Registry()) {
    if (e.name != name) continue;
    if (e.scope != CommandScope::kOwn) return false;
    e.fn(app, ctx);
    return true;
  }
  return false;
}

}  // namespace tockctl::cli
