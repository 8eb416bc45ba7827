#include "kernel/kernel_build.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/file_io.h"
#include "config/config_template.h"
#include "kernel/config_module.h"
#include "tests/kernel/fixture_tree.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

namespace fs = std::filesystem;
using testing::FixtureTree;
using tockctl::testing::SourceDir;

// Builds the fixture tree through BuildKernel with the real make and cross compiler.
class KernelBuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = (tree_.temp().path() / "qemu_rv32_virt.json").string();
    config::InitConfigFile(SourceDir(), "qemu_rv32_virt", config_, false);
    request_.config = config_;
    request_.tock_dir = tree_.root().string();
    request_.data_dir = SourceDir();
    request_.check_rust = false;  // NO_RUSTUP=1: the fixture's kernel is C
    env_.runner = &runner_;
    env_.on_output = [this](const std::string& line, LineKind kind) {
      lines_.push_back({line, kind});
    };
    env_.on_note = [this](const std::string& note) { notes_.push_back(note); };
  }

  Error BuildError() {
    try {
      BuildKernel(request_, env_);
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "the build did not fail";
    return Error(ErrorCategory::kInternal, "no error");
  }

  bool SawLine(const std::string& text, LineKind kind) const {
    for (const auto& [line, k] : lines_)
      if (k == kind && line.find(text) != std::string::npos) return true;
    return false;
  }

  FixtureTree tree_;
  std::string config_;
  BuildRequest request_;
  PosixProcessRunner runner_;
  BuildEnvironment env_;
  std::vector<std::pair<std::string, LineKind>> lines_;
  std::vector<std::string> notes_;
};

TEST_F(KernelBuildTest, MakeBuildsTheFixtureKernel) {
  BuildResult r = BuildKernel(request_, env_);
  EXPECT_EQ(r.board.name, "qemu_rv32_virt");
  EXPECT_EQ(r.tock_root, tree_.root());
  EXPECT_EQ(r.tock_found_by, "--tock-dir");
  EXPECT_EQ(r.package, "qemu_rv32_virt");
  EXPECT_EQ(r.command, "make");
  EXPECT_TRUE(r.module_written);
  EXPECT_EQ(r.module, tree_.board_dir() / "src" / "tockctl_config.rs");
  EXPECT_EQ(ReadFile(r.module), RenderConfigModule(LoadConfigModuleSource(config_), SourceDir()));
  EXPECT_EQ(r.errors, 0);
  EXPECT_EQ(r.compiler_warnings, 1);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  EXPECT_EQ(r.toolchain,
            (std::vector<std::string>{"make found", "Rust toolchain not checked (NO_RUSTUP=1)"}));
  ASSERT_TRUE(r.outputs);
  EXPECT_EQ(r.outputs->elf, tree_.release_elf());
  EXPECT_EQ(r.outputs->bin, tree_.release_elf().string() + ".bin");
  EXPECT_EQ(r.outputs->bin_address, 0x80000000u);
  EXPECT_EQ(r.outputs->bin_size, fs::file_size(r.outputs->bin));
  ASSERT_TRUE(r.memory);
  EXPECT_TRUE(r.memory->problems.empty());
  EXPECT_EQ(r.memory->stack, 0x2000u);
  EXPECT_TRUE(SawLine("unused variable 'unused_scheduler_slot'", LineKind::kWarning));
  EXPECT_TRUE(SawLine("riscv64-unknown-elf-gcc -march=rv32imac", LineKind::kOutput));
  EXPECT_EQ(notes_, (std::vector<std::string>{"wrote boards/qemu_rv32_virt/src/tockctl_config.rs",
                                              "running `make` in boards/qemu_rv32_virt"}));
}

TEST_F(KernelBuildTest, UnchangedModuleKeepsItsTimeAndNothingRebuilds) {
  BuildKernel(request_, env_);
  fs::path module = tree_.board_dir() / "src" / "tockctl_config.rs";
  auto before = fs::last_write_time(module);
  auto elf_before = fs::last_write_time(tree_.release_elf());
  lines_.clear();
  BuildResult again = BuildKernel(request_, env_);
  EXPECT_FALSE(again.module_written);
  EXPECT_EQ(fs::last_write_time(module), before);
  EXPECT_EQ(fs::last_write_time(tree_.release_elf()), elf_before);
  EXPECT_FALSE(SawLine("riscv64-unknown-elf-gcc", LineKind::kOutput));
}

TEST_F(KernelBuildTest, GenerateOnlyStopsAfterTheModule) {
  request_.generate_only = true;
  BuildResult r = BuildKernel(request_, env_);
  EXPECT_TRUE(fs::exists(r.module));
  EXPECT_TRUE(r.command.empty());
  EXPECT_FALSE(r.outputs);
  EXPECT_FALSE(fs::exists(tree_.release_elf()));
  EXPECT_FALSE(BuildResultToJson(r).contains("build"));
}

TEST_F(KernelBuildTest, CompileErrorFailsWithTheCompilersLine) {
  tree_.Append("boards/qemu_rv32_virt/src/kernel.c", "#error tockctl fixture broken on purpose\n");
  size_t line = 0;
  for (char c : ReadFile(tree_.board_dir() / "src" / "kernel.c")) line += c == '\n';
  Error e = BuildError();
  EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
  EXPECT_EQ(e.Describe(), tree_.board_dir().string() +
                              ": `make` failed (exit 2): src/kernel.c:" + std::to_string(line) +
                              ":2: error: #error tockctl fixture broken on purpose; 1 error, 1 "
                              "warning; the full output is above");
  EXPECT_TRUE(SawLine("#error tockctl fixture broken on purpose", LineKind::kError));
}

TEST_F(KernelBuildTest, LinkerRegionOverflowIsAnInvalidInputError) {
  tree_.Replace("boards/qemu_rv32_virt/layout.ld", "LENGTH = 0x100000\n  prog",
                "LENGTH = 0x40\n  prog");
  Error e = BuildError();
  EXPECT_EQ(e.category(), ErrorCategory::kInvalidInput);
  EXPECT_TRUE(e.message().starts_with("the kernel does not fit its memory region: "))
      << e.message();
  EXPECT_NE(e.message().find("region `rom' overflowed by "), std::string::npos) << e.message();
}

TEST_F(KernelBuildTest, TinyBoardRegionIsReportedAsOverflow) {
  std::string text = ReadFile(config_);
  size_t at = text.find("\"length\": \"0x100000\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 20, "\"length\": \"0x40\"");
  WriteFileAtomic(config_, text);
  BuildResult r = BuildKernel(request_, env_);
  ASSERT_TRUE(r.memory);
  ASSERT_FALSE(r.memory->problems.empty());
  EXPECT_TRUE(r.memory->problems[0].starts_with("kernel flash overflows: .text"));
  EXPECT_THROW(ThrowIfOverflowing(*r.memory, r.outputs->elf.string()), Error);
}

TEST_F(KernelBuildTest, StaleBinIsRewrittenFromTheElf) {
  BuildResult first = BuildKernel(request_, env_);
  std::vector<uint8_t> good = ReadBinaryFile(first.outputs->bin);
  WriteFileAtomic(first.outputs->bin, std::string_view("stale"));
  BuildResult r = BuildKernel(request_, env_);
  EXPECT_TRUE(ReadBinaryFile(r.outputs->bin) == good);
  EXPECT_EQ(r.warnings, (std::vector<std::string>{
                            "qemu_rv32_virt.bin made by the build differed from the ELF's "
                            "loadable sections (stale?); rewrote it from the ELF"}));
}

TEST_F(KernelBuildTest, ElfIsLookedUpByPackageName) {
  tree_.Replace("boards/qemu_rv32_virt/Makefile", "PLATFORM=qemu_rv32_virt", "PLATFORM=other");
  Error e = BuildError();
  EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
  EXPECT_EQ(e.Describe(), tree_.release_elf().string() +
                              ": the build succeeded but left no kernel ELF here; the ELF is "
                              "named after the cargo package (qemu_rv32_virt) under "
                              "target/riscv32imac-unknown-none-elf/release/");
}

TEST_F(KernelBuildTest, CargoNeedsTheRustTarget) {
  if (!FindProgram("rustup")) GTEST_SKIP() << "no rustup";
  request_.tool = BuildTool::kCargo;
  request_.check_rust = true;
  Error e = BuildError();
  EXPECT_EQ(e.Describe(),
            "the Rust target riscv32imac-unknown-none-elf is not installed (rustup target list "
            "--installed does not list it); install it with: rustup target add "
            "riscv32imac-unknown-none-elf");
  EXPECT_EQ(ExitCodeFor(e.category()), 7);
}

TEST_F(KernelBuildTest, CargoFailureSurfacesRustcsError) {
  if (!FindProgram("cargo")) GTEST_SKIP() << "no cargo";
  request_.tool = BuildTool::kCargo;
  Error e = BuildError();
  EXPECT_EQ(e.category(), ErrorCategory::kToolFailed);
  EXPECT_TRUE(e.message().starts_with(
      "`cargo build --release --target riscv32imac-unknown-none-elf` failed (exit 101): "
      "error[E0463]: can't find crate for `core`"))
      << e.Describe();
  EXPECT_TRUE(SawLine("error[E0463]: can't find crate for `core`", LineKind::kError));
}

TEST_F(KernelBuildTest, NoBoardChosen) {
  request_.config.reset();
  EXPECT_EQ(BuildError().Describe(),
            "say which board: pass --board NAME or --config FILE; `tockctl boards list` shows the "
            "board names");
}

TEST_F(KernelBuildTest, JsonCarriesEveryPart) {
  auto j = BuildResultToJson(BuildKernel(request_, env_));
  EXPECT_EQ(j["board"], "qemu_rv32_virt");
  EXPECT_EQ(j["build"]["command"], "make");
  EXPECT_EQ(j["build"]["warnings"], 1);
  EXPECT_EQ(j["outputs"]["bin_address"], 0x80000000u);
  EXPECT_EQ(j["outputs"]["bin_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["memory"]["kernel_ram"]["stack"], 0x2000);
  EXPECT_EQ(j["module"]["written"], true);
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

// --integrate through BuildKernel: the fixture board with a Tock-shaped main.rs (no module line).
class KernelBuildIntegrateTest : public KernelBuildTest {
 protected:
  void SetUp() override {
    KernelBuildTest::SetUp();
    fs::copy_file(SourceDir() / "tests" / "fixtures" / "integrate" / "main.rs",
                  tree_.board_dir() / "src" / "main.rs", fs::copy_options::overwrite_existing);
    request_.generate_only = true;
    request_.integrate = true;
    env_.on_diff = [this](const std::string& diff) { diffs_.push_back(diff); };
  }
  std::vector<std::string> diffs_;
};

TEST_F(KernelBuildIntegrateTest, DryRunShowsTheDiffAndWritesNothing) {
  request_.dry_run = true;
  std::string main_rs = ReadFile(tree_.board_dir() / "src" / "main.rs");
  BuildResult r = BuildKernel(request_, env_);
  ASSERT_EQ(diffs_.size(), 1u);
  EXPECT_NE(diffs_[0].find("+mod tockctl_config;\n"), std::string::npos);
  EXPECT_EQ(ReadFile(tree_.board_dir() / "src" / "main.rs"), main_rs);
  EXPECT_FALSE(fs::exists(r.module)) << "--dry-run writes not even the module";
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree_.root() / "tockctl")));
  ASSERT_TRUE(r.integration);
  EXPECT_FALSE(r.integration->written);
  EXPECT_EQ(r.integration->changed, std::vector<std::string>{"boards/qemu_rv32_virt/src/main.rs"});
  EXPECT_EQ(BuildResultToJson(r)["integration"]["diff"], diffs_[0]);
  EXPECT_EQ(notes_.back(),
            "integrate --dry-run: nothing written; run without --dry-run to apply the diff");
}

TEST_F(KernelBuildIntegrateTest, IntegrateSilencesTheWarningsItFixes) {
  request_.integrate = false;
  BuildResult before = BuildKernel(request_, env_);
  EXPECT_EQ(before.warnings,
            std::vector<std::string>{"boards/qemu_rv32_virt/src/main.rs does not include the "
                                     "generated module; run: tockctl build --integrate "
                                     "(--integrate --dry-run shows the lines)"});
  request_.integrate = true;
  BuildResult after = BuildKernel(request_, env_);
  ASSERT_TRUE(after.integration);
  EXPECT_TRUE(after.integration->written);
  EXPECT_EQ(after.warnings, std::vector<std::string>{});
  EXPECT_TRUE(fs::is_symlink(tree_.root() / "tockctl"));
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
