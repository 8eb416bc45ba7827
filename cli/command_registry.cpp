#include "cli/command_registry.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tockctl::cli {
namespace {

std::vector<std::pair<int, RegisterFn>>& Registry() {
  static std::vector<std::pair<int, RegisterFn>> registry;
  return registry;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, RegisterFn fn) {
  Registry().emplace_back(order, fn);
}

void RegisterAllCommands(CLI::App& app, CliContext& ctx) {
  auto entries = Registry();
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, fn] : entries) fn(app, ctx);
}

}  // namespace tockctl::cli
