// libFuzzer's entry points for the one executable that holds every fuzz target (fuzz_targets,
// fuzz/CMakeLists.txt): it is run through a link named fuzz_NAME and fuzzes target NAME. The
// replay executables of a gcc build (tests/scripts/fuzz_replay.cmake) hold one target each, which
// runs whatever the name.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "fuzz/fuzz_support.h"

namespace tockctl::fuzz {
namespace {

std::map<std::string, TargetFn>& Targets() {
  static std::map<std::string, TargetFn> targets;
  return targets;
}

TargetFn chosen = nullptr;

// The target for an executable called `program`: fuzz_NAME runs NAME; with one target only, that.
TargetFn Choose(const std::string& program) {
  const std::string base = program.substr(program.find_last_of('/') + 1);
  const std::string prefix = "fuzz_";
  if (base.rfind(prefix, 0) == 0) {
    auto it = Targets().find(base.substr(prefix.size()));
    if (it != Targets().end()) return it->second;
  }
  if (Targets().size() == 1) return Targets().begin()->second;
  std::string names;
  for (const auto& [name, fn] : Targets()) names += " fuzz_" + name;
  std::fprintf(stderr,
               "%s: no fuzz target of that name; run it through one of its links:%s "
               "(docs/fuzzing.md)\n",
               program.c_str(), names.c_str());
  std::exit(2);
}

}  // namespace

TargetRegistration::TargetRegistration(const char* name, TargetFn fn) { Targets()[name] = fn; }

}  // namespace tockctl::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (*argc > 0) tockctl::fuzz::chosen = tockctl::fuzz::Choose((*argv)[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (tockctl::fuzz::chosen == nullptr) tockctl::fuzz::chosen = tockctl::fuzz::Choose("");
  return tockctl::fuzz::chosen(data, size);
}
