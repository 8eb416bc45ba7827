#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;

TEST(GlobalOptionsTest, VersionPrintsNameAndVersion) {
  auto r = RunTockctl({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("tockctl ", 0), 0u) << r.out;
}

TEST(GlobalOptionsTest, HelpListsGlobalOptions) {
  auto r = RunTockctl({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--verbose", "--quiet", "--json", "--color", "--version"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
}

TEST(GlobalOptionsTest, UnknownSubcommandIsAUsageError) {
  auto r = RunTockctl({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: unknown command `frobnicate`; run `tockctl --help` to see the commands\n");
}

TEST(GlobalOptionsTest, MistypedCommandsAtEveryLevelSuggestTheClosest) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"flsh", "x.elf"}, "unknown command `flsh`; did you mean `flash`?"},
      {{"boards", "lst"}, "unknown command `boards lst`; did you mean `boards list`?"},
      {{"config", "vaildate", "x"},
       "unknown command `config vaildate`; did you mean `config validate`?"},
      {{"--color", "never", "qemu", "stp"},
       "unknown command `qemu stp`; did you mean `qemu stop`?"},
      {{"-v", "boards", "--json", "zzz"},
       "unknown command `boards zzz`; run `tockctl boards --help` to see the commands"},
  };
  for (const auto& [args, message] : cases) {
    auto r = RunTockctl(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "error: " + message + "\n");
  }
}

TEST(GlobalOptionsTest, AMissingSubcommandStillSaysOneIsRequired) {
  auto r = RunTockctl({"boards"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: A subcommand is required; run with --help for usage\n");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
