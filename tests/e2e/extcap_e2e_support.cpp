#include "tests/e2e/extcap_e2e_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/process.h"

namespace tockctl::testing {
namespace {

namespace fs = std::filesystem;

CliRun RunWith(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
               const fs::path& cwd) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = env;
  spec.cwd = cwd.string();
  spec.timeout = std::chrono::seconds(60);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
}

// True if /proc/net/`table` has an established connection whose local or remote port is `port`.
bool HasConnection(const std::string& table, uint16_t port) {
  std::ifstream in("/proc/net/" + table);
  std::string line;
  std::getline(in, line);  // header
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state != "01") continue;  // TCP_ESTABLISHED
    if (local.ends_with(hex) || remote.ends_with(hex)) return true;
  }
  return false;
}

}  // namespace

ExtcapHome::ExtcapHome(bool install) {
  for (const char* sub : {"home", "xdg", "run"}) fs::create_directories(dir() / sub);
  fs::permissions(runtime_dir(), fs::perms::owner_all);
  if (!install) return;
  install_ = Tockctl({"extcap", "--install"});
  EXPECT_EQ(install_.exit_code, 0) << install_.err;
}

std::map<std::string, std::string> ExtcapHome::Env() const {
  return {{"NO_COLOR", "1"},
          {"HOME", (dir() / "home").string()},
          {"XDG_CONFIG_HOME", (dir() / "xdg").string()},
          {"TOCKCTL_DATA_DIR", SourceDir().string()},
          {"TOCKCTL_RUNTIME_DIR", runtime_dir().string()}};
}

CliRun ExtcapHome::Tockctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{TOCKCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunWith(argv, Env(), dir());
}

CliRun ExtcapHome::Tshark(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"tshark"};
  argv.insert(argv.end(), args.begin(), args.end());
  CliRun r = RunWith(argv, Env(), dir());
  std::string err;
  for (const std::string& line : SplitLines(r.err)) {
    if (line.find("This could be dangerous") == std::string::npos) err += line + "\n";
  }
  r.err = err;
  return r;
}

std::unique_ptr<BackgroundProcess> ExtcapHome::StartTshark(
    const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"tshark"};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<BackgroundProcess>(argv, Env(), dir(), "tshark");
}

CliRun ExtcapHome::FlashDemo(const std::vector<std::string>& extra) const {
  std::vector<std::string> args{"flash", DemoFirmware().string(), "--board", "qemu_rv32_virt"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Tockctl(args);
}

fs::path DemoFirmware() { return BuildDir() / "firmware" / "qemu_demo.elf"; }

bool WaitForTcpClient(uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HasConnection("tcp", port) || HasConnection("tcp6", port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace tockctl::testing
