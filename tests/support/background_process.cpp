#include "tests/support/background_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "tests/support/test_support.h"

extern char** environ;

namespace tockctl::testing {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollInterval{20};

// argv and environment as C strings for execve, built before fork.
struct ExecStrings {
  std::vector<std::string> storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

ExecStrings MakeExecStrings(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  ExecStrings s;
  s.storage = argv;
  for (const auto& [k, v] : merged) s.storage.push_back(k + "=" + v);
  for (size_t i = 0; i < s.storage.size(); ++i)
    (i < argv.size() ? s.argv : s.envp).push_back(s.storage[i].data());
  s.argv.push_back(nullptr);
  s.envp.push_back(nullptr);
  return s;
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     const fs::path& dir, const std::string& name)
    : out_(dir / (name + ".stdout")), err_(dir / (name + ".stderr")) {
  ExecStrings exec = MakeExecStrings(argv, env);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (::chdir(dir.c_str()) != 0) _exit(126);
    ::execvpe(exec.argv[0], exec.argv.data(), exec.envp.data());
    _exit(127);
  }
  for (int fd : {in, out, err}) ::close(fd);
  if (pid_ < 0) ADD_FAILURE() << "cannot fork for " << argv.at(0);
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ <= 0 || exit_code_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::string BackgroundProcess::Stdout() const { return Slurp(out_); }
std::string BackgroundProcess::Stderr() const { return Slurp(err_); }

bool BackgroundProcess::Exited() {
  if (exit_code_) return true;
  int status = 0;
  if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool BackgroundProcess::WaitForStderr(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  for (;;) {
    bool ended = Exited();
    if (Stderr().find(text) != std::string::npos) return true;
    if (ended || Steady::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool BackgroundProcess::WaitForStdout(const std::function<bool(const std::string&)>& done,
                                      std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  for (;;) {
    bool ended = Exited();
    if (done(Stdout())) return true;
    if (ended || Steady::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void BackgroundProcess::Signal(int signal) {
  if (pid_ > 0 && !Exited()) ::kill(pid_, signal);
}

std::optional<int> BackgroundProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  while (!Exited() && Steady::now() < deadline) std::this_thread::sleep_for(kPollInterval);
  return exit_code_;
}

std::unique_ptr<BackgroundProcess> StartTockctl(const fs::path& dir,
                                                const std::vector<std::string>& args,
                                                std::map<std::string, std::string> env) {
  std::vector<std::string> argv{TOCKCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  env.emplace("NO_COLOR", "1");
  env.emplace("TOCKCTL_DATA_DIR", SourceDir().string());
  return std::make_unique<BackgroundProcess>(argv, env, dir,
                                             args.empty() ? "tockctl" : args.front());
}

}  // namespace tockctl::testing
