#include "tests/kernel/fixture_tree.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "common/file_io.h"
#include "common/process.h"

namespace tockctl::kernel::testing {

namespace fs = std::filesystem;

FixtureTree::FixtureTree() {
  fs::copy(tockctl::testing::SourceDir() / "tests" / "fixtures" / "tock-tree", root(),
           fs::copy_options::recursive);
  fs::copy(tockctl::testing::SourceDir() / "kernel" / "tock-config", dir_.path() / "tock-config",
           fs::copy_options::recursive);
  fs::remove_all(dir_.path() / "tock-config" / "target");
}

fs::path FixtureTree::release_elf() const {
  return root() / "target" / "riscv32imac-unknown-none-elf" / "release" / "qemu_rv32_virt";
}

int FixtureTree::Make(const std::string& target) const {
  fs::path module = board_dir() / "src" / "tockctl_config.rs";
  if (!fs::exists(module)) std::ofstream(module) << "// empty\n";
  ProcessSpec spec;
  spec.argv = {"make", "-s", target};
  spec.cwd = board_dir().string();
  spec.timeout = std::chrono::seconds(120);
  PosixProcessRunner runner;
  return runner.Run(spec).exit_code;
}

void FixtureTree::Append(const std::string& relative, const std::string& text) const {
  std::ofstream(root() / relative, std::ios::app) << text;
}

void FixtureTree::Replace(const std::string& relative, const std::string& from,
                          const std::string& to) const {
  fs::path file = root() / relative;
  std::string text = ReadFile(file);
  size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error(from + " not found in " + relative);
  text.replace(at, from.size(), to);
  WriteFileAtomic(file, text);
}

namespace {

// The demo firmware's sources, target ones first, from firmware/qemu_demo/sources.mk (the list
// the firmware's CMake and Makefile builds read).
std::vector<std::string> DemoFirmwareSources() {
  std::ifstream in(tockctl::testing::SourceDir() / "firmware" / "qemu_demo" / "sources.mk");
  std::vector<std::string> sources;
  for (const char* name : {"QEMU_DEMO_TARGET_SOURCES := ", "QEMU_DEMO_PORTABLE_SOURCES := "}) {
    in.clear();
    in.seekg(0);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(name, 0) != 0) continue;
      std::istringstream words(line.substr(std::strlen(name)));
      for (std::string word; words >> word;) sources.push_back(word);
    }
  }
  return sources;
}

}  // namespace

std::vector<std::string> DemoFirmwareGccArgv(const fs::path& elf) {
  auto src = tockctl::testing::SourceDir() / "firmware" / "qemu_demo";
  std::vector<std::string> argv{"riscv64-unknown-elf-gcc",
                                "-march=rv32imac",
                                "-mabi=ilp32",
                                "-misa-spec=2.2",
                                "-nostdlib",
                                "-ffreestanding",
                                "-static",
                                "-Os",
                                "-std=c99",
                                "-ffunction-sections",
                                "-fdata-sections",
                                "-fno-tree-loop-distribute-patterns",
                                "-T",
                                (src / "qemu_demo.ld").string(),
                                "-Wl,--gc-sections",
                                "-o",
                                elf.string()};
  for (const std::string& f : DemoFirmwareSources()) argv.push_back((src / f).string());
  argv.push_back("-lgcc");
  return argv;
}

}  // namespace tockctl::kernel::testing
