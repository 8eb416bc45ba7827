// `tockctl build` through the real binary, on a copy of the Tock-shaped fixture tree built with
// make and riscv64-unknown-elf-gcc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/process.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::SourceDir;
using testing::TempDir;

using ::tockctl::testing::Slurp;

void Spit(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// A copy of tests/fixtures/tock-tree (and kernel/tock-config beside it) plus a board file.
class BuildCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(SourceDir() / "tests" / "fixtures" / "tock-tree", tock(), fs::copy_options::recursive);
    fs::copy(SourceDir() / "kernel" / "tock-config", dir_.path() / "tock-config",
             fs::copy_options::recursive);
    ASSERT_EQ(Run({"config", "init", "qemu_rv32_virt", "-o", config()}).exit_code, 0);
  }

  fs::path tock() const { return dir_.path() / "tock"; }
  fs::path board_dir() const { return tock() / "boards" / "qemu_rv32_virt"; }
  fs::path elf() const {
    return tock() / "target" / "riscv32imac-unknown-none-elf" / "release" / "qemu_rv32_virt";
  }
  std::string config() const { return (dir_.path() / "qemu_rv32_virt.json").string(); }

  // Runs tockctl with NO_RUSTUP=1 (the fixture kernel is C) unless `env` says otherwise.
  CliRun Run(const std::vector<std::string>& args, std::map<std::string, std::string> env = {},
             const fs::path& cwd = {}) const {
    ProcessSpec spec;
    spec.argv.push_back(TOCKCTL_BINARY);
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = cwd.string();
    spec.env = {{"NO_COLOR", "1"},
                {"TOCKCTL_DATA_DIR", SourceDir().string()},
                {"NO_RUSTUP", "1"},
                {"TOCK_DIR", ""}};
    for (const auto& [k, v] : env) spec.env[k] = v;
    spec.timeout = std::chrono::seconds(120);
    PosixProcessRunner runner;
    ProcessResult r = runner.Run(spec);
    return CliRun{r.exit_code, r.stdout_text, r.stderr_text};
  }

  static std::string LastLine(const std::string& text) {
    std::string t = text.substr(0, text.find_last_not_of('\n') + 1);
    return t.substr(t.rfind('\n') + 1);
  }

  TempDir dir_;
};

TEST_F(BuildCommandTest, BuildsStreamsAndReportsMemory) {
  CliRun r = Run({"build", "--config", config(), "--tock-dir", tock().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote boards/qemu_rv32_virt/src/tockctl_config.rs\n"), std::string::npos);
  EXPECT_NE(r.err.find("running `make` in boards/qemu_rv32_virt\n"), std::string::npos);
  EXPECT_NE(r.err.find("src/kernel.c:20:7: warning: unused variable 'unused_scheduler_slot'"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(LastLine(r.err), "build finished: 0 errors, 1 warning");
  EXPECT_NE(r.out.find("kernel   " + elf().string() + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("binary   " + elf().string() + ".bin, "), std::string::npos);
  EXPECT_NE(r.out.find("    stack                    8192  (_sstack.._estack)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  app RAM      0x80203000..0x80400000    2084864 bytes  "
                       "(_sappmem.._eappmem)\n"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(elf().string() + ".bin"));
}

TEST_F(BuildCommandTest, JsonOnStdoutCompilerOutputOnStderr) {
  CliRun r = Run({"build", "--json", "--config", config(), "--tock-dir", tock().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["board"], "qemu_rv32_virt");
  EXPECT_EQ(j["tock"]["found_by"], "--tock-dir");
  EXPECT_EQ(j["outputs"]["elf"], elf().string());
  EXPECT_EQ(j["outputs"]["bin"], elf().string() + ".bin");
  EXPECT_EQ(j["build"]["warnings"], 1);
  EXPECT_EQ(j["memory"]["kernel_ram"]["bss"], 256);
  EXPECT_EQ(j["memory"]["app_flash"]["source"], "_sapps.._eapps");
  EXPECT_NE(r.err.find("warning: unused variable"), std::string::npos);
}

TEST_F(BuildCommandTest, GenerateOnlyFindsTheTreeFromTockDir) {
  CliRun r = Run({"build", "--generate-only", "--board", "qemu_rv32_virt"},
                 {{"TOCK_DIR", tock().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "board    qemu_rv32_virt (" +
                       (SourceDir() / "boards" / "qemu_rv32_virt.json").string() +
                       " with `tockctl config init` defaults)\nmodule   " +
                       (board_dir() / "src" / "tockctl_config.rs").string() + "\n");
  EXPECT_EQ(r.err, "wrote boards/qemu_rv32_virt/src/tockctl_config.rs\n");
  EXPECT_FALSE(fs::exists(elf()));
  CliRun again = Run({"build", "--generate-only", "--board", "qemu_rv32_virt"},
                     {{"TOCK_DIR", tock().string()}});
  EXPECT_EQ(again.err, "unchanged: boards/qemu_rv32_virt/src/tockctl_config.rs\n");
}

TEST_F(BuildCommandTest, FindsTheTreeFromTheCurrentDirectory) {
  CliRun r = Run({"build", "--generate-only", "--config", config()}, {}, board_dir() / "src");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(board_dir() / "src" / "tockctl_config.rs"));
}

TEST_F(BuildCommandTest, CompileErrorExitsSevenWithTheCompilersLine) {
  std::string source = Slurp(board_dir() / "src" / "kernel.c");
  size_t lines = std::count(source.begin(), source.end(), '\n');
  Spit(board_dir() / "src" / "kernel.c", source + "#error tockctl fixture broken on purpose\n");
  CliRun r = Run({"build", "--config", config(), "--tock-dir", tock().string()});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(LastLine(r.err),
            "error: " + board_dir().string() +
                ": `make` failed (exit 2): src/kernel.c:" + std::to_string(lines + 1) +
                ":2: error: #error tockctl fixture broken on purpose; 1 error, 1 "
                "warning; the full output is above");
  EXPECT_EQ(r.out, "");
}

TEST_F(BuildCommandTest, LinkerOverflowExitsThree) {
  std::string layout = Slurp(board_dir() / "layout.ld");
  layout.replace(layout.find("LENGTH = 0x100000"), 17, "LENGTH = 0x40");
  Spit(board_dir() / "layout.ld", layout);
  CliRun r = Run({"build", "--config", config(), "--tock-dir", tock().string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  std::string last = LastLine(r.err);
  EXPECT_TRUE(last.starts_with("error: the kernel does not fit its memory region: ")) << last;
  EXPECT_NE(last.find("region `rom' overflowed by "), std::string::npos) << last;
}

TEST_F(BuildCommandTest, KernelLargerThanTheBoardRegionExitsThreeAfterTheReport) {
  std::string text = Slurp(config());
  text.replace(text.find("\"length\": \"0x100000\""), 20, "\"length\": \"0x40\"");
  Spit(config(), text);
  CliRun r = Run({"build", "--config", config(), "--tock-dir", tock().string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("  kernel flash 0x80000000..0x80000040"), std::string::npos) << r.out;
  std::string last = LastLine(r.err);
  EXPECT_TRUE(last.starts_with("error: " + elf().string() +
                               ": kernel flash overflows: .text (code and constants) ends at "))
      << last;
  EXPECT_TRUE(
      last.ends_with(" bytes past the end of kernel flash 0x80000000..0x80000040 (and 1 more "
                     "problem); make the kernel smaller or give it more room in layout.ld and "
                     "the board JSON"))
      << last;
}

TEST_F(BuildCommandTest, MissingRustTargetNamesTheRustupCommand) {
  if (!FindProgram("rustup")) GTEST_SKIP() << "no rustup";
  CliRun r =
      Run({"build", "--config", config(), "--tock-dir", tock().string()}, {{"NO_RUSTUP", ""}});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(LastLine(r.err),
            "error: the Rust target riscv32imac-unknown-none-elf is not installed (rustup target "
            "list --installed does not list it); install it with: rustup target add "
            "riscv32imac-unknown-none-elf");
}

TEST_F(BuildCommandTest, NoTockTreeIsAUsageError) {
  TempDir elsewhere;
  CliRun r = Run({"build", "--config", config()}, {}, elsewhere.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(LastLine(r.err),
            "error: no Tock checkout found: neither " + elsewhere.path().string() +
                " nor any directory above it has kernel/, capsules/, boards/ and Cargo.toml; pass "
                "--tock-dir DIR or set TOCK_DIR to the top of a Tock checkout (git clone "
                "https://github.com/tock/tock)");
}

TEST_F(BuildCommandTest, FlashAndGenerateOnlyExcludeEachOther) {
  CliRun r = Run({"build", "--generate-only", "--flash", "--config", config()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --generate-only excludes --flash; run with --help for usage\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
