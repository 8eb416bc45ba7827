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
    text += "    #[allow(dead_code)]\n    pub struct Platform;\n";
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

namespace {

// Compiles `source` as rlib `name` into `dir` with `externs` (name=path).
RustToolRun CompileRlib(const std::filesystem::path& dir, const std::string& name,
                        const std::filesystem::path& source,
                        const std::vector<std::string>& externs = {}) {
  std::vector<std::string> argv{"rustc",        "--edition", "2021",
                                "--crate-type", "rlib",      "--crate-name",
                                name,           "-L",        "dependency=" + dir.string()};
  for (const auto& e : externs) argv.insert(argv.end(), {"--extern", e});
  argv.insert(argv.end(), {"-o", (dir / ("lib" + name + ".rlib")).string(), source.string()});
  return RunTool(argv);
}

// The rlibs the generated module links against: tock-config, and for the tracer's part the real
// tock-trace and tock-trace-tock-core under tests/fixtures/rust-standins/tock_standin.rs, which
// answers for Tock's crates. Empty `output` and ok when all compiled.
RustToolRun CompileDependencies(const std::filesystem::path& dir) {
  auto src = tockctl::testing::SourceDir();
  auto rlib = [&](const char* name) {
    return (dir / ("lib" + std::string(name) + ".rlib")).string();
  };
  for (auto run : {CompileRlib(dir, "tock_config", src / "kernel/tock-config/src/lib.rs"),
                   CompileRlib(dir, "tock_trace", src / "kernel/tock-trace/src/lib.rs")})
    if (!run.ok) return run;
  RustToolRun core =
      CompileRlib(dir, "tock_trace_tock_core", src / "kernel/tock-trace-tock-core/src/lib.rs",
                  {"tock_trace=" + rlib("tock_trace")});
  if (!core.ok) return core;
  return CompileRlib(dir, "tock_standin", src / "tests/fixtures/rust-standins/tock_standin.rs",
                     {"tock_trace_tock_core=" + rlib("tock_trace_tock_core")});
}

}  // namespace

RustToolRun CompileAgainstTockConfig(const std::filesystem::path& dir,
                                     const std::vector<std::filesystem::path>& modules) {
  RustToolRun deps = CompileDependencies(dir);
  if (!deps.ok) return deps;
  auto wrapper = dir / "generated_check.rs";
  std::ofstream(wrapper) << WrapperCrate(modules);
  std::vector<std::string> argv{"rustc",
                                "--edition",
                                "2021",
                                "--crate-type",
                                "lib",
                                "--emit",
                                "metadata",
                                "--crate-name",
                                "generated_check",
                                "-L",
                                "dependency=" + dir.string(),
                                "--extern",
                                "tock_config=" + (dir / "libtock_config.rlib").string()};
  std::string standin = (dir / "libtock_standin.rlib").string();
  for (const char* name : {"kernel", "capsules_core", "capsules_system", "qemu_rv32_virt_chip",
                           "qemu_rv32_virt_lib", "nrf52840", "nrf52840dk_lib", "tock_trace_tock"})
    argv.insert(argv.end(), {"--extern", std::string(name) + "=" + standin});
  argv.insert(argv.end(), {"-o", (dir / "libgenerated_check.rmeta").string(), wrapper.string()});
  return RunTool(argv);
}

}  // namespace tockctl::kernel::testing
