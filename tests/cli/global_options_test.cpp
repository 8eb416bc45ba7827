#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {

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
  EXPECT_NE(r.err.find("error: "), std::string::npos);
  EXPECT_NE(r.err.find("run with --help for usage"), std::string::npos);
}

}  // namespace
}  // namespace tockctl
