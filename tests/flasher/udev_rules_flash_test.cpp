// udev/60-tockctl.rules covers the probes and bootloaders the flash methods open.
#include <gtest/gtest.h>

#include <string>

#include "common/file_io.h"
#include "tests/support/test_support.h"

namespace tockctl::flasher {
namespace {
namespace TOCKCTL_UNITY_ID {

TEST(UdevRulesFlashTest, CoversFlashingDevices) {
  std::string rules = ReadFile(tockctl::testing::SourceDir() / "udev" / "60-tockctl.rules");
  const char* ids[][2] = {{"0483", "df11"}, {"1d50", "6018"}, {"0d28", "0204"}, {"0403", "6010"},
                          {"0403", "6014"}, {"2e8a", "0003"}, {"2e8a", "000f"}};
  for (const auto& id : ids) {
    std::string usb = std::string("SUBSYSTEM==\"usb\", ATTR{idVendor}==\"") + id[0] +
                      "\", ATTR{idProduct}==\"" + id[1] + "\"";
    EXPECT_NE(rules.find(usb), std::string::npos) << id[0] << ":" << id[1];
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::flasher
