#include "kernel/toolchain_check.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/support/test_support.h"

namespace tockctl::kernel {
namespace {
namespace TOCKCTL_UNITY_ID {

using tockctl::testing::TempDir;

using tockctl::testing::ErrorText;

// These run the real rustup/rustc of this machine, which has only the host target installed.
class ToolchainCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FindProgram("cargo") || !FindProgram("rustc")) GTEST_SKIP() << "no Rust toolchain";
  }
  PosixProcessRunner runner_;
  TempDir dir_;
};

TEST_F(ToolchainCheckTest, MissingEmbeddedTargetNamesTheFix) {
  ToolchainNeeds needs{.make = true,
                       .rust = true,
                       .target = "thumbv7em-none-eabi",
                       .json_target = false,
                       .board_dir = dir_.path()};
  std::string how = FindProgram("rustup") ? "rustup target list --installed does not list it"
                                          : "";  // set below for a rustc without rustup
  std::string message = ErrorText([&] { CheckToolchain(needs, runner_); });
  if (how.empty()) GTEST_SKIP() << "no rustup: " << message;
  EXPECT_EQ(message, "the Rust target thumbv7em-none-eabi is not installed (" + how +
                         "); install it with: rustup target add thumbv7em-none-eabi");
}

TEST_F(ToolchainCheckTest, HostTargetIsInstalled) {
  ToolchainNeeds needs{.make = true,
                       .rust = true,
                       .target = "x86_64-unknown-linux-gnu",
                       .json_target = false,
                       .board_dir = dir_.path()};
  auto notes = CheckToolchain(needs, runner_);
  EXPECT_EQ(notes, (std::vector<std::string>{"make found",
                                             "Rust target x86_64-unknown-linux-gnu installed"}));
}

TEST_F(ToolchainCheckTest, JsonTargetsNeedNothingInstalled) {
  ToolchainNeeds needs{.make = false,
                       .rust = true,
                       .target = "i486-unknown-none",
                       .json_target = true,
                       .board_dir = dir_.path()};
  auto notes = CheckToolchain(needs, runner_);
  EXPECT_EQ(notes, (std::vector<std::string>{
                       "target i486-unknown-none is a JSON target spec (built with build-std)"}));
}

TEST_F(ToolchainCheckTest, NoRustupSkipsTheRustChecks) {
  ToolchainNeeds needs{.make = true,
                       .rust = false,
                       .target = "thumbv7em-none-eabi",
                       .json_target = false,
                       .board_dir = dir_.path()};
  auto notes = CheckToolchain(needs, runner_);
  EXPECT_EQ(notes,
            (std::vector<std::string>{"make found", "Rust toolchain not checked (NO_RUSTUP=1)"}));
}

TEST_F(ToolchainCheckTest, PinnedToolchainThatIsNotInstalled) {
  if (!FindProgram("rustup")) GTEST_SKIP() << "no rustup";
  dir_.Write(
      "rust-toolchain.toml",
      "[toolchain]\nchannel = \"nightly-2026-07-21\"\ntargets = [\"thumbv7em-none-eabi\"]\n");
  ToolchainNeeds needs{.make = false,
                       .rust = true,
                       .target = "thumbv7em-none-eabi",
                       .json_target = false,
                       .board_dir = dir_.path()};
  EXPECT_EQ(ErrorText([&] { CheckToolchain(needs, runner_); }),
            "the Rust toolchain nightly-2026-07-21 that the Tock tree's rust-toolchain.toml asks "
            "for is not installed; install it with: rustup toolchain install nightly-2026-07-21");
}

TEST(ToolchainChannelTest, ReadsTheNearestToolchainFile) {
  TempDir dir;
  dir.Write("rust-toolchain.toml", "[toolchain]\nchannel = \"nightly-2026-07-21\"\n");
  std::filesystem::create_directories(dir.path() / "boards" / "x");
  EXPECT_EQ(ToolchainChannel(dir.path() / "boards" / "x"), "nightly-2026-07-21");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::kernel
