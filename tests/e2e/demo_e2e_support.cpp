#include "tests/e2e/demo_e2e_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace tockctl::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollInterval{20};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CliRun RunIn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             std::chrono::seconds timeout) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = env;
  spec.timeout = timeout;
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

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

DemoWorkspace::DemoWorkspace() {
  fs::create_directories(runtime_dir());
  fs::permissions(runtime_dir(), fs::perms::owner_all);
  fs::create_directories(dir() / "target");
}

fs::path DemoWorkspace::BoardFile() {
  return SourceDir() / "firmware" / "qemu_demo" / "board.json";
}

fs::path DemoWorkspace::TockTree() { return SourceDir() / "firmware" / "tock-tree"; }

fs::path DemoWorkspace::KernelElf() const {
  return dir() / "target" / "riscv32imac-unknown-none-elf" / "release" / "qemu_rv32_virt.elf";
}

std::map<std::string, std::string> DemoWorkspace::Env() const {
  return {{"NO_COLOR", "1"},
          {"NO_RUSTUP", "1"},
          {"TOCKCTL_DATA_DIR", SourceDir().string()},
          {"TOCKCTL_RUNTIME_DIR", runtime_dir().string()},
          {"CARGO_TARGET_DIR", (dir() / "target").string()}};
}

CliRun DemoWorkspace::Tockctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{TOCKCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunIn(argv, Env(), std::chrono::seconds(60));
}

CliRun DemoWorkspace::Build() const {
  return Tockctl({"build", "--config", BoardFile().string(), "--tock-dir", TockTree().string()});
}

CliRun DemoWorkspace::Flash(const std::vector<std::string>& extra) const {
  std::vector<std::string> args{"flash", KernelElf().string(), "--config", BoardFile().string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return Tockctl(args);
}

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

std::string BackgroundProcess::Stdout() const { return ReadText(out_); }
std::string BackgroundProcess::Stderr() const { return ReadText(err_); }

bool BackgroundProcess::Exited() {
  if (exit_code_) return true;
  int status = 0;
  if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool BackgroundProcess::WaitForStderr(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    bool ended = Exited();
    if (Stderr().find(text) != std::string::npos) return true;
    if (ended || Clock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool BackgroundProcess::WaitForStdout(const std::function<bool(const std::string&)>& done,
                                      std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    bool ended = Exited();
    if (done(Stdout())) return true;
    if (ended || Clock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void BackgroundProcess::Signal(int signal) {
  if (pid_ > 0 && !Exited()) ::kill(pid_, signal);
}

std::optional<int> BackgroundProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!Exited() && Clock::now() < deadline) std::this_thread::sleep_for(kPollInterval);
  return exit_code_;
}

std::unique_ptr<BackgroundProcess> StartTrace(const DemoWorkspace& workspace,
                                              const std::vector<std::string>& args) {
  std::vector<std::string> argv{TOCKCTL_BINARY, "trace"};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<BackgroundProcess>(argv, workspace.Env(), workspace.dir(), "trace");
}

QemuOnPort::QemuOnPort(const fs::path& elf, uint16_t uart_port) {
  ProcessSpec spec;
  spec.argv = {"qemu-system-riscv32",
               "-machine",
               "virt",
               "-bios",
               elf.string(),
               "-display",
               "none",
               "-monitor",
               "none",
               "-serial",
               "tcp:127.0.0.1:" + std::to_string(uart_port) + ",server=on,wait=off"};
  PosixProcessRunner runner;
  child_ = runner.Spawn(spec, "");
}

QemuOnPort::~QemuOnPort() {
  if (child_) child_->Stop(std::chrono::milliseconds(2000));
}

CliRun RunTshark(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"tshark"};
  argv.insert(argv.end(), args.begin(), args.end());
  CliRun r = RunIn(argv, {}, std::chrono::seconds(60));
  std::string err;
  for (const std::string& line : SplitLines(r.err))
    if (line.find("This could be dangerous") == std::string::npos) err += line + "\n";
  r.err = err;
  return r;
}

std::vector<nlohmann::json> ParseJsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : SplitLines(text)) {
    if (line.empty() || line[0] != '{') continue;
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::map<std::string, int> CountLines(const std::vector<std::string>& lines) {
  std::map<std::string, int> counts;
  for (const std::string& line : lines) ++counts[line];
  return counts;
}

}  // namespace tockctl::testing
