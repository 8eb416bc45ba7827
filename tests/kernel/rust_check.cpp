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

// One inline module per generated file, holding it as `tockctl_config` beside the usage example
// docs/examples/build/board_setup.rs, with compile-time checks of the count constants.
std::string WrapperCrate(const std::vector<std::filesystem::path>& modules) {
  auto usage = tockctl::testing::SourceDir() / "docs" / "examples" / "build" / "board_setup.rs";
  std::string text = "#![no_std]\n#![deny(warnings)]\n";
  for (const auto& m : modules) {
    text += "mod " + ModuleName(m) + " {\n";
    text += "    #[path = \"" + m.string() + "\"]\n    pub mod tockctl_config;\n";
    text +=
        "    #[allow(dead_code)]\n    #[path = \"" + usage.string() + "\"]\n    mod board_setup;\n";
    text += "    use tockctl_config as c;\n";
    text +=
        "    const _: () = assert!(c::NETWORK_INTERFACE_COUNT == c::NETWORK.interfaces.len());\n";
    text += "    const _: () = assert!(c::IPC_SERVICE_COUNT == c::IPC.services.len());\n";
    text += "    const _: () = assert!(c::IPC_CLIENT_COUNT == c::IPC.clients.len());\n";
    text += "    const _: () = assert!(c::NETWORK_MAX_MTU as u32 == c::NETWORK.max_mtu());\n";
    text +=
        "    const _: () = assert!(c::IPC_MAX_MESSAGE_SIZE as u32 == c::IPC.max_message_size());\n";
    text += "}\n";
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
