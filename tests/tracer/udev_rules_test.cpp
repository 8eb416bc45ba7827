// udev/60-tockctl.rules: every rule is well formed, grants uaccess, and the devices tockctl talks
// to are covered.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "common/file_io.h"
#include "tests/support/test_support.h"

namespace tockctl::tracer {
namespace {
namespace TOCKCTL_UNITY_ID {

struct RuleIds {
  std::string subsystem;
  std::string vendor;
  std::string product;  ///< Empty: every product of the vendor.
};

std::vector<RuleIds> ReadRules() {
  std::string text = ReadFile(::tockctl::testing::SourceDir() / "udev" / "60-tockctl.rules");
  const std::regex rule(
      R"re(SUBSYSTEM=="(usb|tty)", ATTRS?\{idVendor\}=="([0-9a-f]{4})"(?:, ATTRS?\{idProduct\}=="([0-9a-f]{4})")?, MODE="0660", GROUP="plugdev", TAG\+="uaccess")re");
  std::vector<RuleIds> out;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, rule)) << "line " << number << ": " << line;
    if (!m.empty()) out.push_back({m[1], m[2], m[3]});
  }
  return out;
}

bool Covers(const std::vector<RuleIds>& rules, const std::string& vendor,
            const std::string& product) {
  for (const auto& r : rules) {
    if (r.subsystem == "usb" && r.vendor == vendor && (r.product.empty() || r.product == product)) {
      return true;
    }
  }
  return false;
}

TEST(UdevRulesTest, EveryLineIsAWellFormedUaccessRule) { EXPECT_FALSE(ReadRules().empty()); }

TEST(UdevRulesTest, CoversTockBoardsProbesAndBootloaders) {
  auto rules = ReadRules();
  const std::vector<std::pair<std::string, std::string>> devices = {
      {"6667", "0001"},  // Tock USB (console + trace)
      {"2e8a", "0003"},  // RP2040 BOOTSEL
      {"2e8a", "000f"},  // RP2350 BOOTSEL
      {"2e8a", "000c"},  // debugprobe (CMSIS-DAP)
      {"1366", "0101"},  // J-Link
      {"1366", "1015"},  // J-Link OB
      {"0483", "3748"},  // ST-LINK/V2
      {"0483", "374b"},  // ST-LINK/V2-1
      {"0483", "374e"},  // ST-LINK/V3
      {"0483", "374f"},  // ST-LINK/V3
      {"0483", "3753"},  // ST-LINK/V3
      {"1915", "521f"},  // nRF52840 Dongle bootloader
  };
  for (const auto& [vendor, product] : devices) {
    EXPECT_TRUE(Covers(rules, vendor, product)) << vendor << ":" << product;
  }
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::tracer
