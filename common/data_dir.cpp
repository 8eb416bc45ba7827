#include "common/data_dir.h"

#include <system_error>

#include "common/error.h"

#ifndef TOCKCTL_SOURCE_DIR
#define TOCKCTL_SOURCE_DIR ""
#endif

namespace tockctl {
namespace {

bool HasBoards(const std::filesystem::path& dir) {
  std::error_code ec;
  return !dir.empty() && std::filesystem::is_directory(dir / "boards", ec);
}

std::filesystem::path Checked(const std::filesystem::path& dir, const std::string& origin) {
  if (HasBoards(dir)) return dir;
  ErrorContext ctx;
  ctx.file = dir.string();
  throw Error(ErrorCategory::kIo, "data directory from " + origin + " has no boards/ folder", ctx,
              "point --data-dir or TOCKCTL_DATA_DIR at a tockctl source tree or install prefix "
              "share/tockctl");
}

}  // namespace

std::filesystem::path ResolveDataDir(const std::optional<std::string>& flag, const char* env,
                                     const std::filesystem::path& exe_path) {
  if (flag && !flag->empty()) return Checked(*flag, "--data-dir");
  if (env && *env) return Checked(env, "TOCKCTL_DATA_DIR");
  if (!exe_path.empty()) {
    auto installed = exe_path.parent_path().parent_path() / "share" / "tockctl";
    if (HasBoards(installed)) return installed;
  }
  return Checked(TOCKCTL_SOURCE_DIR, "the build tree");
}

std::filesystem::path CurrentExecutable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : p;
}

}  // namespace tockctl
