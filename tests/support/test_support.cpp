#include "tests/support/test_support.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/process.h"

namespace tockctl::testing {

namespace {

CliRun RunWithEnv(const std::vector<std::string>& args, const std::string& cwd,
                  std::map<std::string, std::string> env) {
  ProcessSpec spec;
  spec.argv.emplace_back(TOCKCTL_BINARY);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = cwd;
  env["NO_COLOR"] = "1";
  env["TOCKCTL_DATA_DIR"] = TOCKCTL_SOURCE_DIR;
  spec.env = std::move(env);
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

}  // namespace

CliRun RunTockctl(const std::vector<std::string>& args, const std::string& cwd) {
  return RunWithEnv(args, cwd, {});
}

CliRun RunTockctlIn(const std::filesystem::path& runtime_dir, const std::vector<std::string>& args,
                    const std::string& cwd) {
  return RunWithEnv(args, cwd, {{"TOCKCTL_RUNTIME_DIR", runtime_dir.string()}});
}

CliRun RunTockctlWritingTo(const std::string& stdout_path, const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv = {"bash", "-c", "exec \"$0\" \"$@\" >\"$TOCKCTL_TEST_STDOUT\"", TOCKCTL_BINARY};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env["TOCKCTL_TEST_STDOUT"] = stdout_path;
  spec.env["NO_COLOR"] = "1";
  spec.env["TOCKCTL_DATA_DIR"] = TOCKCTL_SOURCE_DIR;
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::filesystem::path SourceDir() { return TOCKCTL_SOURCE_DIR; }

std::string ErrorText(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.Describe();
  }
  return "(no error)";
}
std::filesystem::path BuildDir() { return TOCKCTL_BUILD_DIR; }

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tockctl-test-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::Write(const std::string& name, const std::string& content) const {
  auto p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

}  // namespace tockctl::testing
