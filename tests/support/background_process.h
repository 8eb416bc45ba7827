// A program running in the background for a test (tockctl console/trace/run beside a flash,
// QEMU restarted by hand): its own process group, standard input from /dev/null, standard output
// and error into files, killed with its group when the guard goes.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tockctl::testing {

/// A program started in its own process group (in `dir`) with stdout and stderr going to files
/// in `dir`. Destroying it SIGKILLs the group if it still runs, and reaps it.
class BackgroundProcess {
 public:
  /// Runs `argv` (looked up on PATH) with the test's environment plus `env`.
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::filesystem::path& dir,
                    const std::string& name);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  int pid() const { return pid_; }
  std::string Stdout() const;
  std::string Stderr() const;
  /// Waits until stderr contains `text`; false if the process ended or `timeout` passed first.
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds timeout);
  /// Waits until `done(stdout)` holds; false if the process ended or `timeout` passed first.
  bool WaitForStdout(const std::function<bool(const std::string&)>& done,
                     std::chrono::milliseconds timeout);
  /// Sends `signal` to the process.
  void Signal(int signal);
  /// Waits up to `timeout` for the process to exit; its exit code (128+N for signal N), or
  /// nullopt if it still runs.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  bool Exited();

  int pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

/// `tockctl ARGS` as a BackgroundProcess in `dir` (named after ARGS' first word), with NO_COLOR,
/// the source tree as data directory, and `env`.
std::unique_ptr<BackgroundProcess> StartTockctl(const std::filesystem::path& dir,
                                                const std::vector<std::string>& args,
                                                std::map<std::string, std::string> env = {});

}  // namespace tockctl::testing
