// Running external programs (make, cargo, qemu, openocd, ...) as argument vectors, never via a
// shell.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tockctl {

/// What to run and how.
struct ProcessSpec {
  std::vector<std::string> argv;                     ///< argv[0] is looked up on PATH.
  std::string cwd;                                   ///< Working directory; empty = inherit.
  std::map<std::string, std::string> env;            ///< Added to (or overriding) the environment.
  std::optional<std::chrono::milliseconds> timeout;  ///< Kill (SIGTERM, then SIGKILL) past this.
  /// Called with each complete line (without '\n') as it arrives; if unset, output is collected.
  std::function<void(const std::string&)> on_stdout_line;
  std::function<void(const std::string&)> on_stderr_line;
};

/// How a finished process ended.
struct ProcessResult {
  int exit_code = -1;  ///< Exit status, or 128+signal when killed by a signal.
  bool timed_out = false;
  std::string stdout_text;  ///< Collected when no stdout line callback was given.
  std::string stderr_text;  ///< Collected when no stderr line callback was given.
};

/// A child process that keeps running (e.g. QEMU). Destroying the handle kills the child.
class ChildProcess {
 public:
  virtual ~ChildProcess() = default;
  virtual int pid() const = 0;
  /// True while the child has not exited (reaps it if it has).
  virtual bool Running() = 0;
  /// SIGTERM, wait up to `grace`, then SIGKILL; returns the exit code.
  virtual int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000)) = 0;
  /// Leaves the child running when the handle is destroyed.
  virtual void Detach() = 0;
};

/// Starts programs; tests substitute a fake that records argument vectors.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// Runs to completion. Throws Error(kToolFailed) if the program cannot be started (with a hint
  /// when `install_hint` is set); a non-zero exit is reported in the result, not thrown.
  virtual ProcessResult Run(const ProcessSpec& spec) = 0;
  /// Starts a long-running child with stdin/stdout/stderr redirected to `log_path`
  /// (or /dev/null if empty). Throws Error(kToolFailed) if it cannot start.
  virtual std::unique_ptr<ChildProcess> Spawn(const ProcessSpec& spec,
                                              const std::string& log_path) = 0;
};

/// The real runner (fork/exec with pipes).
class PosixProcessRunner : public ProcessRunner {
 public:
  ProcessResult Run(const ProcessSpec& spec) override;
  std::unique_ptr<ChildProcess> Spawn(const ProcessSpec& spec,
                                      const std::string& log_path) override;
};

/// Full path of `program` on PATH (or itself if it contains '/'), or nullopt.
std::optional<std::string> FindProgram(const std::string& program);

/// Message for a missing program: "`openocd` was not found on PATH; install it with: apt-get
/// install openocd".
std::string MissingProgramHint(const std::string& program, const std::string& debian_package);

}  // namespace tockctl
