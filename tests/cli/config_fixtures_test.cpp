// Every bad configuration in tests/fixtures/config/bad is rejected with exactly its .expected text.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

std::filesystem::path FixtureDir() { return testing::SourceDir() / "tests/fixtures/config/bad"; }

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(FixtureDir()))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

using ::tockctl::testing::Slurp;

class BadConfigTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadConfigTest, ValidateReportsExactlyTheExpectedFindings) {
  const std::string name = GetParam();
  auto expected = FixtureDir() / (name + ".expected");
  ASSERT_TRUE(std::filesystem::exists(expected)) << expected;
  auto r = testing::RunTockctl({"config", "validate", name + ".json"}, FixtureDir().string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out + r.err, Slurp(expected));
}

TEST(BadConfigFixturesTest, ThereAreAtLeastThirty) { EXPECT_GE(FixtureNames().size(), 30u); }

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string out = info.param;
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadConfigTest, ::testing::ValuesIn(FixtureNames()), TestName);

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
