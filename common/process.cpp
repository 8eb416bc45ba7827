#include "common/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/error.h"

extern char** environ;

namespace tockctl {
namespace {

using Steady = std::chrono::steady_clock;

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<std::string> BuildEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) merged[k] = v;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [k, v] : merged) out.emplace_back(k).append("=").append(v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Forks and execs; in the child, fds 0/1/2 become in_fd/out_fd/err_fd. Returns the pid.
pid_t ForkExec(const ProcessSpec& spec, int in_fd, int out_fd, int err_fd) {
  if (spec.argv.empty()) throw Error(ErrorCategory::kInternal, "empty argument vector");
  auto path = FindProgram(spec.argv[0]);
  if (!path) {
    throw Error(ErrorCategory::kToolFailed, "`" + spec.argv[0] + "` was not found on PATH");
  }
  std::vector<std::string> args = spec.argv;
  std::vector<std::string> env = BuildEnv(spec.env);
  auto argv = CStrings(args);
  auto envp = CStrings(env);
  pid_t pid = ::fork();
  if (pid < 0)
    throw Error(ErrorCategory::kToolFailed, "cannot fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) _exit(126);
    ::execve(path->c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

void KillGroup(pid_t pid, int sig) {
  if (::kill(-pid, sig) != 0) ::kill(pid, sig);
}

// Waits for `pid` up to `grace`, then SIGKILLs its group. Returns the exit code.
int StopChild(pid_t pid, std::chrono::milliseconds grace) {
  KillGroup(pid, SIGTERM);
  auto deadline = Steady::now() + grace;
  int status = 0;
  while (Steady::now() < deadline) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeStatus(status);
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  KillGroup(pid, SIGKILL);
  if (::waitpid(pid, &status, 0) == pid) return DecodeStatus(status);
  return -1;
}

class LineSplitter {
 public:
  LineSplitter(std::function<void(const std::string&)> sink, std::string* collect)
      : sink_(std::move(sink)), collect_(collect) {}
  void Feed(const char* data, size_t n) {
    if (!sink_) {
      collect_->append(data, n);
      return;
    }
    partial_.append(data, n);
    size_t start = 0;
    for (size_t nl = 0; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
      sink_(partial_.substr(start, nl - start));
    partial_.erase(0, start);
  }
  void Finish() {
    if (sink_ && !partial_.empty()) sink_(partial_);
    partial_.clear();
  }

 private:
  std::function<void(const std::string&)> sink_;
  std::string* collect_;
  std::string partial_;
};

// Reads both pipes until EOF or timeout. Returns false on timeout.
bool Pump(int out_fd, int err_fd, LineSplitter& out, LineSplitter& err,
          std::optional<Steady::time_point> deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  LineSplitter* sinks[2] = {&out, &err};
  int open_count = 2;
  char buf[8192];
  while (open_count > 0) {
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Steady::now());
      if (left.count() <= 0) return false;
      wait_ms = static_cast<int>(left.count());
    }
    int r = ::poll(fds, 2, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->Feed(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  return true;
}

class PosixChild : public ChildProcess {
 public:
  explicit PosixChild(pid_t pid) : pid_(pid) {}
  ~PosixChild() override {
    if (!detached_ && Running()) StopChild(pid_, std::chrono::milliseconds(2000));
  }
  int pid() const override { return pid_; }
  bool Running() override {
    if (exited_) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    exited_ = true;
    exit_code_ = r == pid_ ? DecodeStatus(status) : -1;
    return false;
  }
  int Stop(std::chrono::milliseconds grace) override {
    if (!Running()) return exit_code_;
    exited_ = true;
    exit_code_ = StopChild(pid_, grace);
    return exit_code_;
  }
  void Detach() override { detached_ = true; }

 private:
  pid_t pid_;
  bool exited_ = false;
  bool detached_ = false;
  int exit_code_ = -1;
};

}  // namespace

std::optional<std::string> FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    struct stat st {};
    if (end > start && ::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::string MissingProgramHint(const std::string& program, const std::string& debian_package) {
  std::string hint = "`" + program + "` was not found on PATH";
  if (!debian_package.empty()) hint += "; install it with: apt-get install " + debian_package;
  return hint;
}

ProcessResult PosixProcessRunner::Run(const ProcessSpec& spec) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw Error(ErrorCategory::kToolFailed, "cannot create pipes: " + std::string(strerror(errno)));
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = -1;
  try {
    pid = ForkExec(spec, devnull, out_pipe[1], err_pipe[1]);
  } catch (...) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], devnull}) ::close(fd);
    throw;
  }
  for (int fd : {out_pipe[1], err_pipe[1], devnull}) ::close(fd);
  ProcessResult result;
  LineSplitter out(spec.on_stdout_line, &result.stdout_text);
  LineSplitter err(spec.on_stderr_line, &result.stderr_text);
  std::optional<Steady::time_point> deadline;
  if (spec.timeout) deadline = Steady::now() + *spec.timeout;
  bool finished = Pump(out_pipe[0], err_pipe[0], out, err, deadline);
  out.Finish();
  err.Finish();
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (!finished) {
    result.timed_out = true;
    result.exit_code = StopChild(pid, std::chrono::milliseconds(1000));
    return result;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = DecodeStatus(status);
  if (result.exit_code == 127 && !FindProgram(spec.argv[0]))
    throw Error(ErrorCategory::kToolFailed, "`" + spec.argv[0] + "` could not be executed");
  return result;
}

std::unique_ptr<ChildProcess> PosixProcessRunner::Spawn(const ProcessSpec& spec,
                                                        const std::string& log_path) {
  int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_fd = log_path.empty()
                   ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                   : ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (in_fd < 0 || out_fd < 0) {
    if (in_fd >= 0) ::close(in_fd);
    if (out_fd >= 0) ::close(out_fd);
    throw Error(ErrorCategory::kIo, "cannot open log file " + log_path + ": " + strerror(errno));
  }
  pid_t pid = -1;
  try {
    pid = ForkExec(spec, in_fd, out_fd, out_fd);
  } catch (...) {
    ::close(in_fd);
    ::close(out_fd);
    throw;
  }
  ::close(in_fd);
  ::close(out_fd);
  return std::make_unique<PosixChild>(pid);
}

}  // namespace tockctl
