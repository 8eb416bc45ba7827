#include "apps/tab.h"

#include <gtest/gtest.h>

#include "apps/tar_archive.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/process.h"
#include "tests/apps/app_test_data.h"
#include "tests/support/test_support.h"

namespace tockctl::apps {
namespace {
namespace TOCKCTL_UNITY_ID {

using apps::testing::MakeApp;
using apps::testing::MakeTab;

using tockctl::testing::ErrorText;

ProcessResult RunTar(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  PosixProcessRunner runner;
  ProcessSpec spec;
  spec.argv = {"tar"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = cwd.string();
  return runner.Run(spec);
}

TEST(Tar, GnuTarListsAndExtractsWhatWeWrite) {
  tockctl::testing::TempDir dir;
  const std::string long_name(120, 'd');
  const std::vector<TarEntry> entries = {{"metadata.toml", {'a', '\n'}, 0},
                                         {"cortex-m4.tbf", std::vector<uint8_t>(700, 7), 0},
                                         {long_name + "/x.tbf", {1, 2, 3}, 0}};
  WriteFileAtomic(dir.path() / "a.tab", std::span<const uint8_t>(WriteTar(entries)));
  const auto list = RunTar({"-tf", "a.tab"}, dir.path());
  ASSERT_EQ(list.exit_code, 0) << list.stderr_text;
  EXPECT_EQ(list.stdout_text, "metadata.toml\ncortex-m4.tbf\n" + long_name + "/x.tbf\n");
  ASSERT_EQ(RunTar({"-xf", "a.tab"}, dir.path()).exit_code, 0);
  EXPECT_EQ(tockctl::testing::Slurp(dir.path() / "cortex-m4.tbf"), std::string(700, '\7'));
}

TEST(Tar, ReadsWhatGnuTarWritesInEachFormat) {
  for (const std::string format : {"ustar", "gnu", "pax"}) {
    tockctl::testing::TempDir dir;
    const std::string long_name = std::string(110, 'n') + ".tbf";
    WriteFileAtomic(dir.path() / "metadata.toml", std::string_view("name = \"x\"\n"));
    WriteFileAtomic(dir.path() / long_name, std::string_view("tbf bytes"));
    std::vector<std::string> args = {"--format=" + format, "-cf", "a.tar", "metadata.toml"};
    if (format != "ustar") args.push_back(long_name);
    ASSERT_EQ(RunTar(args, dir.path()).exit_code, 0) << format;
    const auto entries = ReadTar(ReadBinaryFile(dir.path() / "a.tar"), "a.tar");
    ASSERT_EQ(entries.size(), format == "ustar" ? 1u : 2u) << format;
    EXPECT_EQ(entries[0].name, "metadata.toml");
    EXPECT_EQ(std::string(entries[0].data.begin(), entries[0].data.end()), "name = \"x\"\n");
    if (format != "ustar") {
      EXPECT_EQ(entries[1].name, long_name) << format;
    }
  }
}

TEST(Tar, ADamagedHeaderIsOneLineNamingTheBlock) {
  auto bytes = WriteTar({{"a.tbf", {1}, 0}, {"b.tbf", {2}, 0}});
  bytes[1024] = 'X';  // the second header's name
  EXPECT_EQ(ErrorText([&] { ReadTar(bytes, "app.tab"); }),
            "app.tab: offset 1172: tar header checksum is 3498, expected 3488; the archive is "
            "damaged: build or download the TAB again");
  bytes = WriteTar({{"a.tbf", std::vector<uint8_t>(600, 1), 0}});
  bytes.resize(1024);
  EXPECT_EQ(ErrorText([&] { ReadTar(bytes, "app.tab"); }),
            "app.tab: offset 0: tar entry \"a.tbf\" of 600 bytes runs past the end of the archive; "
            "the archive is damaged: build or download the TAB again");
}

TEST(Tab, ReadsMetadataAndEveryArchitectureAndVariant) {
  const auto tab = MakeTab("blink",
                           {{"cortex-m0.tbf", MakeApp("blink", 100)},
                            {"cortex-m4.tbf", MakeApp("blink", 200)},
                            {"rv32imac.0x80100080.0x80300000.tbf", MakeApp("blink", 300)}},
                           {"hail", "imix"});
  const AppBundle b = ReadAppBundle(tab, "blink.tab");
  EXPECT_TRUE(b.is_tab);
  EXPECT_EQ(b.Name(), "blink");
  ASSERT_TRUE(b.metadata);
  EXPECT_EQ(b.metadata->only_for_boards, (std::vector<std::string>{"hail", "imix"}));
  EXPECT_EQ(b.metadata->KernelVersion(), "2.1");
  EXPECT_EQ(b.metadata->build_date, "2026-12-07T09:00:00Z");
  ASSERT_EQ(b.tbfs.size(), 3u);
  EXPECT_EQ(b.tbfs[1].arch, "cortex-m4");
  EXPECT_FALSE(b.tbfs[1].name_flash);
  EXPECT_EQ(b.tbfs[2].arch, "rv32imac");
  EXPECT_EQ(b.tbfs[2].name_flash, 0x80100080u);
  EXPECT_EQ(b.tbfs[2].name_ram, 0x80300000u);
}

TEST(Tab, ABareTbfIsABundleOfOne) {
  const AppBundle b = ReadAppBundle(MakeApp("hello", 64), "hello.tbf");
  EXPECT_FALSE(b.is_tab);
  EXPECT_EQ(b.Name(), "hello");
  ASSERT_EQ(b.tbfs.size(), 1u);
}

TEST(Tab, AnArchiveWithoutTbfIsRefused) {
  const auto tar = WriteTar({{"metadata.toml", {'#'}, 0}});
  EXPECT_EQ(ErrorText([&] { ReadAppBundle(tar, "empty.tab"); }),
            "empty.tab: the archive holds no .tbf file; a TAB holds metadata.toml and one "
            "ARCH.tbf per architecture; build it with elf2tab");
}

TEST(Tab, ABrokenMemberNamesArchiveAndMember) {
  auto app = MakeApp("x", 10);
  app[0] = 3;
  const auto tab = MakeTab("x", {{"cortex-m4.tbf", app}});
  EXPECT_EQ(ErrorText([&] { ReadAppBundle(tab, "x.tab"); }),
            "x.tab: cortex-m4.tbf: offset 0: TBF version is 3, not 2; this is not a Tock app (or "
            "a TBF version the kernel no longer loads)");
}

TEST(TabMetadata, ReadsTheKeysElf2tabAndTockloaderWrite) {
  const std::string text =
      "tab-version = 1\n"
      "name = \"rot13_service\"  # the service\n"
      "only-for-boards = \"hail, imix\"\n"
      "build-date = 2024-05-01T10:11:12Z\n"
      "minimum-tock-kernel-version = \"2.1\"\n"
      "tock-kernel-version = '2.2'\n"
      "minimum-ram-size = 4096\n"
      "\n[extra]\nflag = true\nlist = [\"a\", 'b']\n";
  const TabMetadata m = ParseTabMetadata(text, "metadata.toml");
  EXPECT_EQ(m.tab_version, 1);
  EXPECT_EQ(m.name, "rot13_service");
  EXPECT_EQ(m.only_for_boards, (std::vector<std::string>{"hail", "imix"}));
  EXPECT_EQ(m.build_date, "2024-05-01T10:11:12Z");
  EXPECT_EQ(m.KernelVersion(), "2.2");
  EXPECT_EQ(m.minimum_ram_size, 4096);
  EXPECT_EQ(TomlValueToJson(m.other.at("extra.flag")), true);
  EXPECT_EQ(TomlValueToJson(m.other.at("extra.list")), nlohmann::json({"a", "b"}));
}

TEST(TabMetadata, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(ErrorText([] { ParseTabMetadata("name = \"x\nb = 1\n", "t.tab: metadata.toml"); }),
            "t.tab: metadata.toml:1:10: unterminated string; metadata.toml holds `key = "
            "\"string\"`, integers, booleans and arrays of strings");
  EXPECT_EQ(ErrorText([] { ParseTabMetadata("tab-version = \"one\"\n", "m.toml"); }),
            "m.toml:1:1: \"tab-version\" must be an integer; metadata.toml holds `key = "
            "\"string\"`, integers, booleans and arrays of strings");
  EXPECT_EQ(ErrorText([] { ParseTabMetadata("a = 1\na = 2\n", "m.toml"); }),
            "m.toml:2:6: key \"a\" is defined twice; metadata.toml holds `key = \"string\"`, "
            "integers, booleans and arrays of strings");
  EXPECT_EQ(ErrorText([] { ParseTabMetadata("a = 1.5\n", "m.toml"); }),
            "m.toml:1:5: expected a string, integer, boolean, date or array of strings; "
            "metadata.toml holds `key = \"string\"`, integers, booleans and arrays of strings");
}

}  // namespace TOCKCTL_UNITY_ID
}  // namespace
}  // namespace tockctl::apps
