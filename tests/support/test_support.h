// Helpers shared by tockctl's tests: running the real binary, temporary directories.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tockctl::testing {

/// Output and exit code of one tockctl run.
struct CliRun {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs the built tockctl binary with `args` (NO_COLOR set, data dir = source tree), 60 s timeout.
CliRun RunTockctl(const std::vector<std::string>& args, const std::string& cwd = "");

/// RunTockctl with TOCKCTL_RUNTIME_DIR=`runtime_dir` (so QEMU state stays private), in `cwd`.
CliRun RunTockctlIn(const std::filesystem::path& runtime_dir, const std::vector<std::string>& args,
                    const std::string& cwd = "");

/// RunTockctl with stdout redirected to `stdout_path` (e.g. "/dev/full"); `out` stays empty.
CliRun RunTockctlWritingTo(const std::string& stdout_path, const std::vector<std::string>& args);

/// The repository root (source tree).
std::filesystem::path SourceDir();
/// The CMake build directory.
std::filesystem::path BuildDir();

/// The whole content of the file at `path`, "" if it cannot be read.
std::string Slurp(const std::filesystem::path& path);

/// Checks `done` every 50 ms until it holds (true) or `timeout` passes (false).
bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// A fresh directory under /tmp, removed with everything in it on destruction.
/// What `fn` throws as tockctl::Error, as the user would read it (Error::Describe), or
/// "(no error)" when it returns normally.
std::string ErrorText(const std::function<void()>& fn);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to path()/name and returns the full path.
  std::filesystem::path Write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace tockctl::testing
