#include "kernel/kernel_builder.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::ErrorText;

TEST(DiagnosticCounterTest, GccAndLdLines) {
  DiagnosticCounter c;
  EXPECT_EQ(c.Add("src/kernel.c: In function 'kernel_main':"), LineKind::kOutput);
  EXPECT_EQ(c.Add("src/kernel.c:20:7: warning: unused variable 'x' [-Wunused-variable]"),
            LineKind::kWarning);
  EXPECT_EQ(c.Add("src/kernel.c:24:1: error: expected ';' before '}' token"), LineKind::kError);
  EXPECT_EQ(c.Add("src/kernel.c:1:10: fatal error: missing.h: No such file or directory"),
            LineKind::kError);
  EXPECT_EQ(c.Add("collect2: error: ld returned 1 exit status"), LineKind::kError);
  EXPECT_EQ(c.Add("make: *** [../Makefile.common:31: target/x] Error 1"), LineKind::kError);
  EXPECT_EQ(c.errors(), 2);
  EXPECT_EQ(c.warnings(), 1);
  EXPECT_EQ(c.first_error(), "src/kernel.c:24:1: error: expected ';' before '}' token");
  EXPECT_EQ(c.last_summary(), "make: *** [../Makefile.common:31: target/x] Error 1");
  EXPECT_FALSE(c.region_overflow());
}

TEST(DiagnosticCounterTest, RustcAndCargoLines) {
  DiagnosticCounter c;
  EXPECT_EQ(c.Add("   Compiling kernel v0.2.3-dev (/tock/kernel)"), LineKind::kOutput);
  EXPECT_EQ(c.Add("\033[1m\033[33mwarning\033[0m: unused import: `core::fmt`"), LineKind::kWarning);
  EXPECT_EQ(c.Add("error[E0463]: can't find crate for `core`"), LineKind::kError);
  EXPECT_EQ(c.Add("  |"), LineKind::kOutput);
  EXPECT_EQ(c.Add("error: aborting due to 1 previous error"), LineKind::kError);
  EXPECT_EQ(c.Add("warning: `kernel` (lib) generated 1 warning"), LineKind::kWarning);
  EXPECT_EQ(c.Add("error: could not compile `kernel` (lib) due to 1 previous error"),
            LineKind::kError);
  EXPECT_EQ(c.errors(), 1);
  EXPECT_EQ(c.warnings(), 1);
  EXPECT_EQ(c.first_error(), "error[E0463]: can't find crate for `core`");
}

TEST(DiagnosticCounterTest, LinkerRegionOverflowIsPreferredAsTheError) {
  DiagnosticCounter c;
  c.Add("ld: /t/k section `.text' will not fit in region `rom'");
  c.Add("ld: region `rom' overflowed by 72 bytes");
  EXPECT_TRUE(c.region_overflow());
  EXPECT_EQ(c.errors(), 2);
  EXPECT_EQ(c.first_error(), "ld: region `rom' overflowed by 72 bytes");
}

TEST(BuildCommandTest, MakeAndCargoCommands) {
  BoardCrate crate;
  crate.board_dir = "/tock/boards/qemu_rv32_virt";
  crate.target = "riscv32imac-unknown-none-elf";
  EXPECT_EQ(MakeBuildCommand(BuildTool::kMake, BuildProfile::kRelease, crate).Display(), "make");
  EXPECT_EQ(MakeBuildCommand(BuildTool::kMake, BuildProfile::kDebug, crate).Display(),
            "make debug");
  BuildCommand cargo = MakeBuildCommand(BuildTool::kCargo, BuildProfile::kRelease, crate);
  EXPECT_EQ(cargo.Display(), "cargo build --release --target riscv32imac-unknown-none-elf");
  EXPECT_EQ(cargo.cwd, crate.board_dir);
  crate.json_target = true;
  EXPECT_EQ(MakeBuildCommand(BuildTool::kCargo, BuildProfile::kDebug, crate).Display(),
            "cargo build");
}

TEST(BuildCommandTest, FailureMessageCarriesTheFirstError) {
  BuildCommand command{{"make"}, "/tock/boards/b", {}};
  BuildRun run{2, 1, 1, "src/kernel.c:24:1: error: expected ';'", "make: *** Error 1", false};
  EXPECT_EQ(ErrorText([&] { ThrowIfFailed(run, command); }),
            "/tock/boards/b: `make` failed (exit 2): src/kernel.c:24:1: error: expected ';'; 1 "
            "error, 1 warning; the full output is above");
  run.first_error.clear();
  EXPECT_EQ(ErrorText([&] { ThrowIfFailed(run, command); }),
            "/tock/boards/b: `make` failed (exit 2): make: *** Error 1; 1 error, 1 warning; the "
            "full output is above");
  run.region_overflow = true;
  run.first_error = "ld: region `rom' overflowed by 72 bytes";
  EXPECT_EQ(ErrorText([&] { ThrowIfFailed(run, command); }),
            "the kernel does not fit its memory region: ld: region `rom' overflowed by 72 bytes; "
            "make the kernel smaller or give it more room in layout.ld and the board JSON");
  run.exit_code = 0;
  EXPECT_EQ(ErrorText([&] { ThrowIfFailed(run, command); }), "(no error)");
}

TEST(BuildCommandTest, SummaryUsesSingularForms) {
  EXPECT_EQ(DiagnosticSummary(0, 1), "0 errors, 1 warning");
  EXPECT_EQ(DiagnosticSummary(1, 2), "1 error, 2 warnings");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
