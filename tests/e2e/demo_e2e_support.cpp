#include "tests/e2e/demo_e2e_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace tockctl::testing {
namespace {

namespace fs = std::filesystem;

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
