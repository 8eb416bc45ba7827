#include "tests/kernel/rust_check.h"

#include <cctype>
#include <fstream>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel::testing {
namespace {

RustToolRun RunTool(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = std::chrono::seconds(300);
  PosixProcessRunner runner;
  ProcessResult r = runner.Run(spec);
  return {r.exit_code == 0, r.stdout_text + r.stderr_text};
}

std::string ModuleName(const std::filesystem::path& file) {
  std::string name = "m_" + file.stem().string();
  for (char& c : name)
    c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return name;
}

std::string WrapperCrate(const std::vector<std::filesystem::path>& modules) {
  std::string text = "#![no_std]\n#![deny(warnings)]\n";
  for (const auto& m : modules) {
    std::string name = ModuleName(m);
    text += "#[path = \"" + m.string() + "\"]\nmod " + name + ";\n";
    text += "const _: () = assert!(" + name + "::NETWORK_INTERFACE_COUNT == " + name +
            "::NETWORK.interfaces.len());\n";
    text += "const _: () = assert!(" + name + "::IPC_SERVICE_COUNT == " + name +
            "::IPC.services.len());\n";
    text += "const _: () = assert!(" + name + "::IPC_CLIENT_COUNT == " + name +
            "::IPC.clients.len());\n";
    text += "const _: () = assert!(" + name + "::NETWORK_MAX_MTU as u32 == " + name +
            "::NETWORK.max_mtu());\n";
    text += "const _: () = assert!(" + name + "::IPC_MAX_MESSAGE_SIZE as u32 == " + name +
            "::IPC.max_message_size());\n";
  }
  return text;
}

}  // namespace

bool HaveProgram(const std::string& program) { return FindProgram(program).has_value(); }

RustToolRun RustfmtCheck(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> argv{"rustfmt", "--check", "--edition", "2021"};
  for (const auto& f : files) argv.push_back(f.string());
  return RunTool(argv);
}

RustToolRun CompileAgainstTockConfig(const std::filesystem::path& dir,
                                     const std::vector<std::filesystem::path>& modules) {
  auto crate = tockctl::testing::SourceDir() / "kernel" / "tock-config" / "src" / "lib.rs";
  auto rlib = dir / "libtock_config.rlib";
  RustToolRun lib = RunTool({"rustc", "--edition", "2021", "--crate-type", "rlib", "--crate-name",
                             "tock_config", "-o", rlib.string(), crate.string()});
  if (!lib.ok) return lib;
  auto wrapper = dir / "generated_check.rs";
  std::ofstream(wrapper) << WrapperCrate(modules);
  return RunTool({"rustc", "--edition", "2021", "--crate-type", "lib", "--emit", "metadata",
                  "--crate-name", "generated_check", "-L", "dependency=" + dir.string(), "--extern",
                  "tock_config=" + rlib.string(), "-o", (dir / "libgenerated_check.rmeta").string(),
                  wrapper.string()});
}

}  // namespace tockctl::kernel::testing
