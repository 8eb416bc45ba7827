// The one JSON convention of docs/cli.md ("JSON output"), checked on the real binary's documents:
// memory addresses are "0x..." strings (never numbers, which lose 64-bit addresses in jq and
// JavaScript), sizes and counts are numbers, keys are snake_case.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "common/file_io.h"
#include "tests/support/elf_builder.h"
#include "tests/support/test_support.h"

namespace tockctl {
namespace {
namespace TOCKCTL_UNITY_ID {

using testing::RunTockctl;
using testing::TempDir;

// Keys that hold a memory address wherever they appear ("start" is also a step flag, a bool).
const std::set<std::string> kAddressKeys = {"origin", "start", "end", "entry", "address"};

void CheckConvention(const nlohmann::json& j, const std::string& where) {
  static const std::regex hex("0x[0-9a-f]+");
  static const std::regex snake("[a-z][a-z0-9_]*|\\$schema");
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) CheckConvention(j[i], where + "/" + std::to_string(i));
    return;
  }
  if (!j.is_object()) return;
  for (const auto& [key, value] : j.items()) {
    const std::string at = where + "/" + key;
    EXPECT_TRUE(std::regex_match(key, snake)) << at;
    if (kAddressKeys.count(key) != 0) {
      EXPECT_FALSE(value.is_number()) << at << " is a number: " << value;
      if (value.is_string()) {
        EXPECT_TRUE(std::regex_match(value.get<std::string>(), hex)) << at << " = " << value;
      }
    }
    CheckConvention(value, at);
  }
}

void CheckCommand(const std::vector<std::string>& args) {
  const auto run = RunTockctl(args);
  ASSERT_EQ(run.exit_code, 0) << args[1] << ": " << run.err;
  const auto j = nlohmann::json::parse(run.out);
  CheckConvention(j, args[1]);
}

TEST(JsonConventions, AddressesAreHexStringsInEveryDocument) {
  TempDir dir;
  testing::ElfSpec spec;
  spec.entry = 0x80000000;
  spec.segments.push_back({1, 0x80000000, 0, testing::CountingBytes(64), 0, ".text"});
  const auto elf = dir.path() / "kernel.elf";
  WriteFileAtomic(elf, std::span<const uint8_t>(testing::BuildElf(spec)));
  CheckCommand({"--json", "boards", "list"});
  CheckCommand({"--json", "boards", "show", "qemu_rv64_virt"});
  CheckCommand({"--json", "image", "info", elf.string()});
  CheckCommand(
      {"--json", "flash", elf.string(), "--board", "qemu_rv32_virt", "--dry-run", "--no-start"});
  const std::string apps = (testing::SourceDir() / "tests/fixtures/apps/").string();
  CheckCommand({"--json", "app", "inspect", apps + "rot13_service.tab"});
  CheckCommand({"--json", "app", "install", apps + "blink.tab", apps + "rot13_client.tab",
                "--board", "hail", "--dry-run", "--on-board", apps + "hail-app-flash.bin"});
}

TEST(JsonConventions, TheCheckCatchesANumberAddress) {
  const auto j = nlohmann::json::parse(R"({"segments":[{"start":2147483648}]})");
  EXPECT_NONFATAL_FAILURE(CheckConvention(j, ""), "/segments/0/start is a number");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl
