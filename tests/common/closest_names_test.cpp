#include "common/closest_names.h"

#include <gtest/gtest.h>

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(ClosestNames, EditDistance) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("ABC", "abc"), 0u);
}

TEST(ClosestNames, RanksCaseThenPrefixThenSubstringThenDistance) {
  const std::vector<std::string> commands = {"boards", "build", "completion", "config", "devices",
                                             "extcap", "flash", "image",      "qemu",   "trace"};
  EXPECT_EQ(ClosestNames("flsh", commands), std::vector<std::string>{"flash"});
  EXPECT_EQ(ClosestNames("FLASH", commands), std::vector<std::string>{"flash"});
  EXPECT_EQ(ClosestNames("conf", commands), std::vector<std::string>{"config"});
  EXPECT_EQ(ClosestNames("frobnicate", commands), std::vector<std::string>{});
  EXPECT_EQ(ClosestNames("lst", {"list", "show"}), std::vector<std::string>{"list"});
  EXPECT_EQ(ClosestNames("vaildate", {"init", "show", "get", "set", "unset", "validate", "diff"}),
            std::vector<std::string>{"validate"});
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
